import {
  isAccessKeyId,
  isAccountId,
  isFederatedUserName,
  isIamGroupName,
  isIamName,
  isLongTermAccessKeyId,
  isPartition,
  isRegion,
  isRoleSessionName,
  parseArn,
  parseIamRoleArn,
} from "../arn/arn.js";
import { QUARANTINE_POLICIES } from "../iam/identifiers.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../iam/revoke-sessions-policy.js";
import type { ActionTarget, ResponseAction, UndoStep } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { quoted } from "../model/untrusted.js";
import { safeText } from "./format-finding.js";

/**
 * Commands the on-call can paste: containment by hand, checks that it holds, and what to look at
 * next. Every value put into a command comes from the event, so from whoever made the call: it is
 * used only when it matches AWS's own format for what it is (an IAM name, an access key id, an
 * account, a region, a time), and every word of a command must then be plain
 * `[A-Za-z0-9_+=,.@:/-]`, so no quote, `$`, backtick, `;`, space or newline can reach a shell.
 * When a value fails, there is no command, and the alert says why.
 */
export type Command = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly why: string };

/** The only characters a value may have once it is in a command. */
const SHELL_SAFE = /^[\w+=,.@:/-]{1,2048}$/;
/** An ISO 8601 UTC time as CloudTrail writes it. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** A value that passed its format check; only `checked` makes one. */
interface Checked {
  readonly value: string;
}
/** trailguard's own fixed text (a JSON document in quotes), never built from event values. */
interface Literal {
  readonly literal: string;
}
type Word = string | Checked | Literal | Refusal;
interface Refusal {
  readonly why: string;
}

function checked(what: string, value: string | undefined, valid: (value: string | undefined) => boolean, format: string): Checked | Refusal {
  if (value === undefined || value === "") return { why: `the ${what} is not recorded` };
  // A value the CLI would read as an option (`--profile=x` is a valid IAM name).
  if (value.startsWith("-")) return { why: `the ${what} ${quoted(value, 80)} starts with "-", which the AWS CLI would read as an option, so it is not put into a command` };
  if (valid(value) && SHELL_SAFE.test(value)) return { value };
  return { why: `the ${what} ${quoted(value, 80)} is not ${format}, so it is not put into a command` };
}

export const userName = (value: string | undefined): Checked | Refusal => checked("user name", value, isIamName, "a valid IAM user name");
export const roleName = (value: string | undefined): Checked | Refusal => checked("role name", value, isIamName, "a valid IAM role name");
const groupName = (value: string | undefined) => checked("group name", value, isIamGroupName, "a valid IAM group name");
const longTermKey = (value: string | undefined) => checked("access key id", value, isLongTermAccessKeyId, "a long-term access key id (AKIA…)");
const anyKey = (value: string | undefined) => checked("access key id", value, isAccessKeyId, "an access key id (AKIA… or ASIA…)");
const region = (value: string | undefined) => checked("region", value, isRegion, "an AWS region");
const policyArn = (value: string | undefined) =>
  checked("policy ARN", value, (text) => {
    const arn = parseArn(text);
    return arn !== undefined && arn.service === "iam" && arn.region === "" && arn.resource.startsWith("policy/");
  }, "an IAM policy ARN");

function command(words: readonly Word[]): Command {
  const parts: string[] = [];
  for (const word of words) {
    if (typeof word === "string") {
      // trailguard's own words: held to the same rule, so a mistake here cannot open a hole.
      if (!SHELL_SAFE.test(word)) return { ok: false, why: `internal: ${quoted(word)} is not shell-safe` };
      parts.push(word);
    } else if ("why" in word) return { ok: false, why: word.why };
    else if ("literal" in word) parts.push(word.literal);
    else parts.push(word.value);
  }
  return { ok: true, text: parts.join(" ") };
}

/** The finding's partition (from the actor's ARN), `aws` when the ARN does not say. */
export function partitionOf(finding: Finding): string {
  const partition = parseArn(finding.actor.arn)?.partition ?? parseArn(finding.target?.arn)?.partition;
  return partition !== undefined && isPartition(partition) ? partition : "aws";
}

/**
 * The revoke-sessions document, with the cut-off left to the shell: `$(date -u …)` at the moment
 * the command runs. A cut-off written into the alert would be stale by the time it is pasted (and
 * a revoke document whose cut-off is more than five minutes off the call is itself reported as
 * tampering); the document is trailguard's own, so nothing from the event is in it.
 */
function revokeDocumentArgument(): Literal {
  const epoch = new Date(0);
  const document = revokeSessionsPolicyDocument(epoch).replace(epoch.toISOString(), "@CUTOFF@");
  const escaped = document.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace("@CUTOFF@", "$(date -u +%Y-%m-%dT%H:%M:%SZ)");
  return { literal: `"${escaped}"` };
}

