import { quoted } from "../model/untrusted.js";
import { IAM_READ_ACTIONS, IAM_WRITE_ACTIONS, PASS_ROLE_COMPUTE_ACTIONS, STS_ACTIONS } from "./iam-actions.generated.js";
import { type PolicyDocument, type PolicyStatement, wildcardMatches } from "./policy-document.js";

/**
 * What an identity policy grants, reduced to what decides severity: is it admin-equivalent,
 * and does it hand out privilege-escalation permissions. Deny statements are ignored (they only
 * take away); conditions do not lower the verdict (they are often trivially satisfiable) but are
 * reported.
 *
 * Action patterns are expanded against the real action names (iam-actions.generated.ts, from the
 * AWS Service Authorization Reference), case-insensitively, `*` and `?` included, so no spelling
 * of "every IAM action" (`i*:*`, `I?M:*`, `iam:A*` + `iam:B*` + …) passes for a narrow grant, and a
 * name IAM does not have grants nothing. Patterns are matched by policy-document's linear
 * wildcard matcher, never turned into regular expressions.
 */
export interface PermissionVerdict {
  readonly adminEquivalent: boolean;
  /** Human-readable reasons, one per offending statement. */
  readonly adminReasons: readonly string[];
  /** Escalation actions (ESCALATION_ACTIONS) granted on a broad resource. */
  readonly escalationActions: readonly string[];
  /** Broad grants short of admin-equivalent: NotAction that leaves every action but IAM's writes. */
  readonly broadReasons: readonly string[];
  /** Action patterns (as written) that name no IAM or STS action there is, or no action at all: they grant nothing. */
  readonly unknownActions: readonly string[];
  readonly conditional: boolean;
}

/** The IAM resource an escalation action acts on: the resource pattern must cover every one of them. */
export type IamResourceKind = "user" | "role" | "group" | "policy";

export interface EscalationAction {
  readonly action: string;
  readonly resource: IamResourceKind;
  /**
   * On a broad resource, the holder can grant itself (or an identity it controls) anything:
   * admin-equivalent. The others are one step away (iam:PassRole becomes admin-equivalent with
   * an action that creates or runs compute, sts:AssumeRole reaches as far as trust policies let it).
   */
  readonly selfGrant: boolean;
}

/** Actions that, on a broad resource, let a principal raise its own privileges (iam-actions.test.ts checks them against the data). */
export const ESCALATION_ACTIONS: readonly EscalationAction[] = [
  { action: "iam:AttachUserPolicy", resource: "user", selfGrant: true },
  { action: "iam:AttachRolePolicy", resource: "role", selfGrant: true },
  { action: "iam:AttachGroupPolicy", resource: "group", selfGrant: true },
  { action: "iam:PutUserPolicy", resource: "user", selfGrant: true },
  { action: "iam:PutRolePolicy", resource: "role", selfGrant: true },
  { action: "iam:PutGroupPolicy", resource: "group", selfGrant: true },
  { action: "iam:CreatePolicyVersion", resource: "policy", selfGrant: true },
  { action: "iam:SetDefaultPolicyVersion", resource: "policy", selfGrant: true },
  { action: "iam:CreateAccessKey", resource: "user", selfGrant: true },
  { action: "iam:CreateLoginProfile", resource: "user", selfGrant: true },
  { action: "iam:UpdateLoginProfile", resource: "user", selfGrant: true },
  { action: "iam:UpdateAssumeRolePolicy", resource: "role", selfGrant: true },
  { action: "iam:AddUserToGroup", resource: "group", selfGrant: true },
  { action: "iam:DeleteUserPermissionsBoundary", resource: "user", selfGrant: true },
  { action: "iam:DeleteRolePermissionsBoundary", resource: "role", selfGrant: true },
  { action: "iam:PutUserPermissionsBoundary", resource: "user", selfGrant: true },
  { action: "iam:PutRolePermissionsBoundary", resource: "role", selfGrant: true },
  { action: "iam:PassRole", resource: "role", selfGrant: false },
  { action: "sts:AssumeRole", resource: "role", selfGrant: false },
];

