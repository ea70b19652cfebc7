import type { CountRequest } from "../../model/window-counts.js";
import { quoted } from "../../model/untrusted.js";
import { type CountInput, defineRule } from "../rule.js";
import { addressBlock, countKey, eventMillis } from "../window-keys.js";

const RULE_ID = "console-sign-in-failures";
const SIGN_IN_SOURCE = "signin.amazonaws.com";
/** What CloudTrail writes in userName when the name typed is no user of the account. */
export const HIDDEN_USER_NAME = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** Failures of one user (or of unknown user names from one address) that raise, within the window. */
export const USER_THRESHOLD = 5;
/** Failures from one address, whatever the user names, that raise (password spraying). */
export const SOURCE_THRESHOLD = 10;
export const WINDOW_SECONDS = 10 * 60;
export const QUIET_SECONDS = 60 * 60;

type Subject =
  /** A user of the account, by name (IAM user names are unique whatever their case). */
  | { readonly kind: "user"; readonly key: string; readonly name: string }
  /** User names the account does not have, typed from one address. */
  | { readonly kind: "unknown-user"; readonly key: string; readonly sourceIp: string };

interface FailureKeys {
  readonly subject: Subject | undefined;
  readonly source: { readonly key: string; readonly sourceIp: string } | undefined;
  readonly at: number;
}

/**
 * The keys a failed console sign-in counts under, or undefined when it counts under none: not a
 * failed ConsoleLogin from the sign-in service, root's (root-console-login reports every one), or
 * no time or account to count it by.
 */
function failureKeys({ actor, event }: CountInput): FailureKeys | undefined {
  if (event.eventSource !== SIGN_IN_SOURCE || event.eventName !== "ConsoleLogin" || !event.failed) return undefined;
  if (actor.type === "Root") return undefined;
  const at = eventMillis(event.eventTime);
  if (at === undefined) return undefined;
  const sourceIp = event.sourceIp || undefined;
  const name = actor.type === "IAMUser" && actor.principalName && actor.principalName !== HIDDEN_USER_NAME ? actor.principalName : undefined;
  let subject: Subject | undefined;
  if (name !== undefined) {
    const key = countKey(RULE_ID, "user", event.account, name.toLowerCase());
    subject = key === undefined ? undefined : { kind: "user", key, name };
  } else if (sourceIp !== undefined) {
    // No user name to count by (CloudTrail hides a name that is no user's): count by address.
    const key = countKey(RULE_ID, "unknown-user", event.account, addressBlock(sourceIp));
    subject = key === undefined ? undefined : { kind: "unknown-user", key, sourceIp };
  }
  const sourceKey = sourceIp === undefined ? undefined : countKey(RULE_ID, "source", event.account, addressBlock(sourceIp));
  const source = sourceKey === undefined || sourceIp === undefined ? undefined : { key: sourceKey, sourceIp };
  if (subject === undefined && source === undefined) return undefined;
  return { subject, source, at };
}

const minutes = (seconds: number) => `${seconds / 60} minutes`;

/**
 * CIS CloudWatch.6: console authentication failures, counted over a window rather than one by
 * one (a single mistyped password is no news). Per user (5 in 10 minutes: password guessing) and
 * per source address (10 in 10 minutes: password spraying across users); each key then keeps
 * quiet for an hour. Root's failures are root-console-login's (each one is reported there).
 */
