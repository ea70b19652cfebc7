import { isAccountId, parseArn } from "../arn/arn.js";
import { type PolicyDocument, type PolicyStatement, conditionValues, wildcardMatches } from "./policy-document.js";
import { type Severity, maxSeverity, severityRank } from "../model/severity.js";
import { quoted } from "../model/untrusted.js";

/** What a trust verdict can tag a finding with (the role-trust-update rule declares exactly these). */
export type TrustSignal = "trust-public" | "trust-untrusted-account" | "trust-oidc-unscoped";

/**
 * Who a role trust policy lets in. Each Allow statement's principals are judged; the verdict is
 * the worst of them. Deny statements only narrow access and are ignored.
 */
export interface TrustFinding {
  readonly severity: Severity;
  readonly reason: string;
  readonly signal?: TrustSignal;
}

export interface TrustVerdict {
  readonly severity: Severity;
  readonly findings: readonly TrustFinding[];
  readonly signals: readonly TrustSignal[];
}

type PinKind = "account" | "organization" | "organization-path" | "arn";

interface PinningKey {
  /** As AWS documents it, for reasons (the policy's own spelling may differ in case). */
  readonly name: string;
  readonly kind: PinKind;
  /** Who the key is absent for: why an ...IfExists operator on it pins nothing. */
  readonly absentFor: string;
}

const UNSIGNED = "unsigned calls (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)";
const DIRECT_CALLERS = "every direct caller (an IAM user or role calling sts:AssumeRole itself)";
const OUTSIDE_ORGANIZATIONS = "principals of accounts in no organization";

/** Condition keys that can pin a public principal to an organization, account or principal (lower-cased: IAM keys are case-insensitive). */
const PINNING_KEYS: ReadonlyMap<string, PinningKey> = new Map([
  ["aws:principalorgid", { name: "aws:PrincipalOrgID", kind: "organization", absentFor: OUTSIDE_ORGANIZATIONS }],
  ["aws:principalorgpaths", { name: "aws:PrincipalOrgPaths", kind: "organization-path", absentFor: OUTSIDE_ORGANIZATIONS }],
  ["aws:principalaccount", { name: "aws:PrincipalAccount", kind: "account", absentFor: UNSIGNED }],
  ["aws:principalarn", { name: "aws:PrincipalArn", kind: "arn", absentFor: UNSIGNED }],
  ["aws:sourceaccount", { name: "aws:SourceAccount", kind: "account", absentFor: DIRECT_CALLERS }],
  ["aws:sourcearn", { name: "aws:SourceArn", kind: "arn", absentFor: DIRECT_CALLERS }],
  ["aws:sourceorgid", { name: "aws:SourceOrgID", kind: "organization", absentFor: DIRECT_CALLERS }],
  ["aws:sourceorgpaths", { name: "aws:SourceOrgPaths", kind: "organization-path", absentFor: DIRECT_CALLERS }],
]);

/** Operators that require the key to be present and to match one of the values. */
const MATCH_OPERATORS: ReadonlySet<string> = new Set(["StringEquals", "StringLike", "ArnEquals", "ArnLike"]);
/** For strings that are not ARNs (external ids, OIDC claims, certificate fields). */
const STRING_MATCH_OPERATORS: ReadonlySet<string> = new Set(["StringEquals", "StringLike"]);

const WEB_IDENTITY_PROVIDERS = ["cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"];
const COGNITO = "cognito-identity.amazonaws.com";
const GITHUB_ACTIONS = "token.actions.githubusercontent.com";
const ROLES_ANYWHERE = "rolesanywhere.amazonaws.com";

interface Context {
  readonly ownAccount: string | undefined;
  readonly trusted: ReadonlySet<string>;
  /** The statement requires sts:ExternalId to equal fixed values. */
  readonly externalId: boolean;
  /** Why the statement's sts:ExternalId conditions (if any) do not count. */
  readonly externalIdNotes: readonly string[];
}