const PASS_ROLE = "iam:PassRole";

/** A real action, lower-cased for matching (IAM compares action names case-insensitively). */
interface KnownAction {
  readonly name: string;
  readonly service: string;
  readonly action: string;
  /** Its place in UNIVERSE. */
  readonly index: number;
  /** The characters its action part holds (charMask). */
  readonly mask: number;
}

/** Every action this module knows: all of IAM's and STS's, and the compute actions PassRole pairs with. */
const UNIVERSE: KnownAction[] = [];

function known(name: string): KnownAction {
  const colon = name.indexOf(":");
  const action = name.slice(colon + 1).toLowerCase();
  const entry = { name, service: name.slice(0, colon).toLowerCase(), action, index: UNIVERSE.length, mask: charMask(action) };
  UNIVERSE.push(entry);
  return entry;
}

/**
 * One bit per letter, one for any digit, one for anything else: a pattern whose fixed characters
 * an action lacks cannot match it (a cheap test before the matcher).
 */
function charMask(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 || c === 63) continue; // `*` and `?` are not fixed characters
    if (c >= 97 && c <= 122) mask |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) mask |= 1 << 26;
    else mask |= 1 << 27;
  }
  return mask;
}

const IAM_WRITES = IAM_WRITE_ACTIONS.map((name) => known(`iam:${name}`));
const IAM_READS = IAM_READ_ACTIONS.map((name) => known(`iam:${name}`));
const IAM_ALL = [...IAM_WRITES, ...IAM_READS];
const IAM_INDEXES: ReadonlySet<number> = new Set(IAM_ALL.map((action) => action.index));
const STS_ALL = STS_ACTIONS.map((name) => known(`sts:${name}`));
const COMPUTE = PASS_ROLE_COMPUTE_ACTIONS.map(known);
// Every escalation action is in the generated lists (iam-actions.test.ts checks); one that left them is still matched.
for (const { action } of ESCALATION_ACTIONS) if (!UNIVERSE.some((entry) => entry.name.toLowerCase() === action.toLowerCase())) known(action);
const BY_NAME = new Map<string, KnownAction>();
const BY_SERVICE = new Map<string, KnownAction[]>();
for (const action of UNIVERSE) {
  BY_NAME.set(`${action.service}:${action.action}`, action);
  const actions = BY_SERVICE.get(action.service);
  if (actions) actions.push(action);
  else BY_SERVICE.set(action.service, [action]);
}
/** Services whose every action the generated module holds: a pattern naming one of them and matching none of its actions is unknown. */
const FULL_SERVICES: ReadonlySet<string> = new Set(["iam", "sts"]);
const ESCALATION = ESCALATION_ACTIONS.map((entry) => ({ ...entry, known: knownAction(entry.action) }));
const PASS_ROLE_ACTION = knownAction(PASS_ROLE);

/** A name UNIVERSE holds (every escalation action is put there above). */
function knownAction(name: string): KnownAction {
  return BY_NAME.get(name.toLowerCase()) ?? known(name);
}

/** An Action/NotAction pattern, read once per statement, with the known actions it matches. */
interface ActionPattern {
  readonly text: string;
  /** `*`, `*:*` and the like: every action of every service. */
  readonly everything: boolean;
  /** Could name an action this module does not hold (another service, or a service part with wildcards). */
  readonly open: boolean;
  /** Indexes in UNIVERSE of the known actions it matches (every one when `everything`). */
  readonly hits: readonly number[];
}

/**
 * Each distinct pattern (lower-cased, runs of `*` collapsed, which changes no match) is matched
 * once against the known actions it could reach: an exact name by look-up, a wildcard against its
 * service's actions (every service's when the service part has wildcards), after a character
 * test. An action name has one colon, so a pattern with one colon matches it exactly when its
 * service part matches the service and its action part the action; without a colon only `*`
 * matches, with two nothing does.
 */
