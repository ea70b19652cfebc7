import { isAccountId, parseArn, parseAssumedRoleArn, parseFederatedUserArn, parseIamUserArn, parseRootArn } from "../arn/arn.js";
import type { Finding, Target } from "../model/finding.js";
import type { Severity } from "../model/severity.js";

/**
 * The one line an on-call reads first: who did what to what. `alertHeadline` is stored in the
 * incident's timeline, so a later update can rebuild the subject its page had (and mail clients
 * thread the two); subjects and SMS are built from it and the account, shortened least important
 * part first. Everything here is printable ASCII, and every name taken from the event is either
 * an IAM-style name shown bare or a quoted, character-restricted copy: a crafted name cannot read
 * as trailguard's own words, break a line or carry markup.
 */

/** SNS: subjects are ASCII, no control characters, under 100 characters. */
export const SUBJECT_MAX = 99;
/** A page's subject leaves room for "Re: ", so its updates thread under exactly the same subject. */
export const PAGE_SUBJECT_MAX = SUBJECT_MAX - 4;
/** A text message: one SMS segment of GSM-7 is 160; leave room for a sender prefix. */
export const SMS_MAX = 140;
/** A headline is bounded; the subject cuts it further when it must. */
export const HEADLINE_MAX = 160;
/** Names shown in a headline. */
const NAME_MAX = 40;
/** A role session's name is shown beside its role only when it is this short. */
const SESSION_MAX = 24;

/** Names as IAM and STS spell them (plus `:` and `/` of service principals), shown as they are. */
const BARE = /^[\w+=,.@:/-]+$/;

/** `alice`, or `"x?y"` for anything that is not a plain name: printable, restricted, bounded. */
export function headlineName(value: string | undefined, max = NAME_MAX): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (BARE.test(value)) return value.length <= max ? value : `${value.slice(0, max - 3)}...`;
  // No quotes, brackets, angle brackets, backticks, asterisks, pipes: nothing that closes the
  // quote or turns into markup where the subject is shown as markdown (Chatbot titles).
  const restricted = value.replace(/[^\w +=,.@:/-]/g, "?").replace(/\s+/g, " ");
  const clipped = restricted.length <= max ? restricted : `${restricted.slice(0, max - 3)}...`;
  return `"${clipped}"`;
}

/** Printable ASCII only, whitespace collapsed: what SNS accepts in a subject and an attribute. */
export function printableAscii(text: string): string {
  return text
    .replace(/[\t\n\r\u2028\u2029]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/ {2,}/g, " ")
    .trim();
}

/** Who acted, short: an IAM user's name, a role's (and its session's when short), "root", a service, or "someone". */
export function actorShort(finding: Finding): string {
  const { actor } = finding;
  if (actor.type === "Root" || parseRootArn(actor.arn)) return "root";
  if (actor.type === "AWSService") return headlineName(actor.invokedBy ?? actor.principalName) ?? "an AWS service";
  if (actor.type === "AssumedRole") {
    const session = parseAssumedRoleArn(actor.arn);
    const roleName = actor.principalName ?? session?.roleName;
    const sessionName = actor.sessionName ?? session?.sessionName;
    // An Identity Center session is a person: its session name is who they are.
    if (roleName !== undefined && /^AWSReservedSSO_/i.test(roleName) && sessionName !== undefined) {
      return headlineName(sessionName) ?? "someone";
    }
    const role = headlineName(roleName);
    if (role === undefined) return headlineName(sessionName) ?? "someone";
    const shortSession = sessionName !== undefined && sessionName.length <= SESSION_MAX && BARE.test(sessionName) && sessionName.toLowerCase() !== roleName?.toLowerCase();
    return shortSession ? `${role}/${sessionName}` : role;
  }
  if (actor.type === "FederatedUser") return headlineName(actor.sessionName ?? parseFederatedUserArn(actor.arn)?.name ?? actor.principalName) ?? "someone";
  if (actor.type === "IAMUser") return headlineName(actor.principalName ?? parseIamUserArn(actor.arn)?.name) ?? "someone";
  return headlineName(actor.principalName) ?? "someone";
}

/** A policy's name: the target's, else the last part of its ARN (`…:policy/path/Name` → `Name`). */
function policyName(target: Target | undefined): string | undefined {
  if (target?.policyName) return headlineName(target.policyName);
  const arn = parseArn(target?.policyArn);
  if (arn) return headlineName(arn.resource.slice(arn.resource.lastIndexOf("/") + 1));
  return target?.policyArn ? headlineName(target.policyArn) : undefined;
}

