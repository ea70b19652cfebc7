import { parseAssumedRoleArn } from "../../arn/arn.js";
import { isServiceLinkedRoleArn } from "../../cloudtrail/identity.js";
import type { Actor, EventFacts, Target } from "../../model/finding.js";
import type { CountRequest } from "../../model/window-counts.js";
import { quoted } from "../../model/untrusted.js";
import { type CountInput, defineRule } from "../rule.js";
import { describeActor } from "../rule-helpers.js";
import { countKey, eventMillis } from "../window-keys.js";

const RULE_ID = "denied-calls-burst";

/** Refused calls by one principal, within the window, that raise. */
export const THRESHOLD = 10;
export const WINDOW_SECONDS = 5 * 60;
export const QUIET_SECONDS = 60 * 60;

/** CIS CloudWatch.2 leaves out S3's existence probe (and log delivery: a service as source address, below). */
const EXCLUDED_EVENT_NAMES = new Set(["HeadBucket"]);

/**
 * Why a refused call is not a person's (nor a stolen credential's) call, or undefined when it is
 * one: root's calls are root-activity's (each one is reported); services calling for themselves
 * or on someone's behalf (`invokedBy`, a service principal as the caller or as the source
 * address, a service-linked role) refuse and retry on their own schedule, and the person's own
 * call, when there was one, is recorded too.
 */
export function notAPersonsCall(actor: Actor, event: EventFacts): string | undefined {
  if (actor.type === "Root") return "root (root-activity reports each of its calls)";
  if (actor.type === "AWSService") return "an AWS service";
  if (actor.invokedBy !== undefined) return "made by a service on the principal's behalf";
  if (isServiceLinkedRoleArn(actor.sessionIssuerArn) || isServiceLinkedRoleArn(actor.arn)) return "a service-linked role";
  // A service principal as source address: log delivery (delivery.logs.amazonaws.com, which CIS
  // names), or a service calling with the principal's credentials (forward access sessions).
  const source = event.sourceIp;
  if (source !== undefined && (source.endsWith(".amazonaws.com") || source === "AWS Internal")) return "made by a service";
  if (EXCLUDED_EVENT_NAMES.has(event.eventName)) return `${event.eventName} (an existence probe CIS leaves out)`;
  return undefined;
}

/**
 * The principal a burst is counted under: the identity behind the call, which a stolen
 * credential cannot change. A user is its ARN (its long-term key and the session tokens it
 * mints). A role session or a federated user is its issuer's ARN (the role, or the IAM user who
 * called GetFederationToken): whoever may assume the role, or hold the user's key, can open a
 * session per call under any session name, so counting per session would let one attacker
 * split a burst into as many quiet ones. Without an ARN (another account's caller), the access
 * key id, then the principal id.
 */
function principalOf({ record, actor }: Pick<CountInput, "record" | "actor">): string | undefined {
  const issued = actor.type === "AssumedRole" || actor.type === "FederatedUser";
  if (issued && actor.sessionIssuerArn) return actor.sessionIssuerArn;
  // Another account's session, recorded here without its issuer: its role, from the session ARN.
  const session = parseAssumedRoleArn(actor.arn);
  if (session) return `arn:${session.partition}:iam::${session.account}:role/${session.roleName}`;
  if (actor.arn) return actor.arn;
  // No ARN either (an AWSAccount caller): the principal id's unique id ("AROA…:<session>" names a
  // role's session; the part before the colon is the role), before a per-session access key.
  const principalId = record.userIdentity?.principalId ?? undefined;
  if (principalId) return principalId.split(":")[0] || principalId;
  return actor.accessKeyId || undefined;
}

function burstKey(input: CountInput): { readonly key: string; readonly at: number } | undefined {
  if (notAPersonsCall(input.actor, input.event) !== undefined) return undefined;
  const at = eventMillis(input.event.eventTime);
  const principal = principalOf(input);
  if (at === undefined || principal === undefined) return undefined;
  const key = countKey(RULE_ID, "principal", input.event.account, principal);
  return key === undefined ? undefined : { key, at };
}

function targetOf(actor: Actor): Target | undefined {
  if (actor.type === "IAMUser" && actor.principalName) return { kind: "user", name: actor.principalName, arn: actor.arn };
  if (actor.type === "AssumedRole" && actor.principalName) return { kind: "role", name: actor.principalName, arn: actor.sessionIssuerArn };
  return undefined;
}

/**
 * CIS CloudWatch.2: unauthorized API calls, counted per principal over a window rather than one
 * by one (a console page the user may not read refuses a call or two). Ten refused calls in five
 * minutes is a credential trying what it may do: an attacker with a stolen key enumerating, or a
 * tool run with the wrong role. The principal's key then keeps quiet for an hour.
 */
export const deniedCallsBurst = defineRule({
  id: RULE_ID,
  title: "Burst of refused API calls",
  category: "repeated-failures",
  technique: { id: "T1580", name: "Cloud Infrastructure Discovery" },
  runbook:
    "Find the principal's refused calls in the window (CloudTrail: its ARN or access key id, errorCode AccessDenied* or *UnauthorizedOperation) and what it tried: which services, which resources, from which address and user agent. A deployment or tool run with the wrong role explains itself (its owner, its pipeline). Otherwise treat the credential as stolen and probing what it may do: find where the key or session came from (an instance, a function, a leaked key), and contain it (deactivate the user's key, revoke the role's sessions) once its owner is known; then look at what it was allowed to do.",
  deniedCallsOnly: true,
  includesReadOnly: true,
  failedCallCap: "medium",
  signals: ["denied-calls-burst"],
  counts(input): readonly CountRequest[] {
    const burst = burstKey(input);
    if (!burst) return [];
    return [{ key: burst.key, occurrence: input.event.eventId, at: burst.at, windowSeconds: WINDOW_SECONDS, threshold: THRESHOLD, quietSeconds: QUIET_SECONDS }];
  },
  evaluate({ record, actor, event, counts }) {
    const burst = burstKey({ record, actor, event });
    if (!burst) return undefined;
    const answer = counts.get(burst.key);
    if (!answer?.raised) return undefined;
    const service = event.eventSource.replace(/\.amazonaws\.com$/, "");
    const call = quoted(`${service}:${event.eventName}`);
    const window = `${WINDOW_SECONDS / 60} minutes`;
    const key = actor.accessKeyId ? ` (key ${quoted(actor.accessKeyId)})` : "";
    return {
      severity: "medium",
      summary: `${describeActor(actor)}${key} had ${answer.count} API calls refused in ${window}; the latest ${call} (${quoted(event.errorCode)}) from ${event.sourceIp ? quoted(event.sourceIp) : "an unknown address"}`,
      whyItMatters:
        "A burst of refused calls is a credential trying what it may do: an attacker with a stolen key enumerating the account, or a tool run with the wrong role. The calls failed; the next one it finds allowed will not.",
      reasons: [
        `${answer.count} refused calls by the same principal in ${window} (threshold ${THRESHOLD})`,
        `the latest refused: ${call}, ${quoted(event.errorCode)}`,
        `raises at most once an hour per principal (${QUIET_SECONDS / 3600} h quiet period)`,
      ],
      signals: ["denied-calls-burst"],
      target: targetOf(actor),
    };
  },
});