function compilePatterns(texts: readonly string[]): ActionPattern[] {
  const patterns = new Map<string, ActionPattern>();
  for (const text of texts) {
    const lower = text.toLowerCase().replace(/\*+/g, "*");
    if (patterns.has(lower)) continue;
    const colon = lower.indexOf(":");
    if (colon < 0 || lower.includes(":", colon + 1)) {
      const everything = lower === "*";
      patterns.set(lower, { text, everything, open: false, hits: everything ? UNIVERSE.map((action) => action.index) : [] });
      continue;
    }
    const service = lower.slice(0, colon);
    const action = lower.slice(colon + 1);
    if (service === "*" && action === "*") {
      patterns.set(lower, { text, everything: true, open: false, hits: UNIVERSE.map((entry) => entry.index) });
      continue;
    }
    const serviceWild = service.includes("*") || service.includes("?");
    const open = serviceWild || !FULL_SERVICES.has(service);
    if (!serviceWild && !action.includes("*") && !action.includes("?")) {
      const exact = BY_NAME.get(lower);
      patterns.set(lower, { text, everything: false, open, hits: exact ? [exact.index] : [] });
      continue;
    }
    const fixed = action.length - countStars(action);
    const mask = charMask(action);
    const candidates = serviceWild ? UNIVERSE : (BY_SERVICE.get(service) ?? []);
    const hits: number[] = [];
    for (const entry of candidates) {
      if (fixed > entry.action.length || (mask & ~entry.mask) !== 0) continue;
      if ((!serviceWild || wildcardMatches(service, entry.service, false)) && wildcardMatches(action, entry.action, false)) hits.push(entry.index);
    }
    patterns.set(lower, { text, everything: false, open, hits });
  }
  return [...patterns.values()];
}

function countStars(text: string): number {
  let stars = 0;
  for (const c of text) if (c === "*") stars++;
  return stars;
}

/** Which known actions the statement grants: those its Action patterns match, or those its NotAction patterns do not. */
function grantedActions(patterns: readonly ActionPattern[], excluding: boolean): Uint8Array {
  const granted = new Uint8Array(UNIVERSE.length).fill(excluding ? 1 : 0);
  for (const pattern of patterns) for (const index of pattern.hits) granted[index] = excluding ? 0 : 1;
  return granted;
}

/** Patterns that name an IAM or STS action there is not (or no action at all): they grant nothing. */
function unknownPatterns(patterns: readonly ActionPattern[]): string[] {
  return patterns.filter((pattern) => !pattern.everything && !pattern.open && pattern.hits.length === 0).map((pattern) => pattern.text);
}

/** Which resources a statement can reach at all. */
type ResourceScope =
  /** NotResource excludes everything ("*"): the statement grants nothing. */
  | "nothing"
  /**
   * NotResource excludes every ARN ("arn:*"): only actions that take no resource remain, and no
   * escalation action, IAM's or PassRole's, is one of those (iam-actions.test.ts checks).
   */
  | "unscoped-only"
  | "resources";

/**
 * The identity the document is written to (PutUserPolicy's user, PutRolePolicy's role,
 * PutGroupPolicy's group), when the event names it: a self-granting action on a resource that
 * covers the grantee itself (`user/bob` for bob, `user/${aws:username}`, `role/app-*` for role
 * app-deployer) lets it grant itself anything, as one on every user would.
 */
export interface Grantee {
  readonly kind: "user" | "role" | "group";
  readonly name: string;
}