export const consoleSignInFailures = defineRule({
  id: RULE_ID,
  title: "Repeated console sign-in failures",
  category: "repeated-failures",
  technique: { id: "T1110", name: "Brute Force" },
  runbook:
    "Look at the failed sign-ins of the user or address in the window (CloudTrail: eventName ConsoleLogin, responseElements.ConsoleLogin Failure). Ask the user whether it was them (a forgotten password after a reset is common). If not: the password is being guessed; make sure the user has MFA (an IAM policy denying everything without aws:MultiFactorAuthPresent, or Identity Center), rotate the password if it may be weak or reused, and check for a successful ConsoleLogin of the user or from the address afterwards. Many users failing from one address is password spraying: block the address where you can (WAF, network) and review every user it tried.",
  eventNames: ["ConsoleLogin"],
  eventSources: [SIGN_IN_SOURCE],
  failedCallCap: "medium",
  signals: ["failures-per-user", "failures-per-source"],
  counts(input): readonly CountRequest[] {
    const keys = failureKeys(input);
    if (!keys) return [];
    const request = (key: string, threshold: number): CountRequest => ({
      key,
      occurrence: input.event.eventId,
      at: keys.at,
      windowSeconds: WINDOW_SECONDS,
      threshold,
      quietSeconds: QUIET_SECONDS,
    });
    return [...(keys.subject ? [request(keys.subject.key, USER_THRESHOLD)] : []), ...(keys.source ? [request(keys.source.key, SOURCE_THRESHOLD)] : [])];
  },
  evaluate({ record, actor, event, counts }) {
    const keys = failureKeys({ record, actor, event });
    if (!keys) return undefined;
    const subject = keys.subject ? counts.get(keys.subject.key) : undefined;
    const source = keys.source ? counts.get(keys.source.key) : undefined;
    const subjectRaised = subject?.raised === true;
    const sourceRaised = source?.raised === true;
    if (!subjectRaised && !sourceRaised) return undefined;
    const where = event.sourceIp ? quoted(event.sourceIp) : "an unknown address";
    const who = keys.subject?.kind === "user" ? `IAM user ${quoted(keys.subject.name)}` : "a user name the account does not have";
    const window = minutes(WINDOW_SECONDS);
    const parts: string[] = [];
    const reasons: string[] = [];
    if (subjectRaised && subject) {
      parts.push(
        keys.subject?.kind === "user"
          ? `${subject.count} failed console sign-ins for ${who} in ${window}`
          : `${subject.count} failed console sign-ins with user names the account does not have from ${where} in ${window}`,
      );
      reasons.push(keys.subject?.kind === "user" ? `${subject.count} failures for the user (threshold ${USER_THRESHOLD} in ${window})` : `${subject.count} failures with unknown user names from the address (threshold ${USER_THRESHOLD} in ${window})`);
    }
    // More failures from the address than this subject's: other user names were tried from it.
    const spraying = sourceRaised && source !== undefined && (subject === undefined || source.count > subject.count);
    if (sourceRaised && source) {
      parts.push(`${source.count} failed console sign-ins from ${where} in ${window}${spraying ? ", across user names" : ""}`);
      reasons.push(`${source.count} failures from the address (threshold ${SOURCE_THRESHOLD} in ${window})`);
      if (spraying) reasons.push("the address tried more than one user name");
    }
    reasons.push(`each raises at most once an hour (${QUIET_SECONDS / 3600} h quiet period)`);
    const latest = subjectRaised ? "" : ` (the latest for ${who})`;
    return {
      severity: "medium",
      title: spraying && !subjectRaised ? "Console password spraying from one address" : "Repeated console sign-in failures",
      summary: `${parts.join("; ")}${latest}${event.errorMessage ? `: ${quoted(event.errorMessage)}` : ""}`,
      whyItMatters: spraying
        ? "One address failing to sign in as several users is password spraying: a few common passwords tried across many users, so no single user locks out. One weak password is enough."
        : "Someone keeps failing to sign in: a forgotten password, or a password being guessed. Without MFA, one right guess opens the console.",
      reasons,
      signals: [...(subjectRaised ? (["failures-per-user"] as const) : []), ...(sourceRaised ? (["failures-per-source"] as const) : [])],
      technique: spraying
        ? { id: "T1110.003", name: "Brute Force: Password Spraying" }
        : keys.subject?.kind === "user"
          ? { id: "T1110.001", name: "Brute Force: Password Guessing" }
          : { id: "T1110", name: "Brute Force" },
      target: keys.subject?.kind === "user" ? { kind: "user", name: keys.subject.name, arn: actor.arn } : undefined,
    };
  },
});