/**
 * Judges a trust policy against the event's own account and the trusted accounts. Conditions
 * count only for what they require, never for the key they mention: whoever writes the trust
 * policy (an attacker opening a backdoor included) chooses the operator and the values, and
 * `StringLike aws:PrincipalArn "*"` names a pinning key while pinning nothing. A condition
 * narrows who may assume the role only when
 *  - its operator requires a match (StringEquals, StringLike, ArnEquals, ArnLike, or those under
 *    ForAnyValue:). Negated operators admit everything they do not name; Null tests presence
 *    only; ...IfExists holds whenever the key is absent, and every key here is absent for some
 *    callers (aws:SourceAccount for any direct caller, aws:PrincipalOrgID outside any
 *    organization, aws:PrincipalArn for unsigned calls); ForAllValues: holds when the key is
 *    absent (no value to check). Operators are recognised as IAM spells them: anything else
 *    pins nothing, which can only over-rate;
 *  - and every one of its values (they are ORed) is concrete: no policy variable (it takes the
 *    caller's own value) and no wildcard where the account, organization or repository goes.
 *    Wildcards are judged as if they matched, as they do under StringLike and the Arn operators:
 *    under StringEquals a literal "*" pins to nobody, and closing a door nobody can use costs
 *    nothing.
 * Conditions are ANDed, so one concrete pin is enough, and the narrowest pin rates the statement.
 */