export function analysePermissions(document: PolicyDocument, grantee?: Grantee): PermissionVerdict {
  const adminReasons: string[] = [];
  const broadReasons: string[] = [];
  const escalation = new Set<string>();
  const unknown = new Set<string>();
  let conditional = false;
  /** Statements granting iam:PassRole on every role without being admin-equivalent already. */
  const passRole: Array<{ readonly label: string; readonly statement: PolicyStatement; readonly patterns: readonly ActionPattern[] }> = [];
  /** Compute actions granted anywhere in the document, on any resource: the attacker names the function or instance. */
  const compute = new Map<string, { readonly label: string; readonly conditional: boolean }>();

  for (const [index, statement] of document.statements.entries()) {
    if (statement.effect !== "Allow") continue;
    const label = statement.sid ? `statement ${quoted(statement.sid)}` : `statement ${index + 1}`;
    const excluding = statement.notActions !== undefined;
    const patterns = compilePatterns(statement.notActions ?? statement.actions);
    if (!excluding) for (const text of unknownPatterns(patterns)) unknown.add(text);
    const scope = resourceScope(statement);
    if (scope === "nothing") continue;
    const granted = grantedActions(patterns, excluding);
    const grants = (action: KnownAction) => granted[action.index] === 1;

    for (const action of COMPUTE) {
      if (!compute.has(action.name) && grants(action)) compute.set(action.name, { label, conditional: statement.conditions.size > 0 });
    }
    if (scope === "unscoped-only") continue;

    const broad = broadness(statement);
    const onSelf = coversGrantee(statement, grantee);
    // On the grantee itself only the actions that change permissions count: a key or password
    // for oneself adds no power.
    const escalating = ESCALATION.filter((entry) => (broad(entry.resource) || (onSelf(entry.resource) && PERMISSION_CHANGING.has(entry.action))) && grants(entry.known));
    for (const entry of escalating) escalation.add(entry.action);
    const selfGrant = escalating.filter((entry) => entry.selfGrant).map((entry) => entry.known);
    const onEveryIamResource = broad("user") && broad("role") && broad("group") && broad("policy");

    const admin = excluding
      ? notActionVerdict(statement, patterns, grants, onEveryIamResource, selfGrant)
      : actionVerdict(statement, patterns, grants, onEveryIamResource, selfGrant);
    if (admin?.kind === "admin") {
      adminReasons.push(`${label}: ${admin.text}`);
      if (statement.conditions.size > 0) conditional = true;
      continue;
    }
    if (admin?.kind === "broad") broadReasons.push(`${label}: ${admin.text}`);
    if (escalating.some((entry) => entry.action === PASS_ROLE)) passRole.push({ label, statement, patterns });
  }

  // iam:PassRole on every role, with an action that creates or runs compute: code runs as any role, an administrator's included.
  if (compute.size > 0) {
    for (const { label, statement, patterns } of passRole) {
      const runs = [...compute.entries()];
      const elsewhere = [...new Set(runs.map(([, where]) => where.label).filter((where) => where !== label))];
      const passing = statement.notActions !== undefined ? `NotAction [${listText(statement.notActions.map((text) => quoted(text)))}]` : patternsText(patterns, [PASS_ROLE_ACTION]);
      adminReasons.push(
        `${label}: Allow ${passing} on ${resourceText(statement)} grants ${PASS_ROLE}, and ${listText(runs.map(([name]) => name))}${elsewhere.length > 0 ? ` (${elsewhere.join(", ")})` : ""} creates or runs compute: it can run code as any role it may pass`,
      );
      if (statement.conditions.size > 0 || runs.some(([, where]) => where.conditional)) conditional = true;
    }
  }

  return {
    adminEquivalent: adminReasons.length > 0,
    adminReasons,
    escalationActions: [...escalation],
    broadReasons,
    unknownActions: [...unknown],
    conditional,
  };
}

type StatementVerdict = { readonly kind: "admin" | "broad"; readonly text: string } | undefined;