/** The quarantine policy an attach-deny-policy action uses: the one its reason names, else AWSDenyAll (the default). */
function quarantinePolicy(action: ResponseAction, partition: string): string {
  const named = QUARANTINE_POLICIES.find((name) => action.reason.includes(name)) ?? "AWSDenyAll";
  return `arn:${partition}:iam::aws:policy/${named}`;
}

/** The principal an action is about, as IAM's CLI names it. */
function principal(target: ActionTarget): { kind: "user" | "role"; name: Checked | Refusal } | undefined {
  if (target.kind === "user") return { kind: "user", name: userName(target.userName) };
  if (target.kind === "role") return { kind: "role", name: roleName(target.roleName) };
  if (target.kind === "access-key") return { kind: "user", name: userName(target.userName) };
  return undefined;
}

/**
 * What to paste to do an action by hand (it failed, was a dry run, was skipped or is still
 * planned): one or more commands, or why there is none.
 */
export function manualCommands(action: ResponseAction, partition: string): Command[] {
  const target = action.target;
  const who = principal(target);
  if (who === undefined) {
    return [{ ok: false, why: target.kind === "root" ? "IAM cannot restrict the root user: no command can contain it" : "the target is not a user or role trailguard can name in a command" }];
  }
  const flag = `--${who.kind}-name`;
  switch (action.type) {
    case "deactivate-access-key":
      if (target.kind !== "access-key") return [{ ok: false, why: "the action names no access key" }];
      return [command(["aws", "iam", "update-access-key", "--user-name", who.name, "--access-key-id", longTermKey(target.accessKeyId), "--status", "Inactive"])];
    case "deactivate-user-keys": {
      const list = command(["aws", "iam", "list-access-keys", "--user-name", who.name]);
      if (!list.ok) return [list];
      const name = (who.name as Checked).value;
      return [
        {
          ok: true,
          text: `for key in $(aws iam list-access-keys --user-name ${name} --query "AccessKeyMetadata[?Status=='Active'].AccessKeyId" --output text); do aws iam update-access-key --user-name ${name} --access-key-id "$key" --status Inactive; done`,
        },
      ];
    }
    case "attach-deny-policy":
      return [command(["aws", "iam", `attach-${who.kind}-policy`, flag, who.name, "--policy-arn", quarantinePolicy(action, partition)])];
    case "revoke-sessions":
      return [command(["aws", "iam", `put-${who.kind}-policy`, flag, who.name, "--policy-name", REVOKE_POLICY_NAME, "--policy-document", revokeDocumentArgument()])];
  }
}

/** How to check a done action holds. */
export function verifyCommand(action: ResponseAction): { command: Command; expect: string } {
  const target = action.target;
  const who = principal(target);
  if (who === undefined) return { command: { ok: false, why: "the target is not a user or role" }, expect: "" };
  const flag = `--${who.kind}-name`;
  switch (action.type) {
    case "deactivate-access-key":
      return {
        command: command(["aws", "iam", "list-access-keys", "--user-name", who.name]),
        expect: `access key ${target.kind === "access-key" ? safeText(target.accessKeyId, 128) : ""} shows Status Inactive`,
      };
    case "deactivate-user-keys":
      return { command: command(["aws", "iam", "list-access-keys", "--user-name", who.name]), expect: "no key shows Status Active" };
    case "attach-deny-policy":
      return { command: command(["aws", "iam", `list-attached-${who.kind}-policies`, flag, who.name]), expect: "the quarantine policy is listed" };
    case "revoke-sessions":
      return { command: command(["aws", "iam", `get-${who.kind}-policy`, flag, who.name, "--policy-name", REVOKE_POLICY_NAME]), expect: "the deny with its cut-off time is returned" };
  }
}

/** One command to investigate with, and what it shows. */
export interface Investigation {
  readonly purpose: string;
  readonly command: Command;
}