/** `newadmin` for a user (the common case, as in "to newadmin"), `role app`, `group admins`. */
function principalText(target: Target | undefined): string {
  const name = headlineName(target?.userName ?? target?.name);
  if (target === undefined || name === undefined) return "a principal";
  switch (target.kind) {
    case "user":
    case "access-key":
      return name;
    case "role":
      return `role ${name}`;
    case "group":
      return `group ${name}`;
    default:
      return `${target.kind} ${name}`;
  }
}

/** The user a key or password belongs to, for credential events. */
function userText(target: Target | undefined, finding: Finding): string {
  if (target?.kind === "account") return "root";
  const name = headlineName(target?.userName ?? target?.name);
  if (name !== undefined) return name;
  return finding.actor.type === "IAMUser" ? "themself" : "a user";
}

/** What an account-level target reads as: `everyone` for `*`, else the account. */
function accountTarget(target: Target | undefined): string | undefined {
  if (target?.kind !== "account") return undefined;
  if (target.name === "*") return "everyone";
  return isAccountId(target.name) ? target.name : headlineName(target.name);
}

/** [base form, past form, the rest]: "tried to attach …" or "attached …". */
type Phrase = readonly [base: string, past: string, rest: string];
type Describe = (finding: Finding) => Phrase;

const attach: Describe = ({ target }) => ["attach", "attached", `${policyName(target) ?? "a managed policy"} to ${principalText(target)}`];
const detach: Describe = ({ target }) => ["detach", "detached", `${policyName(target) ?? "a managed policy"} from ${principalText(target)}`];
const putInline: Describe = ({ target }) => ["put", "put", `inline policy ${policyName(target) ?? "(unnamed)"} on ${principalText(target)}`];
const deleteInline: Describe = ({ target }) => ["delete", "deleted", `inline policy ${policyName(target) ?? "(unnamed)"} from ${principalText(target)}`];
const putBoundary: Describe = ({ target }) => ["set", "set", `the permissions boundary of ${principalText(target)}`];
const deleteBoundary: Describe = ({ target }) => ["remove", "removed", `the permissions boundary of ${principalText(target)}`];
const fixed =
  (base: string, past: string, rest: string): Describe =>
  () => [base, past, rest];

/** The events the rules see most, in words. Anything else: "called <EventName> on <target>". */
const PHRASES: Readonly<Record<string, Describe>> = {
  AttachUserPolicy: attach,
  AttachRolePolicy: attach,
  AttachGroupPolicy: attach,
  DetachUserPolicy: detach,
  DetachRolePolicy: detach,
  DetachGroupPolicy: detach,
  PutUserPolicy: putInline,
  PutRolePolicy: putInline,
  PutGroupPolicy: putInline,
  DeleteUserPolicy: deleteInline,
  DeleteRolePolicy: deleteInline,
  DeleteGroupPolicy: deleteInline,
  PutUserPermissionsBoundary: putBoundary,
  PutRolePermissionsBoundary: putBoundary,
  DeleteUserPermissionsBoundary: deleteBoundary,
  DeleteRolePermissionsBoundary: deleteBoundary,
  CreatePolicy: ({ target }) => ["create", "created", `policy ${policyName(target) ?? "(unnamed)"}`],
  CreatePolicyVersion: ({ target }) => ["create", "created", `a new version of policy ${policyName(target) ?? "(unnamed)"}`],
  DeletePolicy: ({ target }) => ["delete", "deleted", `policy ${policyName(target) ?? "(unnamed)"}`],
  DeletePolicyVersion: ({ target }) => ["delete", "deleted", `a version of policy ${policyName(target) ?? "(unnamed)"}`],
  SetDefaultPolicyVersion: ({ target }) => ["switch", "switched", `the default version of policy ${policyName(target) ?? "(unnamed)"}`],
  CreateAccessKey: (finding) => ["create", "created", `an access key for ${userText(finding.target, finding)}`],
  UpdateAccessKey: (finding) =>
    finding.ruleId === "access-key-reactivated"
      ? ["reactivate", "reactivated", `an access key of ${userText(finding.target, finding)}`]
      : ["update", "updated", `an access key of ${userText(finding.target, finding)}`],
  CreateLoginProfile: (finding) => ["create", "created", `a console password for ${userText(finding.target, finding)}`],
  UpdateLoginProfile: (finding) => ["reset", "reset", `the console password of ${userText(finding.target, finding)}`],
  DeleteLoginProfile: (finding) => ["delete", "deleted", `the console password of ${userText(finding.target, finding)}`],
  UploadSSHPublicKey: (finding) => ["upload", "uploaded", `an SSH key for ${userText(finding.target, finding)}`],
  CreateServiceSpecificCredential: (finding) => ["create", "created", `a service credential for ${userText(finding.target, finding)}`],
  UploadSigningCertificate: (finding) => ["upload", "uploaded", `a signing certificate for ${userText(finding.target, finding)}`],
  AddUserToGroup: (finding) => ["add", "added", `${userText(finding.target, finding)} to a group`],
  CreateUser: ({ target }) => ["create", "created", `user ${headlineName(target?.name) ?? "(unnamed)"}`],
  CreateRole: ({ target }) => ["create", "created", `role ${headlineName(target?.name) ?? "(unnamed)"}`],
  UpdateAssumeRolePolicy: ({ target }) => ["change", "changed", `the trust policy of role ${headlineName(target?.name) ?? "(unnamed)"}`],
  StopLogging: fixed("stop", "stopped", "CloudTrail logging"),
  DeleteTrail: fixed("delete", "deleted", "a CloudTrail trail"),
  UpdateTrail: fixed("change", "changed", "a CloudTrail trail"),
  PutEventSelectors: fixed("change", "changed", "what CloudTrail records (event selectors)"),
  StopEventDataStoreIngestion: fixed("stop", "stopped", "a CloudTrail Lake event data store"),
  DeleteEventDataStore: fixed("delete", "deleted", "a CloudTrail Lake event data store"),
  ConsoleLogin: (finding) => ["sign in", "signed in", finding.ruleId === "console-login-without-mfa" ? "to the console without MFA" : "to the console"],
  AssumeRoot: ({ target }) => ["assume", "assumed", `root in ${accountTarget(target) ?? "a member account"}`],
  DeleteDetector: fixed("delete", "deleted", "a GuardDuty detector"),
  DisableSecurityHub: fixed("disable", "disabled", "Security Hub"),
  StopConfigurationRecorder: fixed("stop", "stopped", "the AWS Config recorder"),
  DeleteConfigurationRecorder: fixed("delete", "deleted", "the AWS Config recorder"),
  DeleteAnalyzer: fixed("delete", "deleted", "an IAM Access Analyzer analyzer"),
  ScheduleKeyDeletion: fixed("schedule", "scheduled", "a KMS key for deletion"),
  CreateSAMLProvider: fixed("create", "created", "a SAML identity provider"),
  UpdateSAMLProvider: fixed("change", "changed", "a SAML identity provider"),
  CreateOpenIDConnectProvider: fixed("create", "created", "an OIDC identity provider"),
};