function actionVerdict(
  statement: PolicyStatement,
  patterns: readonly ActionPattern[],
  grants: (action: KnownAction) => boolean,
  onEveryIamResource: boolean,
  selfGrant: readonly KnownAction[],
): StatementVerdict {
  const on = resourceText(statement);
  if (onEveryIamResource) {
    const everything = patterns.find((pattern) => pattern.everything);
    if (everything) return { kind: "admin", text: `Allow ${quoted(everything.text)} on ${on}` };
    const alone = patterns.find((pattern) => pattern.hits.filter((index) => IAM_INDEXES.has(index)).length === IAM_ALL.length);
    if (alone) return { kind: "admin", text: `Allow ${quoted(alone.text)} on ${on} (every IAM action)` };
    if (IAM_ALL.every(grants)) return { kind: "admin", text: `Allow ${patternsText(patterns, IAM_ALL)} on ${on} (together every IAM action)` };
  }
  if (selfGrant.length > 0) return { kind: "admin", text: `Allow ${patternsText(patterns, selfGrant)} on ${on} grants ${selfGrantText(selfGrant)}` };
  return undefined;
}

function notActionVerdict(
  statement: PolicyStatement,
  patterns: readonly ActionPattern[],
  grants: (action: KnownAction) => boolean,
  onEveryIamResource: boolean,
  selfGrant: readonly KnownAction[],
): StatementVerdict {
  // NotAction ["*"] or ["*:*"] excludes every action: nothing is granted.
  if (patterns.some((pattern) => pattern.everything)) return undefined;
  const written = `Allow NotAction [${listText((statement.notActions ?? []).map((text) => quoted(text)))}] on ${resourceText(statement)}`;
  if (onEveryIamResource) {
    const writes = IAM_WRITES.filter(grants);
    if (writes.length > 0) {
      // The self-granting ones first: they are what makes it admin-equivalent at a glance.
      const named = [...new Set([...selfGrant.map((action) => action.name), ...writes.map((action) => action.name)])];
      return { kind: "admin", text: `${written} (every action but those, ${writes.length} of ${IAM_WRITES.length} IAM write actions included: ${listText(named)})` };
    }
    const reads = IAM_READS.filter(grants).length;
    const sts = STS_ALL.filter(grants).map((action) => action.name);
    const remains = [
      reads > 0 ? `${reads} of ${IAM_READS.length} IAM read and list actions` : "no IAM action",
      sts.length > 0 ? `${sts.length} STS actions (${listText(sts.sort(stsFirst))})` : "no STS action",
      "every action of other services it does not name",
    ];
    return { kind: "broad", text: `${written} excludes every IAM write action; what remains: ${remains.join(", ")}` };
  }
  if (selfGrant.length > 0) return { kind: "admin", text: `${written} grants ${selfGrantText(selfGrant)}` };
  return undefined;
}

/** sts:AssumeRole first: it is the STS action that reaches further. */
function stsFirst(a: string, b: string): number {
  return Number(b === "sts:AssumeRole") - Number(a === "sts:AssumeRole");
}

function selfGrantText(actions: readonly KnownAction[]): string {
  return `${actions.map((action) => action.name).join(", ")}: the holder can grant itself (or an identity it controls) anything`;
}

/** The statement's patterns (as written, quoted) that match at least one of these actions. */
function patternsText(patterns: readonly ActionPattern[], actions: readonly KnownAction[]): string {
  const wanted = new Set(actions.map((action) => action.index));
  const used = patterns.filter((pattern) => pattern.hits.some((index) => wanted.has(index))).map((pattern) => quoted(pattern.text));
  return used.length === 1 ? (used[0] ?? "") : `[${listText(used)}]`;
}

/** At most five items, then how many more. */
function listText(items: readonly string[], max = 5): string {
  return items.length > max ? `${items.slice(0, max).join(", ")}, … (${items.length - max} more)` : items.join(", ");
}

function resourceText(statement: PolicyStatement): string {
  if (statement.notResources !== undefined) return `NotResource [${listText(statement.notResources.map((resource) => quoted(resource)))}]`;
  return statement.resources.length === 1 ? quoted(statement.resources[0]) : `[${listText(statement.resources.map((resource) => quoted(resource)))}]`;
}

