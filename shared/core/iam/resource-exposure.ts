import { isAccountId, parseArn } from "../arn/arn.js";
import { type Severity, maxSeverity, severityRank } from "../model/severity.js";
import { quoted } from "../model/untrusted.js";
import type { PolicyDocument, PolicyStatement } from "./policy-document.js";

/**
 * Who a resource (bucket, snapshot, image, function, key, topic, queue, secret, repository,
 * resource share) was opened to, judged by value: a grant to an account outside this account,
 * the trusted accounts and the managed accounts is sharing; a grant to everyone is publication,
 * unless a condition pins it, and a condition pins only with a positive operator and concrete
 * values. The shapes of the services' requests are read by the rule; this module judges them.
 */
export type ExposureSignal = "resource-public" | "resource-shared-outside";

/** One principal a request or a policy statement lets in. */
export interface Grant {
  /** anyone: "*", the AllUsers group, "all"; account: an account id or an IAM/STS ARN; organization: an org or OU; unknown: anything else a person must read. */
  readonly to: "anyone" | "account" | "organization" | "service" | "unknown";
  /** The account id (account), or the value as written. */
  readonly value: string;
  /** Where the grant was read, for the reason: `launch permission`, `statement "Public"` … */
  readonly via: string;
  /** Conditions that narrow a grant to anyone (a statement's, or Lambda's SourceAccount …). */
  readonly pins?: readonly Pin[];
}

/** A condition that narrows who can use a grant, with the values it requires. */
export interface Pin {
  readonly kind: "account" | "arn" | "organization" | "network" | "ip";
  readonly key: string;
  readonly values: readonly string[];
}

export interface ExposureFinding {
  readonly severity: Severity;
  readonly reason: string;
  readonly signal?: ExposureSignal;
  /** "*" for everyone, else the outside account id. */
  readonly opensTo?: string;
}

export interface ExposureVerdict {
  readonly severity: Severity | undefined;
  readonly findings: readonly ExposureFinding[];
  readonly signals: readonly ExposureSignal[];
  /** Who the finding names as its target: everyone ("*") before an outside account. */
  readonly opensTo: string | undefined;
}

/** Accounts a grant may name without a finding: this account, trusted and managed accounts. */
export type KnownAccounts = ReadonlySet<string>;

/**
 * The condition keys that narrow a grant, by what they pin. Keys are compared lower-cased (IAM
 * keys are case-insensitive); the policy parser lower-cases them.
 */
const PIN_KEYS: Readonly<Record<string, Pin["kind"]>> = {
  "aws:sourceaccount": "account",
  "aws:principalaccount": "account",
  "aws:sourceowner": "account",
  "kms:calleraccount": "account",
  "aws:principalarn": "arn",
  "aws:sourcearn": "arn",
  "aws:principalorgid": "organization",
  "aws:principalorgpaths": "organization",
  "aws:sourceorgid": "organization",
  "aws:sourceorgpaths": "organization",
  "aws:sourcevpc": "network",
  "aws:sourcevpce": "network",
  "aws:sourceip": "ip",
};

/**
 * Operators under which a key's value must match one of the listed values. Negated operators,
 * Null, `…IfExists` (true when the key is absent, and most pinning keys are absent for some
 * callers) and `ForAllValues:` (true when the key is absent) pin nothing.
 */
const PINNING_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"]);

function pinningOperator(operator: string): boolean {
  const lower = operator.toLowerCase();
  if (lower.startsWith("forallvalues:")) return false;
  return PINNING_OPERATORS.has(lower.startsWith("foranyvalue:") ? lower.slice("foranyvalue:".length) : lower);
}

/** The pins of a policy statement: positive operators over pinning keys, wildcard-only values dropped. */
export function statementPins(statement: PolicyStatement): Pin[] {
  const pins: Pin[] = [];
  for (const [operator, block] of statement.conditions) {
    if (!pinningOperator(operator)) continue;
    for (const [key, values] of block) {
      const kind = PIN_KEYS[key];
      if (kind === undefined || values.length === 0) continue;
      // IpAddress pins only aws:SourceIp, and aws:SourceIp only under IpAddress.
      if ((kind === "ip") !== (operator.toLowerCase().endsWith("ipaddress"))) continue;
      pins.push({ kind, key, values });
    }
  }
  return pins;
}

