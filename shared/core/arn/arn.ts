/**
 * AWS identifier formats and ARN parsing, in one place. Everything taken from an event is
 * attacker-controlled: a parser here returns a structured value only when the text is exactly the
 * documented format, and undefined otherwise, so a crafted string can never pass for an account,
 * a principal or one of trailguard's resources.
 *
 * This module imports nothing: the model, CloudTrail, IAM, configuration and the edges all build
 * on it. IAM's meaning of these identifiers (service-managed roles, quarantine policies, name
 * comparison) lives in ../iam/identifiers.ts.
 *
 * Linear time on any input: ARNs are cut at their colons and slashes with indexOf, and every
 * regular expression is one anchored character class with a simple quantifier (no nested or
 * alternated quantifiers), so none can backtrack.
 */

// ---------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------

const ACCOUNT_ID = /^\d{12}$/;
/** IAM user and role names: 1–64 of letters, digits and +=,.@_-. */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
/** What lies between the slashes of a non-root IAM path: printable ASCII (IAM: `/` or `/…/`, 512 at most). */
const IAM_PATH_INNER = /^[\u0021-\u007e]{1,510}$/;
/**
 * Role session names (AssumeRole*, the name in an assumed-role ARN): STS's characters and 64 at
 * most. STS asks for 2 at least; one is accepted, as the parsers this replaced did and the
 * tests' records use ("x", "s"): STS never issues such an ARN, so nothing real depends on it.
 */
const ROLE_SESSION_NAME = /^[\w+=,.@-]{1,64}$/;
/** GetFederationToken's Name, the name in a federated-user ARN. */
const FEDERATED_USER_NAME = /^[\w+=,.@-]{2,32}$/;
/** Long-term access keys; ASIA… session keys cannot be deactivated with UpdateAccessKey. */
const LONG_TERM_ACCESS_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;
/** Any access key id a call can be signed with: long-term (AKIA…) or a session's (ASIA…). */
const ACCESS_KEY_ID = /^A[KS]IA[A-Z0-9]{12,124}$/;
const LOWER_WORD = /^[a-z]{1,16}$/;
const LOWER_ALNUM = /^[a-z0-9]{1,16}$/;
const DIGITS = /^\d{1,3}$/;
const SERVICE = /^[a-z0-9-]{1,64}$/;
/** SQS queue and SNS topic names: letters, digits, hyphens and underscores (`.fifo` aside). */
const QUEUE_OR_TOPIC_CHARS = /^[\w-]+$/;

const SQS_QUEUE_NAME_MAX = 80;
const SNS_TOPIC_NAME_MAX = 256;
const FIFO = ".fifo";

/** A 12-digit AWS account id. */
export function isAccountId(value: string | undefined): value is string {
  return value !== undefined && ACCOUNT_ID.test(value);
}

/** An IAM user or role name: `[\w+=,.@-]{1,64}`. */
export function isIamName(value: string | undefined): value is string {
  return value !== undefined && IAM_NAME.test(value);
}

/** An IAM group name: the same characters as a user or role name, up to 128 of them. */
export function isIamGroupName(value: string | undefined): value is string {
  return value !== undefined && /^[\w+=,.@-]{1,128}$/.test(value);
}

/** An IAM path as IAM writes it: `/`, or `/` + printable ASCII + `/`, 512 characters at most. */
export function isIamPath(value: string | undefined): value is string {
  if (value === undefined) return false;
  if (value === "/") return true;
  return value.length <= 512 && value.startsWith("/") && value.endsWith("/") && IAM_PATH_INNER.test(value.slice(1, -1));
}

/** A role session name: `[\w+=,.@-]{1,64}` (see ROLE_SESSION_NAME). */
export function isRoleSessionName(value: string | undefined): value is string {
  return value !== undefined && ROLE_SESSION_NAME.test(value);
}

/** A federated user's name (GetFederationToken): `[\w+=,.@-]{2,32}`. */
export function isFederatedUserName(value: string | undefined): value is string {
  return value !== undefined && FEDERATED_USER_NAME.test(value);
}

/** A long-term (AKIA…) access key id, the only kind UpdateAccessKey can deactivate. */
export function isLongTermAccessKeyId(value: string | undefined): value is string {
  return value !== undefined && LONG_TERM_ACCESS_KEY_ID.test(value);
}

/** A long-term (AKIA…) or temporary (ASIA…) access key id, e.g. to look up what a key signed. */
export function isAccessKeyId(value: string | undefined): value is string {
  return value !== undefined && ACCESS_KEY_ID.test(value);
}

/**
 * An AWS partition: `aws`, or `aws-` and lowercase words (aws-cn, aws-us-gov, aws-iso,
 * aws-iso-b, aws-eusc…), so a new partition needs no change here.
 */
export function isPartition(value: string | undefined): value is string {
  if (value === undefined || value.length > 32) return false;
  const [first, ...rest] = value.split("-");
  return first === "aws" && rest.every((word) => LOWER_WORD.test(word));
}

/**
 * An AWS region: lowercase words joined by hyphens, a word of letters first and a number last,
 * at least three parts (us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1).
 */