function resourceScope(statement: PolicyStatement): ResourceScope {
  if (statement.notResources === undefined) return "resources";
  if (statement.notResources.some(isAllStars)) return "nothing";
  if (statement.notResources.some(matchesEveryArn)) return "unscoped-only";
  return "resources";
}

function isAllStars(pattern: string): boolean {
  return pattern.length > 0 && countStars(pattern) === pattern.length;
}

/**
 * Does this (NotResource) pattern match every ARN there is? Strict, since a yes means the
 * statement grants nothing: "arn" (or a prefix of it) then only `*` and single colons, ending in
 * `*`, with at most five colons (every ARN has at least five: arn:partition:service:region:account:resource).
 * A `?` never counts (it needs a character; the region and account can be empty).
 */
function matchesEveryArn(pattern: string): boolean {
  let prefix = 0;
  while (prefix < 3 && pattern[prefix] === "arn"[prefix]) prefix++;
  const rest = pattern.slice(prefix);
  if (rest === "" || !rest.endsWith("*") || rest.includes("::")) return false;
  if (rest.startsWith(":") && prefix < 3) return false;
  let colons = 0;
  for (const c of rest) {
    if (c === ":") colons++;
    else if (c !== "*") return false;
  }
  return colons <= 5;
}

/** Per statement, per IAM resource kind: does Resource (or NotResource) reach every user, role, group or policy? */
function broadness(statement: PolicyStatement): (kind: IamResourceKind) => boolean {
  const cache = new Map<IamResourceKind, boolean>();
  // NotResource that does not exclude everything (resourceScope) leaves a broad set: whatever it excludes, the rest is open.
  const normalised = statement.notResources !== undefined ? undefined : statement.resources.map(normaliseArnPattern);
  return (kind) => {
    let broad = cache.get(kind);
    if (broad === undefined) {
      broad = normalised === undefined || normalised.some((resource) => WITNESSES[kind].every((arn) => wildcardMatches(resource, arn, false)));
      cache.set(kind, broad);
    }
    return broad;
  };
}

/** Actions that change what an identity may do (not credentials): on the grantee itself, they grant it anything. */
const PERMISSION_CHANGING = new Set([
  "iam:AttachUserPolicy",
  "iam:AttachRolePolicy",
  "iam:AttachGroupPolicy",
  "iam:PutUserPolicy",
  "iam:PutRolePolicy",
  "iam:PutGroupPolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
]);

/** Does a resource of the statement cover the grantee's own ARN (${aws:username} read as its name when it is a user)? */
function coversGrantee(statement: PolicyStatement, grantee: Grantee | undefined): (kind: IamResourceKind) => boolean {
  if (grantee === undefined || statement.notResources !== undefined) return () => false;
  const self = `arn:aws:iam::111122223333:${grantee.kind}/${grantee.name}`;
  const covered = statement.resources
    .map((resource) => normaliseArnPattern(grantee.kind === "user" ? resource.replace(/\$\{aws:username\}/gi, grantee.name) : resource))
    .some((resource) => wildcardMatches(resource, self, false));
  return (kind) => covered && kind === grantee.kind;
}

/**
 * ARNs of one kind that share nothing after `user/` (and so on): a resource pattern that matches
 * all of them, once normalised, reaches every entity of that kind, as `*`, `arn:aws:iam::*:*`,
 * `arn:aws:iam::111122223333:user/*` or `user*` do, and `user/app-*` does not.
 */
const WITNESSES: Readonly<Record<IamResourceKind, readonly string[]>> = {
  user: witnesses("user"),
  role: witnesses("role"),
  group: witnesses("group"),
  policy: witnesses("policy"),
};

