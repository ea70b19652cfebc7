import type { Suppression } from "../config/config.js";
import { wildcardMatches } from "../iam/policy-document.js";
import type { Finding } from "../model/finding.js";
import { severityRank } from "../model/severity.js";
import { createPrincipalGuard } from "../response/principal-guard.js";

/**
 * "Do not page about this" as data. A suppression mutes the findings it matches (every
 * criterion it names, each list matching when any entry does) until it expires, and only up to
 * its `maxSeverity`: a suppression written for noisy mediums does not hide the critical the same
 * actor makes next. A muted finding is still logged, counted and acted on exactly as the response
 * policy says: suppression changes who is told, never what is done. Pure: the clock is passed in.
 */
export interface SuppressionMatch {
  readonly id: string;
  readonly reason: string;
  readonly expires: string;
}

export interface Suppressor {
  /** The suppression that mutes this finding at `now`, or undefined. */
  suppressionFor(finding: Finding, now: Date): SuppressionMatch | undefined;
}

export function createSuppressor(suppressions: readonly Suppression[]): Suppressor {
  const compiled = suppressions.map((suppression) => ({
    suppression,
    expiresAt: expiryTime(suppression.expires),
    // Actors are matched as the allowlist matches them: IAM names case-insensitively, a role
    // covers its sessions, wildcards against the full ARN.
    actors: suppression.actors ? createPrincipalGuard(suppression.actors, []) : undefined,
  }));
  return {
    suppressionFor(finding, now) {
      for (const { suppression, expiresAt, actors } of compiled) {
        if (now.getTime() >= expiresAt) continue;
        if (severityRank(finding.severity) > severityRank(suppression.maxSeverity)) continue;
        if (suppression.rules && !suppression.rules.includes(finding.ruleId)) continue;
        if (suppression.accounts && (finding.event.account === undefined || !suppression.accounts.includes(finding.event.account))) continue;
        if (actors && actors.allowlisted(finding.actor) === undefined) continue;
        if (suppression.signals && !suppression.signals.some((pattern) => finding.signals.some((signal) => wildcardMatches(pattern, signal, false)))) continue;
        if (suppression.targets && !suppression.targets.some((pattern) => targetMatches(pattern, finding))) continue;
        return { id: suppression.id, reason: suppression.reason, expires: suppression.expires };
      }
      return undefined;
    },
  };
}

/** The suppressions that have expired at `now`: start-up says so, so a forgotten one is noticed. */
export function expiredSuppressions(suppressions: readonly Suppression[], now: Date): Suppression[] {
  return suppressions.filter((suppression) => now.getTime() >= expiryTime(suppression.expires));
}

/**
 * A date without a time expires at the end of that day (UTC): "until 2026-12-31" means the
 * whole of the 31st. A time without a zone is read as UTC.
 */
export function expiryTime(expires: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(expires) ? expires : `${expires}Z`;
  return Date.parse(zoned.replace(" ", "T"));
}

/**
 * A target pattern matches the target's name, ARN, user name, access key id or policy (name or
 * ARN): names compared as IAM compares them (without regard to case), ARNs exactly.
 */
function targetMatches(pattern: string, finding: Finding): boolean {
  const target = finding.target;
  if (target === undefined) return false;
  const names = [target.name, target.userName, target.accessKeyId, target.policyName].filter((value): value is string => typeof value === "string");
  const arns = [target.arn, target.policyArn].filter((value): value is string => typeof value === "string");
  if (pattern.startsWith("arn:")) return arns.some((arn) => wildcardMatches(pattern, arn, false));
  return names.some((name) => wildcardMatches(pattern, name, true));
}