export function isRegion(value: string | undefined): value is string {
  if (value === undefined || value.length > 32) return false;
  const parts = value.split("-");
  const last = parts[parts.length - 1];
  return parts.length >= 3 && LOWER_WORD.test(parts[0] ?? "") && DIGITS.test(last ?? "") && parts.every((part) => LOWER_ALNUM.test(part));
}

/** An SQS queue name: 80 characters at most of `[\w-]`, a FIFO queue's ending in `.fifo`. */
export function isSqsQueueName(value: string | undefined): value is string {
  return value !== undefined && queueOrTopicName(value, SQS_QUEUE_NAME_MAX) !== undefined;
}

/** A standard or FIFO queue or topic name within `max` characters (suffix included): whether it is FIFO, or undefined. */
function queueOrTopicName(value: string, max: number): { fifo: boolean } | undefined {
  if (value.length > max) return undefined;
  const fifo = value.endsWith(FIFO);
  const base = fifo ? value.slice(0, -FIFO.length) : value;
  return QUEUE_OR_TOPIC_CHARS.test(base) ? { fifo } : undefined;
}

// ---------------------------------------------------------------------------------------------
// ARNs
// ---------------------------------------------------------------------------------------------

/** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  /** "" for global services (IAM, STS). */
  readonly region: string;
  /** A 12-digit account id, "" (S3 buckets and the like) or "aws" (AWS managed policies). */
  readonly account: string;
  /** Everything after the fifth colon, colons and slashes included; never empty. */
  readonly resource: string;
}

/** Any well-formed ARN: a known partition shape, a service, a region or none, an account or none, a resource. */
export function parseArn(text: string | undefined): Arn | undefined {
  if (text === undefined || !text.startsWith("arn:")) return undefined;
  const fields: string[] = [];
  let start = 4;
  for (let field = 0; field < 4; field++) {
    const end = text.indexOf(":", start);
    if (end < 0) return undefined;
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  const [partition = "", service = "", region = "", account = ""] = fields;
  const resource = text.slice(start);
  if (!isPartition(partition) || !SERVICE.test(service) || resource === "") return undefined;
  if (region !== "" && !isRegion(region)) return undefined;
  if (account !== "" && account !== "aws" && !isAccountId(account)) return undefined;
  return { partition, service, region, account, resource };
}

/** A global (region-less) IAM or STS ARN of a 12-digit account. */
function parseAccountArn(text: string | undefined, service: "iam" | "sts"): Arn | undefined {
  const arn = parseArn(text);
  return arn && arn.service === service && arn.region === "" && isAccountId(arn.account) ? arn : undefined;
}

export type IamPrincipalKind = "user" | "role";

/** An IAM user or role ARN: `arn:<partition>:iam::<account>:<kind><path><name>`. */
export interface IamPrincipalArn {
  readonly partition: string;
  readonly account: string;
  readonly kind: IamPrincipalKind;
  /** "/" or "/admins/": as IAM writes paths. */
  readonly path: string;
  readonly name: string;
}

/** A user or role ARN, path included; the name and path must be IAM's (see isIamName, isIamPath). */
export function parseIamPrincipalArn(text: string | undefined): IamPrincipalArn | undefined {
  const arn = parseAccountArn(text, "iam");
  if (!arn) return undefined;
  const slash = arn.resource.indexOf("/");
  const kind = arn.resource.slice(0, slash);
  if (slash < 0 || (kind !== "user" && kind !== "role")) return undefined;
  const last = arn.resource.lastIndexOf("/");
  const path = arn.resource.slice(slash, last + 1);
  const name = arn.resource.slice(last + 1);
  if (!isIamPath(path) || !isIamName(name)) return undefined;
  return { partition: arn.partition, account: arn.account, kind, path, name };
}

export type IamUserArn = IamPrincipalArn & { readonly kind: "user" };
export type IamRoleArn = IamPrincipalArn & { readonly kind: "role" };

/** `arn:<partition>:iam::<account>:user/[<path>/]<name>`. */
export function parseIamUserArn(text: string | undefined): IamUserArn | undefined {
  const principal = parseIamPrincipalArn(text);
  return principal?.kind === "user" ? (principal as IamUserArn) : undefined;
}

/** `arn:<partition>:iam::<account>:role/[<path>/]<name>`. */
export function parseIamRoleArn(text: string | undefined): IamRoleArn | undefined {
  const principal = parseIamPrincipalArn(text);
  return principal?.kind === "role" ? (principal as IamRoleArn) : undefined;
}

/** An account's root user: `arn:<partition>:iam::<account>:root`. */
export interface RootArn {
  readonly partition: string;
  readonly account: string;
}

export function parseRootArn(text: string | undefined): RootArn | undefined {
  const arn = parseAccountArn(text, "iam");
  return arn?.resource === "root" ? { partition: arn.partition, account: arn.account } : undefined;
}

/** A role session: `arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>` (no role path). */
export interface AssumedRoleArn {
  readonly partition: string;
  readonly account: string;
  readonly roleName: string;
  readonly sessionName: string;
}

export function parseAssumedRoleArn(text: string | undefined): AssumedRoleArn | undefined {
  const arn = parseAccountArn(text, "sts");
  const prefix = "assumed-role/";
  if (!arn?.resource.startsWith(prefix)) return undefined;
  const rest = arn.resource.slice(prefix.length);
  const slash = rest.indexOf("/");
  if (slash < 0) return undefined;
  const roleName = rest.slice(0, slash);
  const sessionName = rest.slice(slash + 1);
  if (!isIamName(roleName) || !isRoleSessionName(sessionName)) return undefined;
  return { partition: arn.partition, account: arn.account, roleName, sessionName };
}

/** A federated user (GetFederationToken): `arn:<partition>:sts::<account>:federated-user/<name>`. */
export interface FederatedUserArn {
  readonly partition: string;
  readonly account: string;
  readonly name: string;
}

export function parseFederatedUserArn(text: string | undefined): FederatedUserArn | undefined {
  const arn = parseAccountArn(text, "sts");
  const prefix = "federated-user/";
  if (!arn?.resource.startsWith(prefix)) return undefined;
  const name = arn.resource.slice(prefix.length);
  return isFederatedUserName(name) ? { partition: arn.partition, account: arn.account, name } : undefined;
}

/** An SQS queue (`arn:<partition>:sqs:<region>:<account>:<name>`) or SNS topic ARN. */
export interface QueueOrTopicArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly fifo: boolean;
}