/** The grants of a resource policy's Allow statements (Deny only narrows). */
export function policyGrants(document: PolicyDocument): Grant[] {
  const grants: Grant[] = [];
  document.statements.forEach((statement, index) => {
    if (statement.effect !== "Allow") return;
    const via = statement.sid ? `statement ${quoted(statement.sid)}` : `statement ${index + 1}`;
    const pins = statementPins(statement);
    if (statement.notPrincipal) {
      grants.push({ to: "anyone", value: "NotPrincipal", via: `${via} (Allow with NotPrincipal: everyone but the listed)`, pins });
      return;
    }
    const principal = statement.principal;
    if (!principal) return;
    if (principal.anyone) grants.push({ to: "anyone", value: "*", via, pins });
    for (const value of principal.aws) if (value !== "*") grants.push({ ...principalGrant(value), via, pins });
    for (const value of principal.service) grants.push({ to: "service", value, via, pins });
    for (const value of principal.federated) grants.push({ to: "unknown", value, via, pins });
    for (const value of principal.canonicalUser) grants.push({ to: "unknown", value: `canonical user ${value}`, via, pins });
  });
  return grants;
}

/** An account id, an IAM/STS ARN (its account), `*`, or something a person must read. */
export function principalGrant(value: string): Pick<Grant, "to" | "value"> {
  if (value === "*") return { to: "anyone", value };
  const account = accountOfPrincipal(value);
  if (account !== undefined) return { to: "account", value: account };
  return { to: "unknown", value };
}

export function accountOfPrincipal(value: string): string | undefined {
  if (isAccountId(value)) return value;
  const arn = parseArn(value);
  return arn && (arn.service === "iam" || arn.service === "sts") && arn.region === "" && isAccountId(arn.account) ? arn.account : undefined;
}

export function judgeGrants(grants: readonly Grant[], known: KnownAccounts): ExposureVerdict {
  const findings = grants.flatMap((grant) => judgeGrant(grant, known));
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  let severity: Severity | undefined;
  for (const finding of findings) severity = severity === undefined ? finding.severity : maxSeverity(severity, finding.severity);
  const signals = [...new Set(findings.flatMap((finding) => (finding.signal ? [finding.signal] : [])))];
  const opensTo = findings.find((finding) => finding.opensTo === "*")?.opensTo ?? findings.find((finding) => finding.opensTo !== undefined)?.opensTo;
  return { severity, findings, signals, opensTo };
}

function judgeGrant(grant: Grant, known: KnownAccounts): ExposureFinding[] {
  switch (grant.to) {
    case "account":
      if (known.has(grant.value)) return [];
      return [{ severity: "high", reason: `${grant.via}: shared with account ${grant.value}, outside this account and the trusted and managed accounts`, signal: "resource-shared-outside", opensTo: grant.value }];
    case "organization": {
      // An organization or OU ARN names the organization's management account: if that account
      // is known the organization is this one's, else it belongs to someone else.
      const owner = organizationOwner(grant.value);
      if (owner !== undefined && known.has(owner)) return [];
      if (owner !== undefined) {
        return [{ severity: "high", reason: `${grant.via}: shared with organization or unit ${quoted(grant.value)}, whose management account ${owner} is outside this account and the trusted and managed accounts`, signal: "resource-shared-outside", opensTo: owner }];
      }
      return [{ severity: "medium", reason: `${grant.via}: shared with organization or unit ${quoted(grant.value)}: check it is yours` }];
    }
    case "unknown":
      return [{ severity: "medium", reason: `${grant.via}: shared with ${quoted(grant.value)}, which trailguard cannot tie to an account: read it` }];
    case "service": {
      // A service principal acts for whoever uses that service. Pinned (aws:SourceAccount,
      // aws:SourceArn…), it acts for the pinned account: judged like "*". Unpinned, most services
      // act for the resource owner's own calls (CloudTrail delivering logs), so nothing is raised,
      // except services any account can point at any resource (CloudFront), where it is public.
      const crossTenant = CROSS_TENANT_SERVICES.includes(grant.value.toLowerCase());
      return judgePinned(
        grant,
        known,
        crossTenant
          ? { severity: "critical", reason: `${grant.via}: service ${quoted(grant.value)} with no condition naming the distribution or account: any ${quoted(grant.value)} customer can use it`, signal: "resource-public", opensTo: "*" }
          : undefined,
      );
    }
    case "anyone":
      return judgePinned(grant, known, { severity: "critical", reason: `${grant.via}: Principal ${principalText(grant)}: anyone, in any account or none, with no condition that pins it`, signal: "resource-public", opensTo: "*" });
  }
}

