import { isAccountId, parseArn } from "../arn/arn.js";
import { type PolicyDocument, type PolicyStatement, conditionKeys } from "./policy-document.js";
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

/** Condition keys that pin a public principal to an organization, account or principal. */
const PINNING_KEYS = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
];

const WEB_IDENTITY_PROVIDERS = ["cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"];

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
  const keys = conditionKeys(statement);
  const pinnedBy = PINNING_KEYS.filter((key) => keys.has(key));
  if (statement.notPrincipal) {
    return [{ severity: "critical", reason: "Allow with NotPrincipal: everyone except the listed principals may assume the role", signal: "trust-public" }];
  }
  const principal = statement.principal;
  if (!principal) return [{ severity: "medium", reason: "Allow statement without a Principal (not a valid trust policy)" }];
  if (principal.anyone) {
    if (pinnedBy.length > 0) {
      return [{ severity: "high", reason: `Principal "*" restricted only by conditions (${pinnedBy.join(", ")}): verify they hold` }];
    }
    return [{ severity: "critical", reason: 'Principal "*": any AWS identity in any account may assume the role', signal: "trust-public" }];
  }
  const findings: TrustFinding[] = [];
  const hasExternalId = keys.has("sts:externalid");
  for (const value of principal.aws) {
    const account = accountOf(value);
    if (account === undefined) {
      findings.push({ severity: "medium", reason: `AWS principal ${quoted(value)} is not an account or ARN trailguard can check` });
    } else if (account === ownAccount || trusted.has(account)) {
      findings.push({ severity: "low", reason: `trusts ${quoted(value)} (${account === ownAccount ? "this account" : "a trusted account"})` });
    } else if (hasExternalId) {
      findings.push({ severity: "high", reason: `trusts untrusted account ${account} (${quoted(value)}), with an sts:ExternalId condition`, signal: "trust-untrusted-account" });
    } else {
      findings.push({ severity: "critical", reason: `trusts untrusted account ${account} (${quoted(value)}) without an sts:ExternalId condition`, signal: "trust-untrusted-account" });
    }
  }
  for (const provider of principal.federated) findings.push(judgeFederated(provider, keys));
  for (const service of principal.service) findings.push({ severity: "low", reason: `trusts AWS service ${quoted(service)}` });
  for (const user of principal.canonicalUser) findings.push({ severity: "medium", reason: `trusts canonical user ${quoted(user)}` });
  return findings;
}

function judgeFederated(provider: string, keys: ReadonlySet<string>): TrustFinding {
  const isOidc = provider.includes(":oidc-provider/") || WEB_IDENTITY_PROVIDERS.includes(provider);
  if (!isOidc) return { severity: "low", reason: `trusts federated provider ${quoted(provider)}` };
  const host = provider.includes(":oidc-provider/") ? provider.slice(provider.indexOf(":oidc-provider/") + 15) : provider;
  const scoped = [...keys].some((key) => key === `${host.toLowerCase()}:sub` || (provider === "cognito-identity.amazonaws.com" && key === `${host}:aud`));
  if (scoped) return { severity: "low", reason: `trusts OIDC provider ${quoted(host)}, scoped by a subject condition` };
  return {
    severity: "high",
    reason: `trusts OIDC provider ${quoted(host)} without a ${quoted(`${host}:sub`)} condition: any identity that provider issues tokens for (any repository, any tenant) may assume the role`,
    signal: "trust-oidc-unscoped",
  };
}

function accountOf(principal: string): string | undefined {
  if (isAccountId(principal)) return principal;
  // An IAM or STS ARN (root, user, role, session, wildcards in the resource): its account.
  const arn = parseArn(principal);
  return arn && (arn.service === "iam" || arn.service === "sts") && arn.region === "" && isAccountId(arn.account) ? arn.account : undefined;
}