/** What a resource-sharing call shared, by event: "a bucket", "an EBS snapshot". */
const SHARED_NOUNS: Readonly<Record<string, string>> = {
  PutBucketPolicy: "a bucket",
  PutBucketAcl: "a bucket",
  PutAccessPointPolicy: "an S3 access point",
  PutBucketReplication: "a bucket's replication",
  ModifySnapshotAttribute: "an EBS snapshot",
  ModifyImageAttribute: "an AMI",
  ModifyDBSnapshotAttribute: "an RDS snapshot",
  ModifyDBClusterSnapshotAttribute: "an RDS cluster snapshot",
  PutKeyPolicy: "a KMS key",
  CreateGrant: "a KMS key",
  PutResourcePolicy: "a resource policy",
  SetQueueAttributes: "a queue",
  SetTopicAttributes: "a topic",
  SetRepositoryPolicy: "a repository",
  AuthorizeSnapshotAccess: "a Redshift snapshot",
  ModifyDocumentPermission: "an SSM document",
  PutBackupVaultAccessPolicy: "a backup vault",
  PutFileSystemPolicy: "a file system",
};

/** "called <EventName> on <target>": honest when there is no better phrase. */
function fallback(finding: Finding): Phrase {
  const eventName = finding.event.eventName.replace(/[^A-Za-z0-9]/g, "").slice(0, 64) || "an API";
  const target = finding.target;
  const on =
    target === undefined
      ? ""
      : target.kind === "account"
        ? accountTarget(target) ? ` on account ${accountTarget(target)}` : ""
        : target.kind === "policy"
          ? ` on policy ${policyName(target) ?? "(unnamed)"}`
          : ` on ${principalText(target)}`;
  return ["call", "called", `${eventName}${on}`];
}

function phraseOf(finding: Finding): Phrase {
  const { eventName } = finding.event;
  if (finding.ruleId === "resource-shared-outside") {
    if (/PublicAccessBlock|BlockPublicAccess/.test(eventName)) return ["lower", "lowered", "Block Public Access"];
    const noun = (Object.hasOwn(SHARED_NOUNS, eventName) ? SHARED_NOUNS[eventName] : undefined) ?? "a resource";
    const to = accountTarget(finding.target);
    if (to === "everyone") return ["open", "opened", `${noun} to everyone`];
    if (to !== undefined) return ["share", "shared", `${noun} with ${to}`];
    return ["change", "changed", `who may use ${noun}`];
  }
  const describe = Object.hasOwn(PHRASES, eventName) ? PHRASES[eventName] : undefined;
  return describe ? describe(finding) : fallback(finding);
}