/** Services that any AWS customer can aim at any resource: an unpinned grant to them is a grant to everyone. */
const CROSS_TENANT_SERVICES = ["cloudfront.amazonaws.com"];

const principalText = (grant: Grant) => (grant.value === "*" ? '"*"' : grant.to === "service" ? `service ${quoted(grant.value)}` : grant.value);

/** `arn:<partition>:organizations::<management account>:organization/o-…` or `…:ou/o-…/ou-…`: the management account. */
export function organizationOwner(value: string): string | undefined {
  const arn = parseArn(value);
  return arn?.service === "organizations" && isAccountId(arn.account) ? arn.account : undefined;
}

/** The smallest IPv4 and IPv6 prefixes that still name a network rather than the internet. */
const MIN_IPV4_PREFIX = 16;
const MIN_IPV6_PREFIX = 32;

function wholeInternet(cidr: string): boolean {
  const [address = "", prefix] = cidr.trim().split("/");
  const bits = prefix === undefined ? (address.includes(":") ? 128 : 32) : Number(prefix);
  if (!Number.isInteger(bits)) return true;
  return address.includes(":") ? bits < MIN_IPV6_PREFIX : bits < MIN_IPV4_PREFIX;
}

/**
 * A grant narrowed by its pins (conditions in one statement all apply, so the strongest decides);
 * `unpinned` is the finding when nothing pins it.
 */
function judgePinned(grant: Grant, known: KnownAccounts, unpinned: ExposureFinding | undefined): ExposureFinding[] {
  const pins = grant.pins ?? [];
  const accounts = pins
    .flatMap((pin) => {
      if (pin.kind === "account") return [pin.values.every(isAccountId) ? pin.values : undefined];
      if (pin.kind === "arn") {
        const owners = pin.values.map((value) => parseArn(value)?.account);
        return [owners.every((owner): owner is string => isAccountId(owner)) ? owners : undefined];
      }
      return [];
    })
    .filter((values): values is string[] => values !== undefined);
  const where = `${grant.via}: Principal ${principalText(grant)}`;
  if (accounts.some((values) => values.every((account) => known.has(account)))) return [];
  const outside = [...new Set(accounts.flatMap((values) => values.filter((account) => !known.has(account))))];
  if (outside.length > 0) {
    return [{ severity: "high", reason: `${where}, pinned to account${outside.length > 1 ? "s" : ""} ${outside.join(", ")} outside this account and the trusted and managed accounts`, signal: "resource-shared-outside", opensTo: outside[0] }];
  }
  // An organization or ARN pin counts only when no value has a wildcard: "o-*" or
  // "arn:aws:iam::*:*" admit everyone that has an organization or an ARN, which is everyone.
  const concrete = (pin: Pin) => pin.values.every((value) => value !== "" && !/[*?]/.test(value));
  const organization = pins.find((pin) => pin.kind === "organization" && concrete(pin));
  if (organization) return [{ severity: "medium", reason: `${where}, pinned by ${organization.key} to ${organization.values.map((value) => quoted(value)).join(", ")}: check it is yours` }];
  const arn = pins.find((pin) => pin.kind === "arn" && concrete(pin));
  if (arn) return [{ severity: "medium", reason: `${where}, pinned by ${arn.key} to ${arn.values.map((value) => quoted(value)).join(", ")}, whose owner trailguard cannot tell: check it is yours` }];
  // Anyone can create a VPC endpoint: one named here may be the attacker's own.
  const network = pins.find((pin) => pin.kind === "network" && concrete(pin));
  if (network) return [{ severity: "medium", reason: `${where}, reachable only through ${network.key} ${network.values.map((value) => quoted(value)).join(", ")}: check the endpoint or VPC is yours` }];
  const ip = grant.to === "anyone" ? pins.find((pin) => pin.kind === "ip" && !pin.values.some(wholeInternet)) : undefined;
  if (ip) return [{ severity: "high", reason: `${where}, for anyone calling from ${ip.values.map((value) => quoted(value)).join(", ")}: any AWS identity, any account`, signal: "resource-public", opensTo: "*" }];
  return unpinned ? [unpinned] : [];
}