function witnesses(kind: IamResourceKind): string[] {
  return [`arn:aws:iam::111122223333:${kind}/x`, `arn:aws:iam::111122223333:${kind}/Y`, `arn:aws:iam::111122223333:${kind}/x/Y`];
}

/** Policy variables (`${aws:username}`) become this: a character no ARN has, so a variable matches no witness name. */
const VARIABLE = "\u0000";

/**
 * A resource pattern made comparable with the witnesses, erring towards broad (a broad verdict
 * only raises severity): the partition and the account, when written (any partition or account
 * id, or a variable such as ${aws:PrincipalAccount}), stand for the policy's own; `?` counts as
 * `*`; the prefix and service compare in lower case.
 */
function normaliseArnPattern(pattern: string): string {
  let text = "";
  // Once no "}" follows, none follows later either: one failed search, so hostile "${${${…" stays linear.
  let closing = true;
  for (let i = 0; i < pattern.length; ) {
    const close = closing && pattern[i] === "$" && pattern[i + 1] === "{" ? pattern.indexOf("}", i + 2) : -1;
    if (close < 0 && closing && pattern[i] === "$" && pattern[i + 1] === "{") closing = false;
    if (close >= 0) {
      text += VARIABLE;
      i = close + 1;
    } else {
      text += pattern[i] === "?" ? "*" : pattern[i];
      i++;
    }
  }
  const segments = text.split(":");
  if (segments.length < 3) return text;
  segments[0] = (segments[0] ?? "").toLowerCase();
  segments[1] = "*";
  segments[2] = (segments[2] ?? "").toLowerCase();
  if (segments.length >= 6 && /^[0-9*\u0000]+$/.test(segments[4] ?? "")) segments[4] = "*";
  return segments.join(":");
}

/** AWS managed policies that grant administrator or IAM-administrator power. */
const ADMIN_MANAGED_POLICY_NAMES = new Set([
  "AdministratorAccess",
  "AdministratorAccess-Amplify",
  "AdministratorAccess-AWSElasticBeanstalk",
  "IAMFullAccess",
  "AWSOrganizationsFullAccess",
]);

/** Broad but not admin: worth a human look. */
const BROAD_MANAGED_POLICY_NAMES = new Set([
  "PowerUserAccess",
  "job-function/SystemAdministrator",
  "job-function/NetworkAdministrator",
  "job-function/DatabaseAdministrator",
  "AWSLambda_FullAccess",
  "AmazonEC2FullAccess",
  "AmazonS3FullAccess",
  "SecretsManagerReadWrite",
  "AWSCloudFormationFullAccess",
]);

const AWS_MANAGED_POLICY_ARN = /^arn:aws[\w-]*:iam::aws:policy\/(?:service-role\/)?(.+)$/i;
const ADMIN_NAMES_LOWER: ReadonlySet<string> = new Set([...ADMIN_MANAGED_POLICY_NAMES].map((name) => name.toLowerCase()));
const BROAD_NAMES_LOWER: ReadonlySet<string> = new Set([...BROAD_MANAGED_POLICY_NAMES].map((name) => name.toLowerCase()));

export type ManagedPolicyClass = "admin" | "broad" | "other";

/**
 * Admin and broad AWS managed policies by name. Compared without regard to case: whether IAM
 * accepts `…:policy/administratoraccess` for AdministratorAccess or refuses it (the call then
 * failed, and nothing is acted on), rating it as the policy it spells errs towards the higher
 * severity. Narrow ones are vouched for only in AWS's exact spelling (grant-scope.ts).
 */
export function classifyManagedPolicyArn(policyArn: string): ManagedPolicyClass {
  const match = AWS_MANAGED_POLICY_ARN.exec(policyArn);
  if (!match?.[1]) return "other";
  const name = match[1].toLowerCase();
  if (ADMIN_NAMES_LOWER.has(name)) return "admin";
  if (BROAD_NAMES_LOWER.has(name)) return "broad";
  return "other";
}