/** `--start-time`: an hour before the incident opened, when that time is CloudTrail's ISO form. */
export function startTime(openedAt: string | undefined): Checked | Refusal {
  if (openedAt === undefined || !ISO_UTC.test(openedAt)) return { why: `the incident's start ${quoted(openedAt, 40)} is not an ISO 8601 UTC time` };
  const at = Date.parse(openedAt);
  if (!Number.isFinite(at)) return { why: `the incident's start ${quoted(openedAt, 40)} is not a real time` };
  return { value: new Date(at - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z") };
}

/** What CloudTrail's event history calls the actor (`Username`): a user's name, a session's name, "root". */
function lookupUserName(finding: Finding): Checked | Refusal {
  const { actor } = finding;
  if (actor.type === "Root") return { value: "root" };
  if (actor.type === "IAMUser") return userName(actor.principalName);
  if (actor.type === "AssumedRole") return checked("role session name", actor.sessionName, isRoleSessionName, "a valid role session name");
  if (actor.type === "FederatedUser") return checked("federated user name", actor.sessionName, isFederatedUserName, "a valid federated user name");
  return { why: `CloudTrail's event history cannot be searched by a ${quoted(actor.type ?? "unknown", 40)} caller's name` };
}

/**
 * Commands to see what the principal did and holds: its calls since an hour before the
 * incident opened (by name and by the access key it signed with), its keys and policies, and the
 * same for the finding's target. Deduplicated, in that order.
 */
export function investigationCommands(findings: readonly Finding[], openedAt: string | undefined): Investigation[] {
  const worst = findings[0];
  if (worst === undefined) return [];
  const out: Investigation[] = [];
  const seen = new Set<string>();
  const add = (purpose: string, result: Command) => {
    const key = result.ok ? result.text : `${purpose}|${result.why}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ purpose, command: result });
  };
  const since = startTime(openedAt);
  const where = region(worst.event.region);
  const lookup = (attribute: "Username" | "AccessKeyId", value: Checked | Refusal) => {
    // The CLI's shorthand reads "," and "=" as syntax, and IAM names and session names may hold
    // both: such a name would search for someone else's calls, so no command is given.
    const pair: Checked | Refusal =
      "why" in value
        ? value
        : /[,=]/.test(value.value)
          ? { why: `${quoted(value.value, 64)} holds "," or "=", which the CLI's shorthand would read as syntax` }
          : { value: `AttributeKey=${attribute},AttributeValue=${value.value}` };
    return command(["aws", "cloudtrail", "lookup-events", "--region", where, "--lookup-attributes", pair, "--start-time", since, "--max-results", "50"]);
  };
  const actor = worst.actor;
  const actorName = actor.type === "Root" ? "root" : quoted(actor.principalName ?? actor.arn, 64);
  add(`calls by ${actorName}, from an hour before the incident opened`, lookup("Username", lookupUserName(worst)));
  if (actor.accessKeyId !== undefined) add(`calls signed with the access key ${quoted(actor.accessKeyId, 40)} the actor used`, lookup("AccessKeyId", anyKey(actor.accessKeyId)));
  principalCommands(actorPrincipal(worst), "the actor", add);
  for (const finding of findings) {
    const target = finding.target;
    if (target === undefined) continue;
    if (target.accessKeyId !== undefined && target.kind !== "account") add(`calls signed with the access key ${quoted(target.accessKeyId, 40)} (the target's)`, lookup("AccessKeyId", anyKey(target.accessKeyId)));
    if (target.kind === "user" || target.kind === "access-key") principalCommands({ kind: "user", name: target.userName ?? target.name }, "the target", add);
    else if (target.kind === "role") principalCommands({ kind: "role", name: target.name }, "the target", add);
    else if (target.kind === "group") {
      const group = groupName(target.name);
      add(`what group ${quoted(target.name, 64)} grants and who is in it`, command(["aws", "iam", "get-group", "--group-name", group]));
      add("the group's managed policies", command(["aws", "iam", "list-attached-group-policies", "--group-name", group]));
      add("the group's inline policies", command(["aws", "iam", "list-group-policies", "--group-name", group]));
    }
    if (target.policyArn !== undefined && parseArn(target.policyArn)?.account !== "aws") {
      add(`the policy ${quoted(target.policyArn, 128)}`, command(["aws", "iam", "get-policy", "--policy-arn", policyArn(target.policyArn)]));
    }
    if (target.policyArn !== undefined) add(`who else holds ${quoted(target.policyArn, 128)}`, command(["aws", "iam", "list-entities-for-policy", "--policy-arn", policyArn(target.policyArn)]));
  }
  return out;
}

/** The actor as a user or role, when it is one. */
function actorPrincipal(finding: Finding): { kind: "user" | "role"; name: string | undefined } | undefined {
  const { actor } = finding;
  if (actor.type === "IAMUser") return { kind: "user", name: actor.principalName };
  if (actor.type === "AssumedRole") return { kind: "role", name: parseIamRoleArn(actor.sessionIssuerArn)?.name ?? actor.principalName };
  return undefined;
}

function principalCommands(who: { kind: "user" | "role"; name: string | undefined } | undefined, role: string, add: (purpose: string, result: Command) => void): void {
  if (who === undefined) return;
  const shown = `${who.kind} ${quoted(who.name, 64)} (${role})`;
  if (who.kind === "user") {
    const name = userName(who.name);
    add(`${shown}: its access keys (Status, created)`, command(["aws", "iam", "list-access-keys", "--user-name", name]));
    add(`${shown}: its managed policies`, command(["aws", "iam", "list-attached-user-policies", "--user-name", name]));
    add(`${shown}: its inline policies`, command(["aws", "iam", "list-user-policies", "--user-name", name]));
    add(`${shown}: its groups`, command(["aws", "iam", "list-groups-for-user", "--user-name", name]));
    return;
  }
  const name = roleName(who.name);
  add(`${shown}: its trust policy and last use`, command(["aws", "iam", "get-role", "--role-name", name]));
  add(`${shown}: its managed policies`, command(["aws", "iam", "list-attached-role-policies", "--role-name", name]));
  add(`${shown}: its inline policies`, command(["aws", "iam", "list-role-policies", "--role-name", name]));
}

/** The IAM console of a partition, when trailguard knows its address. */
const CONSOLES: Readonly<Record<string, string>> = {
  aws: "https://console.aws.amazon.com",
  "aws-us-gov": "https://console.amazonaws-us-gov.com",
  "aws-cn": "https://console.amazonaws.cn",
};

/** The IAM console page of a user or role, only for a valid name in a known partition. */
export function iamConsoleLink(kind: "user" | "role", name: string | undefined, partition: string): string | undefined {
  const base = Object.hasOwn(CONSOLES, partition) ? CONSOLES[partition] : undefined;
  if (base === undefined || !isIamName(name)) return undefined;
  return `${base}/iam/home#/${kind}s/details/${name}`;
}

/** Link to the event in the CloudTrail console, only when region and id look like AWS's own. */
export function consoleLink(finding: Finding): string | undefined {
  const { region: eventRegion, eventId, eventIdIsSynthetic } = finding.event;
  if (eventIdIsSynthetic || !eventRegion || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(eventRegion) || !/^[\w-]{1,64}$/.test(eventId)) return undefined;
  return `https://${eventRegion}.console.aws.amazon.com/cloudtrailv2/home?region=${eventRegion}#/events/${eventId}`;
}

/** A finding id as trailguard makes it (`<eventID>/<rule>`): the only kind the release command is given. */
const FINDING_ID = /^[\w.-]{1,128}\/[a-z0-9-]{1,64}$/;

/**
 * How to undo what trailguard changed, when it changed anything: the release command (recorded,
 * so its own calls are not contained again) and the same steps as AWS CLI commands.
 */
export function releaseLines(finding: Finding): string[] {
  const steps = finding.actions.flatMap((action) => action.undo ?? []);
  if (steps.length === 0) return [];
  const command = releaseCommand(finding);
  const release = command
    ? `  ${command}`
    : `  (no release command: the finding id ${quoted(finding.findingId, 80)} is not one trailguard made; release by the principal's ARN with npm run release)`;
  return [
    "If this was legitimate, release the containment (undoes exactly the changes above, and is recorded so it is not contained again):",
    release,
    "  or by hand, after `npm run release -- <id> --record-only`:",
    ...steps.map((step) => {
      const undo = undoCommand(step);
      return undo.ok ? `  ${undo.text}` : `  (no command: ${undo.why})`;
    }),
  ];
}

/** `npm run release -- '<finding id>'`, when trailguard changed something and the id is one it made. */
export function releaseCommand(finding: Finding): string | undefined {
  if (!finding.actions.some((action) => (action.undo ?? []).length > 0)) return undefined;
  return FINDING_ID.test(finding.findingId) ? `npm run release -- '${finding.findingId}'` : undefined;
}

function undoCommand(step: UndoStep): Command {
  switch (step.kind) {
    case "reactivate-access-key":
      return command(["aws", "iam", "update-access-key", "--user-name", userName(step.userName), "--access-key-id", longTermKey(step.accessKeyId), "--status", "Active"]);
    case "detach-policy": {
      const name = step.principal.kind === "user" ? userName(step.principal.name) : roleName(step.principal.name);
      return command(["aws", "iam", `detach-${step.principal.kind}-policy`, `--${step.principal.kind}-name`, name, "--policy-arn", policyArn(step.policyArn)]);
    }
    case "delete-inline-policy": {
      const name = step.principal.kind === "user" ? userName(step.principal.name) : roleName(step.principal.name);
      return command(["aws", "iam", `delete-${step.principal.kind}-policy`, `--${step.principal.kind}-name`, name, "--policy-name", checked("policy name", step.policyName, (value) => value !== undefined && /^[\w+=,.@-]{1,128}$/.test(value), "a valid IAM policy name")]);
    }
  }
}

/** The account a command must run in, for the prose around it. */
export function accountOf(target: ActionTarget): string | undefined {
  return isAccountId(target.account) ? target.account : undefined;
}