export function analyseTrust(document: PolicyDocument, ownAccount: string | undefined, trustedAccounts: ReadonlySet<string>): TrustVerdict {
  const findings: TrustFinding[] = [];
  for (const statement of document.statements) {
    if (statement.effect !== "Allow") continue;
    findings.push(...judgeStatement(statement, ownAccount, trustedAccounts));
  }
  if (findings.length === 0) findings.push({ severity: "low", reason: "no Allow statement: nobody can assume the role" });
  let severity: Severity = "info";
  const signals = new Set<TrustSignal>();
  for (const finding of findings) {
    severity = maxSeverity(severity, finding.severity);
    if (finding.signal) signals.add(finding.signal);
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { severity, findings, signals: [...signals] };
}

function judgeStatement(statement: PolicyStatement, ownAccount: string | undefined, trusted: ReadonlySet<string>): TrustFinding[] {
  if (statement.notPrincipal) {
    return [{ severity: "critical", reason: "Allow with NotPrincipal: everyone except the listed principals may assume the role", signal: "trust-public" }];
  }
  const principal = statement.principal;
  if (!principal) return [{ severity: "medium", reason: "Allow statement without a Principal (not a valid trust policy)" }];
  const externalId = externalIdRequirement(statement);
  const context: Context = { ownAccount, trusted, externalId: externalId.required, externalIdNotes: externalId.notes };
  const findings: TrustFinding[] = [];
  // Principal "*" subsumes the accounts listed beside it (a pin applies to them too), but not a
  // provider or service listed beside it: those are judged on their own, so an unscoped OIDC
  // provider cannot hide behind a pinned "*".
  if (principal.anyone) findings.push(judgeAnyone(statement, context));
  for (const value of principal.anyone ? [] : principal.aws) {
    const account = accountOf(value);
    if (account === undefined) {
      findings.push({ severity: "medium", reason: `AWS principal ${quoted(value)} is not an account or ARN trailguard can check` });
      continue;
    }
    const rated = rateAccount(account, context);
    findings.push({
      severity: rated.severity,
      reason: rated.untrusted ? `trusts untrusted account ${account} (${quoted(value)}), ${rated.standing}` : `trusts ${quoted(value)} (${rated.standing})`,
      ...(rated.signal ? { signal: rated.signal } : {}),
    });
  }
  for (const provider of principal.federated) findings.push(judgeFederated(provider, statement));
  for (const service of principal.service) findings.push(judgeService(service, statement));
  for (const user of principal.canonicalUser) findings.push({ severity: "medium", reason: `trusts canonical user ${quoted(user)}` });
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Operators and values
// ---------------------------------------------------------------------------------------------

interface ConditionBlock {
  /** As written in the policy: attacker-controlled, quoted when shown. */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

function conditionBlocks(statement: PolicyStatement, wanted: (key: string) => boolean): ConditionBlock[] {
  const blocks: ConditionBlock[] = [];
  for (const [operator, block] of statement.conditions) {
    for (const [key, values] of block) if (wanted(key)) blocks.push({ operator, key, values });
  }
  return blocks;
}

/**
 * Undefined when the operator requires the key to be present and to match one of the values
 * (one of `allowed`, alone or under ForAnyValue:); otherwise why it does not.
 */
function whyNoMatch(block: ConditionBlock, allowed: ReadonlySet<string>, absentFor: string): string | undefined {
  let base = block.operator;
  if (base.startsWith("ForAllValues:")) return "holds when the key is absent (ForAllValues: no value to check)";
  if (base.startsWith("ForAnyValue:")) base = base.slice("ForAnyValue:".length);
  if (base.endsWith("IfExists")) return `holds whenever the key is absent (IfExists), as it is for ${absentFor}`;
  if (base === "Null") {
    return block.values.every((value) => value.toLowerCase() === "true") ? "requires the key to be absent" : "tests only whether the key is present, not its value";
  }
  if (allowed.has(base)) return undefined;
  if (/Not/.test(base) && /^(String|Arn)/.test(base)) return "a negated operator admits every value it does not name";
  return `not one of the operators that pin (${[...allowed].join(", ")})`;
}

/** The operator, shown as trailguard recognises it or quoted when it is not one it knows. */
function operatorText(operator: string): string {
  return /^(ForAnyValue:|ForAllValues:)?[A-Za-z]{1,40}$/.test(operator) ? operator : quoted(operator);
}

const hasWildcard = (value: string) => value.includes("*") || value.includes("?");
const hasVariable = (value: string) => value.includes("${");
/** The text before the first wildcard: what a StringLike match holds fixed. */
const literalPrefix = (value: string) => {
  const star = value.indexOf("*");
  const mark = value.indexOf("?");
  const first = star < 0 ? mark : mark < 0 ? star : Math.min(star, mark);
  return first < 0 ? value : value.slice(0, first);
};
/** A value that, wildcards aside, holds no letter or digit ("*", "?*", "*:*", "???"): it matches every value of its kind. */
const matchesAnything = (value: string) => hasVariable(value) || !/[A-Za-z0-9]/.test(value.replace(/[*?]/g, ""));

// ---------------------------------------------------------------------------------------------
// Principal "*" and its pins
// ---------------------------------------------------------------------------------------------

type Pin =
  | { readonly kind: "account"; readonly account: string; readonly value: string }
  | { readonly kind: "organization"; readonly organization: string }
  | { readonly kind: "literal"; readonly value: string };

/** What one value of a pinning key pins the principal to, or why it pins nothing. */
function pinOf(kind: PinKind, value: string): Pin | string {
  if (hasVariable(value)) return "is a policy variable: it takes the caller's own value";
  switch (kind) {
    case "account":
      if (isAccountId(value)) return { kind: "account", account: value, value };
      return hasWildcard(value) ? "has a wildcard: it admits many accounts" : { kind: "literal", value };
    case "organization":
      return hasWildcard(value) ? "has a wildcard: it admits many organizations" : { kind: "organization", organization: value };
    case "organization-path": {
      // "o-…/r-…/ou-…/*" holds the organization fixed when its first "/" comes before any wildcard.
      const fixed = literalPrefix(value);
      const slash = fixed.indexOf("/");
      if (!hasWildcard(value)) return { kind: "organization", organization: slash < 0 ? value : value.slice(0, slash) };
      return slash > 0 ? { kind: "organization", organization: fixed.slice(0, slash) } : "has a wildcard in the organization id: it admits many organizations";
    }
    case "arn": {
      // parseArn refuses wildcards in the partition, service, region and account, so a parsed
      // pattern holds everything up to its fifth colon literal: whatever "*" spans after it
      // (StringLike spans colons), the account is fixed.
      const arn = parseArn(value);
      if (arn && isAccountId(arn.account)) return { kind: "account", account: arn.account, value };
      if (!hasWildcard(value)) return { kind: "literal", value };
      return "does not name one account (a wildcard where the account or the resource goes)";
    }
  }
}

interface Rated {
  readonly severity: Severity;
  readonly signal?: TrustSignal;
  readonly untrusted: boolean;
  /** "this account", "a trusted account", "with an sts:ExternalId condition"… */
  readonly standing: string;
}

/** The rating of letting an account in: this account and trusted ones are low; any other is a door to outsiders. */
function rateAccount(account: string, context: Context): Rated {
  if (account === context.ownAccount) return { severity: "low", untrusted: false, standing: "this account" };
  if (context.trusted.has(account)) return { severity: "low", untrusted: false, standing: "a trusted account" };
  if (context.externalId) return { severity: "high", signal: "trust-untrusted-account", untrusted: true, standing: "with an sts:ExternalId condition" };
  const notes = context.externalIdNotes.length > 0 ? ` that requires a fixed id (${context.externalIdNotes.join("; ")})` : "";
  return { severity: "critical", signal: "trust-untrusted-account", untrusted: true, standing: `without an sts:ExternalId condition${notes}` };
}

function judgeAnyone(statement: PolicyStatement, context: Context): TrustFinding {
  const notes: string[] = [];
  let best: TrustFinding | undefined;
  for (const block of conditionBlocks(statement, (key) => PINNING_KEYS.has(key))) {
    const key = PINNING_KEYS.get(block.key) as PinningKey;
    const label = `${operatorText(block.operator)} ${key.name}`;
    const why = whyNoMatch(block, MATCH_OPERATORS, key.absentFor);
    if (why !== undefined) {
      notes.push(`${label}: ${why}`);
      continue;
    }
    if (block.values.length === 0) {
      notes.push(`${label}: lists no value`);
      continue;
    }
    const pins: Pin[] = [];
    let open: string | undefined;
    for (const value of block.values) {
      const pin = pinOf(key.kind, value);
      if (typeof pin === "string") {
        open = `${quoted(value)} ${pin}`;
        break;
      }
      pins.push(pin);
    }
    if (open !== undefined) {
      notes.push(`${label}: ${open}`);
      continue;
    }
    // Values are ORed: the pin admits the union, so its worst value rates it.
    let severity: Severity = "info";
    let signal: TrustSignal | undefined;
    const named: string[] = [];
    for (const pin of pins) {
      const rated = ratePin(pin, context);
      if (severityRank(rated.severity) > severityRank(severity)) {
        severity = rated.severity;
        signal = rated.signal;
      }
      named.push(rated.text);
    }
    const candidate: TrustFinding = { severity, reason: `Principal "*" pinned by ${label} to ${named.join(", ")}`, ...(signal ? { signal } : {}) };
    // Conditions are ANDed: only who passes every pin gets in, so the narrowest one rates the statement.
    if (best === undefined || severityRank(candidate.severity) < severityRank(best.severity)) best = candidate;
  }
  if (best !== undefined) return best;
  const why = notes.length > 0 ? `; its conditions do not pin it: ${notes.join("; ")}` : "";
  return { severity: "critical", reason: `Principal "*": any AWS identity in any account may assume the role${why}`, signal: "trust-public" };
}

function ratePin(pin: Pin, context: Context): { severity: Severity; signal?: TrustSignal; text: string } {
  switch (pin.kind) {
    case "account": {
      const rated = rateAccount(pin.account, context);
      const shown = pin.value === pin.account ? "" : ` (${quoted(pin.value)})`;
      return rated.untrusted
        ? { severity: rated.severity, ...(rated.signal ? { signal: rated.signal } : {}), text: `untrusted account ${pin.account}${shown}, ${rated.standing}` }
        : { severity: rated.severity, text: `${pin.account} (${rated.standing})${pin.value === pin.account ? "" : `, as ${quoted(pin.value)}`}` };
    }
    case "organization":
      return { severity: "high", text: `organization ${quoted(pin.organization)}: verify it is yours` };
    case "literal":
      return { severity: "high", text: `${quoted(pin.value)} (not an account or ARN trailguard can check): verify it` };
  }
}

// ---------------------------------------------------------------------------------------------
// sts:ExternalId
// ---------------------------------------------------------------------------------------------

/**
 * Whether the statement requires the caller to pass an external id equal to fixed values. Null
 * true (it must be absent), Null false or "*" (any id), ...IfExists (none passed), negated or
 * non-string operators and policy variables give a confused deputy nothing to get wrong.
 */
function externalIdRequirement(statement: PolicyStatement): { required: boolean; notes: string[] } {
  const notes: string[] = [];
  let required = false;
  for (const block of conditionBlocks(statement, (key) => key === "sts:externalid")) {
    const label = `${operatorText(block.operator)} sts:ExternalId`;
    const why = whyNoMatch(block, STRING_MATCH_OPERATORS, "callers that pass no external id");
    if (why !== undefined) {
      notes.push(`${label}: ${why}`);
      continue;
    }
    const loose = block.values.find((value) => value === "" || hasWildcard(value) || hasVariable(value));
    if (block.values.length === 0 || loose !== undefined) {
      notes.push(`${label}: ${loose === undefined ? "lists no value" : `${quoted(loose)} is not a fixed id`}`);
      continue;
    }
    required = true;
  }
  return { required, notes };
}

// ---------------------------------------------------------------------------------------------
// Federated principals (OIDC)
// ---------------------------------------------------------------------------------------------

/** How far a subject condition narrows an OIDC provider: 0 one repository or identity, 1 one owner's repositories, 2 anyone. */
interface Scope {
  readonly breadth: 0 | 1 | 2;
  readonly text: string;
}

function judgeFederated(provider: string, statement: PolicyStatement): TrustFinding {
  const isOidc = provider.includes(":oidc-provider/") || WEB_IDENTITY_PROVIDERS.includes(provider);
  if (!isOidc) return { severity: "low", reason: `trusts federated provider ${quoted(provider)}` };
  const host = provider.includes(":oidc-provider/") ? provider.slice(provider.indexOf(":oidc-provider/") + 15) : provider;
  const subKey = `${host.toLowerCase()}:sub`;
  const github = host === GITHUB_ACTIONS || host.startsWith(`${GITHUB_ACTIONS}/`);
  const eks = /^oidc\.eks\.[^/]+\.amazonaws\.com(\.cn)?\/id\//i.test(host);
  // A Cognito identity pool is named by aud: the one case where aud (and not sub) scopes the provider.
  const audKey = provider === COGNITO ? `${COGNITO}:aud` : undefined;
  const notes: string[] = [];
  let best: Scope | undefined;
  for (const block of conditionBlocks(statement, (key) => key === subKey || key === audKey)) {
    const label = `${operatorText(block.operator)} ${block.key === audKey ? "aud" : "sub"}`;
    const why = whyNoMatch(block, STRING_MATCH_OPERATORS, "tokens without that claim");
    if (why !== undefined) {
      notes.push(`${label}: ${why}`);
      continue;
    }
    if (block.values.length === 0) {
      notes.push(`${label}: lists no value`);
      continue;
    }
    // Values are ORed: the broadest one is what the condition lets in.
    let scope: Scope = { breadth: 0, text: "" };
    const texts: string[] = [];
    for (const value of block.values) {
      const one = block.key === audKey ? cognitoPoolScope(value) : github ? githubSubjectScope(value) : eks ? eksSubjectScope(value) : subjectScope(value);
      if (one.breadth > scope.breadth) scope = one;
      texts.push(one.text);
    }
    if (scope.breadth === 2) {
      notes.push(`${label}: ${scope.text}`);
      continue;
    }
    const joined: Scope = { breadth: scope.breadth, text: scope.breadth === 1 ? scope.text : texts.join(", ") };
    // Conditions are ANDed: the narrowest one decides.
    if (best === undefined || joined.breadth < best.breadth) best = joined;
  }
  // A Cognito pool's unauthenticated (guest) identities are anyone on the internet.
  const guests = audKey !== undefined && best?.breadth === 0 && admitsCognitoGuests(statement);
  if (guests) {
    return { severity: "high", reason: `trusts Cognito identity pool ${best?.text ?? ""} for unauthenticated identities (amr "unauthenticated"): anyone on the internet can get its credentials`, signal: "trust-oidc-unscoped" };
  }
  if (best?.breadth === 0) return { severity: "low", reason: `trusts OIDC provider ${quoted(host)}, scoped by its conditions to ${best.text}` };
  if (best?.breadth === 1) {
    return { severity: "medium", reason: `trusts OIDC provider ${quoted(host)} for ${best.text}: anyone who can run a workflow in any of them can assume the role; verify the owner is yours` };
  }
  const why = notes.length > 0 ? ` that narrows it (${notes.join("; ")})` : "";
  return {
    severity: "high",
    reason: `trusts OIDC provider ${quoted(host)} without a ${quoted(`${host}:sub`)} condition${why}: any identity that provider issues tokens for (any repository, any tenant) may assume the role`,
    signal: "trust-oidc-unscoped",
  };
}

/** GitHub claims whose value starts "owner/repository". */
const GITHUB_REPOSITORY_PATH_CLAIMS: ReadonlySet<string> = new Set(["repo", "repository", "job_workflow_ref", "workflow_ref"]);
const GITHUB_OWNER_CLAIMS: ReadonlySet<string> = new Set(["repository_owner", "repository_owner_id"]);

/**
 * What a GitHub Actions subject pattern admits. The subject is claims joined with ":" in an order
 * each repository owner may choose ("repo:owner/name:ref:…" by default), and owner names are
 * anyone's to register: a pattern is scoped only when its fixed text (before any wildcard) names
 * a whole owner ("repo:example-org/…", "repository_owner_id:123:…") or one repository. A subject
 * naming neither ("environment:prod") can be minted by any repository whose owner picks that format.
 */
function githubSubjectScope(value: string): Scope {
  const every: Scope = { breadth: 2, text: `${quoted(value)} names no repository owner: it admits every repository on GitHub` };
  if (hasVariable(value)) return every;
  const fixed = literalPrefix(value);
  const wild = fixed.length < value.length;
  const parts = fixed.split(":");
  let owner: string | undefined;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const claim = parts[i] ?? "";
    const claimValue = parts[i + 1] ?? "";
    // The claim's value is whole when a ":" follows it in the fixed text, or nothing is wild.
    const whole = i + 2 < parts.length || !wild;
    if (GITHUB_REPOSITORY_PATH_CLAIMS.has(claim)) {
      const slash = claimValue.indexOf("/");
      if (slash <= 0) break;
      const ownerName = claimValue.slice(0, slash);
      const rest = claimValue.slice(slash + 1);
      const end = claim === "repo" || claim === "repository" ? -1 : rest.search(/[/@]/);
      const repository = end < 0 ? rest : rest.slice(0, end);
      // A reusable workflow's ref is what the caller runs, not who calls it: every repository that
      // may call that workflow (anyone's, if it is public) can present this subject.
      if (repository !== "" && claim === "job_workflow_ref") {
        return { breadth: 1, text: `every repository that calls the reusable workflow ${quoted(`${ownerName}/${repository}`)} (subject ${quoted(value)}; anyone's, if it is public)` };
      }
      if (repository !== "" && (end >= 0 || whole)) return { breadth: 0, text: `repository ${quoted(`${ownerName}/${repository}`)}` };
      return { breadth: 1, text: `every repository of GitHub owner ${quoted(ownerName)} (subject ${quoted(value)})` };
    }
    if (!whole || claimValue === "") break;
    if (claim === "repository_id") return { breadth: 0, text: `repository id ${quoted(claimValue)}` };
    if (GITHUB_OWNER_CLAIMS.has(claim)) owner ??= `${claim} ${claimValue}`;
  }
  return owner === undefined ? every : { breadth: 1, text: `every repository of GitHub owner ${quoted(owner)} (subject ${quoted(value)})` };
}

/**
 * Any other provider's subject: scoped when it is exact, or when its fixed text holds at least
 * one whole value ("system:serviceaccount:apps:*", "project_path:group/*"); a pattern that stops
 * at the first claim's name ("project_path:*", "us-east-1:*") or holds no letter or digit admits
 * every identity the provider issues tokens for.
 */
function subjectScope(value: string): Scope {
  if (!matchesAnything(value) && (!hasWildcard(value) || /^[^:/]*[:/][^:/]+[:/]/.test(literalPrefix(value)))) return { breadth: 0, text: quoted(value) };
  return { breadth: 2, text: `${quoted(value)} admits every identity the provider issues tokens for` };
}

/**
 * An EKS cluster's subject is "system:serviceaccount:<namespace>:<name>": scoped only when the
 * namespace is fixed; "system:serviceaccount:*" admits every pod in the cluster.
 */
function eksSubjectScope(value: string): Scope {
  if (/^system:serviceaccount:[^:*?$]+:/.test(value) && !hasVariable(value)) return { breadth: 0, text: quoted(value) };
  return { breadth: 2, text: `${quoted(value)} names no namespace: every service account in the cluster` };
}

/** amr conditions that let "unauthenticated" Cognito identities in (a value naming it, or a wildcard that matches it). */
function admitsCognitoGuests(statement: PolicyStatement): boolean {
  const values = conditionValues(statement, `${COGNITO}:amr`);
  return values.some((value) => value.toLowerCase() === "unauthenticated" || (hasWildcard(value) && wildcardMatches(value, "unauthenticated")));
}

function cognitoPoolScope(value: string): Scope {
  if (value !== "" && !hasWildcard(value) && !hasVariable(value)) return { breadth: 0, text: `identity pool ${quoted(value)}` };
  return { breadth: 2, text: `${quoted(value)} is not one identity pool` };
}

// ---------------------------------------------------------------------------------------------
// Service principals
// ---------------------------------------------------------------------------------------------

const X509_TAG = /^aws:principaltag\/x509(subject|issuer|san)\//;

/**
 * AWS services act for this account's own resources, with one exception: IAM Roles Anywhere
 * hands the role to whoever presents a certificate from any trust anchor (CA) registered in the
 * account, now or later. Only aws:SourceArn naming one trust anchor, or a certificate field the
 * session is tagged with (aws:PrincipalTag/x509Subject/…, x509Issuer/…, x509SAN/…), narrows it.
 */
function judgeService(service: string, statement: PolicyStatement): TrustFinding {
  if (service.toLowerCase() !== ROLES_ANYWHERE) return { severity: "low", reason: `trusts AWS service ${quoted(service)}` };
  const pins: string[] = [];
  const notes: string[] = [];
  for (const block of conditionBlocks(statement, (key) => key === "aws:sourcearn" || X509_TAG.test(key))) {
    const anchor = block.key === "aws:sourcearn";
    const label = `${operatorText(block.operator)} ${anchor ? "aws:SourceArn" : quoted(block.key)}`;
    const why = whyNoMatch(block, anchor ? MATCH_OPERATORS : STRING_MATCH_OPERATORS, anchor ? "calls without a trust anchor" : "certificates without that field");
    const loose = block.values.find((value) => (anchor ? !isOneTrustAnchor(value) : matchesAnything(value)));
    if (why !== undefined || block.values.length === 0 || loose !== undefined) {
      notes.push(`${label}: ${why ?? (loose === undefined ? "lists no value" : `${quoted(loose)} ${anchor ? "is not one trust anchor" : "matches any certificate"}`)}`);
      continue;
    }
    pins.push(`${label} ${block.values.map((value) => quoted(value)).join(", ")}`);
  }
  if (pins.length > 0) {
    return {
      severity: "medium",
      reason: `trusts IAM Roles Anywhere (${ROLES_ANYWHERE}), pinned by ${pins.join(" and ")}: whoever holds a matching certificate from an allowed trust anchor's CA can become the role`,
    };
  }
  const why = notes.length > 0 ? ` (${notes.join("; ")})` : "";
  return {
    severity: "high",
    reason: `trusts IAM Roles Anywhere (${ROLES_ANYWHERE}) with no condition naming a trust anchor or certificate${why}: anyone holding a certificate from any trust anchor in the account (any CA registered now or later) can become the role`,
  };
}

/** An ARN of one Roles Anywhere trust anchor: no wildcard, no variable. */
function isOneTrustAnchor(value: string): boolean {
  if (hasWildcard(value) || hasVariable(value)) return false;
  const arn = parseArn(value);
  return arn !== undefined && arn.service === "rolesanywhere" && isAccountId(arn.account) && arn.resource.startsWith("trust-anchor/") && arn.resource.length > "trust-anchor/".length;
}

function accountOf(principal: string): string | undefined {
  if (isAccountId(principal)) return principal;
  // An IAM or STS ARN (root, user, role, session, wildcards in the resource): its account.
  const arn = parseArn(principal);
  return arn && (arn.service === "iam" || arn.service === "sts") && arn.region === "" && isAccountId(arn.account) ? arn.account : undefined;
}