/**
 * `mallory attached AdministratorAccess to newadmin`, `Deployer/ci-42 changed the trust policy of
 * role app`, `mallory tried to attach AdministratorAccess to newadmin (AccessDenied)`: ASCII, no
 * severity, no account, at most HEADLINE_MAX characters.
 */
export function alertHeadline(finding: Finding): string {
  const who = actorShort(finding);
  const { event } = finding;
  // Rules that judge a pattern of events: the headline is the pattern, not its last event.
  if (finding.signals.includes("denied-calls-burst")) {
    const refused = headlineName(event.eventName, 40)?.replace(/^"|"$/g, "") ?? "calls";
    return clip(printableAscii(`${who} made a burst of refused calls (latest: ${refused})`));
  }
  if (finding.ruleId === "console-sign-in-failures") {
    return clip(printableAscii(`repeated failed console sign-ins (latest as ${who})`));
  }
  const [base, past, rest] = phraseOf(finding);
  const error = event.failed ? ` (${headlineName(event.errorCode ?? event.errorMessage, 48)?.replace(/^"|"$/g, "") ?? "failed"})` : "";
  return clip(printableAscii(event.failed ? `${who} tried to ${base} ${rest}${error}` : `${who} ${past} ${rest}`));
}

function clip(text: string): string {
  return text.length <= HEADLINE_MAX ? text : `${text.slice(0, HEADLINE_MAX - 3)}...`;
}

/** Where: `prod (111122223333)`, `111122223333`, or undefined when the event names no account. */
function whereText(account: string | undefined, accountName: string | undefined, withName: boolean): string | undefined {
  if (account === undefined || account === "") return undefined;
  const id = isAccountId(account) ? account : headlineName(account, 16);
  const name = withName && accountName ? headlineName(accountName, 32) : undefined;
  return name ? `${name} (${id})` : id;
}

/** What a page's subject is made of; an update rebuilds it from the page's timeline entry. */
export interface SubjectParts {
  readonly severity: Severity;
  readonly headline: string;
  readonly account: string | undefined;
  readonly accountName: string | undefined;
  /** Findings of the event besides the one the headline is about. */
  readonly more: number;
  readonly incidentId: string | undefined;
}

/**
 * `[CRITICAL] mallory attached AdministratorAccess to newadmin in prod (111122223333) [TG-…]`,
 * within `max`: dropped first the incident id, then the "+N more findings", then the account's
 * name; then the headline is cut. Severity and account id always stay.
 */
export function pageSubject(parts: SubjectParts, max = PAGE_SUBJECT_MAX): string {
  const severity = `[${parts.severity.toUpperCase()}]`;
  const headline = printableAscii(parts.headline) || "activity";
  const more = parts.more > 0 ? ` (+${parts.more} more finding${parts.more === 1 ? "" : "s"})` : "";
  const id = parts.incidentId && /^[\w-]{1,32}$/.test(parts.incidentId) ? ` [${parts.incidentId}]` : "";
  const named = whereText(parts.account, parts.accountName, true);
  const bare = whereText(parts.account, parts.accountName, false);
  const where = (text: string | undefined) => (text ? ` in ${text}` : "");
  const candidates = [
    `${severity} ${headline}${more}${where(named)}${id}`,
    `${severity} ${headline}${more}${where(named)}`,
    `${severity} ${headline}${where(named)}`,
    `${severity} ${headline}${where(bare)}`,
  ];
  const fitting = candidates.find((candidate) => candidate.length <= max);
  if (fitting) return fitting;
  const tail = where(bare);
  const room = max - severity.length - 1 - tail.length - 3;
  return `${severity} ${headline.slice(0, Math.max(room, 0)).trimEnd()}...${tail}`.slice(0, max);
}

/** `[CRITICAL] TG-… mallory attached AdministratorAccess to newadmin in prod`, at most SMS_MAX characters. */
export function smsText(parts: SubjectParts & { readonly kind: "page" | "update" }): string {
  const head = `[${parts.severity.toUpperCase()}]${parts.kind === "update" ? " update" : ""}${parts.incidentId && /^[\w-]{1,32}$/.test(parts.incidentId) ? ` ${parts.incidentId}` : ""}`;
  const more = parts.more > 0 ? ` (+${parts.more} more)` : "";
  const account = parts.accountName ? headlineName(parts.accountName, 32) : parts.account ? whereText(parts.account, undefined, false) : undefined;
  const where = account ? ` in ${account}` : "";
  const headline = printableAscii(parts.headline) || "activity";
  const full = `${head} ${headline}${more}${where}`;
  if (full.length <= SMS_MAX) return full;
  const room = SMS_MAX - head.length - 1 - where.length - 3;
  return `${head} ${headline.slice(0, Math.max(room, 0)).trimEnd()}...${where}`.slice(0, SMS_MAX);
}