function parseQueueOrTopicArn(text: string | undefined, service: "sqs" | "sns", max: number): QueueOrTopicArn | undefined {
  const arn = parseArn(text);
  if (!arn || arn.service !== service || !isRegion(arn.region) || !isAccountId(arn.account)) return undefined;
  const name = queueOrTopicName(arn.resource, max);
  return name ? { partition: arn.partition, region: arn.region, account: arn.account, name: arn.resource, fifo: name.fifo } : undefined;
}

/** `arn:<partition>:sqs:<region>:<account>:<name>`: 80 characters of `[\w-]`, `.fifo` included. */
export function parseSqsQueueArn(text: string | undefined): QueueOrTopicArn | undefined {
  return parseQueueOrTopicArn(text, "sqs", SQS_QUEUE_NAME_MAX);
}

/** `arn:<partition>:sns:<region>:<account>:<name>`: 256 characters of `[\w-]`, `.fifo` included. */
export function parseSnsTopicArn(text: string | undefined): QueueOrTopicArn | undefined {
  return parseQueueOrTopicArn(text, "sns", SNS_TOPIC_NAME_MAX);
}

/** The account and queue name a queue URL addresses. */
export interface SqsQueueUrl {
  readonly account: string;
  readonly name: string;
}

/**
 * A queue URL as events carry it: `https://sqs.<region>.amazonaws.com/<account>/<name>` or a
 * legacy host, the scheme optional, then an optional `/`, query or fragment.
 */
export function parseSqsQueueUrl(text: string | undefined): SqsQueueUrl | undefined {
  if (text === undefined) return undefined;
  const scheme = text.startsWith("https://") ? 8 : text.startsWith("http://") ? 7 : 0;
  const hostEnd = text.indexOf("/", scheme);
  if (hostEnd <= scheme) return undefined;
  const account = text.slice(hostEnd + 1, hostEnd + 13);
  if (!isAccountId(account) || text[hostEnd + 13] !== "/") return undefined;
  const rest = text.slice(hostEnd + 14);
  const end = firstIndexOf(rest, ["/", "?", "#"]);
  const name = rest.slice(0, end);
  const tail = rest.slice(end);
  const afterSlash = tail.startsWith("/") ? tail.slice(1) : tail;
  if (afterSlash !== "" && !afterSlash.startsWith("?") && !afterSlash.startsWith("#")) return undefined;
  return isSqsQueueName(name) ? { account, name } : undefined;
}

function firstIndexOf(text: string, needles: readonly string[]): number {
  let first = text.length;
  for (const needle of needles) {
    const at = text.indexOf(needle);
    if (at >= 0 && at < first) first = at;
  }
  return first;
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/** `arn:<partition>:iam::<account>:<kind><path><name>`; without a path, `/`. */
export function iamPrincipalArn(principal: { readonly partition: string; readonly account: string; readonly kind: IamPrincipalKind; readonly path?: string; readonly name: string }): string {
  return `arn:${principal.partition}:iam::${principal.account}:${principal.kind}${principal.path ?? "/"}${principal.name}`;
}

/** The ARN of a role that sessions show (sessions name the role without its path). */
export function roleArnOfSession(session: AssumedRoleArn): string {
  return iamPrincipalArn({ partition: session.partition, account: session.account, kind: "role", name: session.roleName });
}

/** The prefix every session ARN of a role starts with: `arn:<partition>:sts::<account>:assumed-role/<name>/`. */
export function assumedRoleArnPrefix(role: { readonly partition: string; readonly account: string; readonly name: string }): string {
  return `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/`;
}
