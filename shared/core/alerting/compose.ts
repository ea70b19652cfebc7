import type { Finding } from "../model/finding.js";
import type { Logger } from "../model/logger.js";
import { severityRank } from "../model/severity.js";
import type { Alert } from "./alert.js";
import { type IncidentEvent, type IncidentPolicy, type IncidentTracker, advanceIncident, eventTimeOf, incidentKeyFor } from "./incident.js";

/**
 * One event's findings, ready to be told: the most severe first, placed in their principal's
 * incident. When the incident store fails the alert pages on its own (a one-event incident):
 * a duplicate page beats silence, and the failure is logged with the field the store's alarm
 * counts.
 */
export interface ComposeDeps {
  readonly incidents: IncidentTracker;
  readonly policy: IncidentPolicy;
  /** Asked only when the event has no time of its own. */
  readonly now: () => Date;
  /** The subject's headline of a finding (`alertHeadline` in core/report). */
  readonly headline: (finding: Finding) => string;
  readonly accountName: (account: string | undefined) => Promise<string | undefined> | string | undefined;
  readonly logger: Logger;
}

export function worstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

export async function composeAlert(eventFindings: readonly Finding[], deps: ComposeDeps): Promise<Alert> {
  const findings = worstFirst(eventFindings);
  const worst = findings[0];
  if (worst === undefined) throw new Error("composeAlert: an alert needs at least one finding");
  const key = incidentKeyFor(worst);
  const event = incidentEventOf(findings, deps.headline, deps.now);
  let outcome;
  try {
    outcome = await deps.incidents.record(key, event);
  } catch (error) {
    deps.logger.log("error", "incident store failed: paging without grouping", { idempotencyStoreFailed: 1, incidentStoreFailed: 1, eventId: worst.eventId, error: String(error) });
    outcome = advanceIncident(undefined, key, event, deps.policy).outcome;
  }
  let accountName: string | undefined;
  try {
    accountName = await deps.accountName(worst.event.account);
  } catch {
    accountName = undefined;
  }
  return { kind: outcome.kind, findings, incident: outcome.incident, accountName };
}

/**
 * What one event's findings (most severe first) bring to their incident: the event's time, and
 * its timeline entry. Lambda (`composeAlert`) and replay (`withIncidents`) record the same thing.
 */
export function incidentEventOf(findings: readonly Finding[], headline: (finding: Finding) => string, now: () => Date): IncidentEvent {
  const worst = findings[0];
  if (worst === undefined) throw new Error("incidentEventOf: an event with no finding");
  const at = eventTimeOf(worst, now);
  return {
    at,
    entry: {
      at: new Date(at).toISOString(),
      eventId: worst.eventId,
      eventKey: `${worst.eventId}#${worst.contentDigest ?? ""}`,
      eventName: worst.event.eventName,
      findingIds: findings.map((finding) => finding.findingId),
      ruleIds: findings.map((finding) => finding.ruleId),
      severity: worst.severity,
      headline: headline(worst),
    },
  };
}

/** Findings grouped by the event they came from, in first-seen order (replay hands over many events at once). */
export function byEvent(findings: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    // The content too: a forged record that reuses a real eventID is another event.
    const key = `${finding.eventId}#${finding.contentDigest ?? ""}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()];
}
