import type { TrailguardConfig } from "../../core/config/config.js";
import { incidentEventOf, worstFirst } from "../../core/alerting/compose.js";
import { type IncidentPolicy, incidentKeyFor, incidentPolicy } from "../../core/alerting/incident.js";
import { createSuppressor } from "../../core/alerting/suppression.js";
import { shouldAlert } from "../../core/engine/handle-event.js";
import type { Finding } from "../../core/model/finding.js";
import { type Severity, severityRank } from "../../core/model/severity.js";
import { type MemoryIncidentTracker, memoryIncidentTracker } from "../../core/state/memory-incident-tracker.js";
import type { Origin, ReplayReporter, ReplaySummary } from "./replay-run.js";

/**
 * What the on-call would have been told about each finding, had the functions seen these events
 * live with this configuration: replay groups findings into incidents as Lambda does (the same
 * tracker semantics, in memory, in report order), applies suppressions and the alert threshold,
 * and says for every finding whether it paged, updated an incident, was suppressed, or was not
 * alerted on. A backtest then shows incidents, not only findings.
 */
export type AlertDecision =
  | { readonly kind: "page" | "update"; readonly incidentId: string }
  | { readonly kind: "suppressed"; readonly suppressionId: string; readonly reason: string }
  | { readonly kind: "not-alerted"; readonly reason: string };

export interface IncidentSummary {
  readonly incidents: number;
  readonly pages: number;
  readonly updates: number;
  readonly suppressed: number;
  readonly notAlerted: number;
}

type Decided = (finding: Finding, origin: Origin, alert: AlertDecision) => void;

export interface IncidentReporter extends ReplayReporter {
  summary(): IncidentSummary;
  tracker: MemoryIncidentTracker;
}

/**
 * Wraps a reporter: findings of one record are held until the next record's (an alert is about
 * one event, all its findings), decided, then passed on with their decision.
 */
export function withIncidents(
  inner: ReplayReporter,
  config: TrailguardConfig,
  headline: (finding: Finding) => string,
  options: { now?: () => Date; policy?: IncidentPolicy; writeSummary?: (lines: string[]) => void } = {},
): IncidentReporter {
  const policy = options.policy ?? incidentPolicy(config);
  const tracker = memoryIncidentTracker(policy);
  const suppressor = createSuppressor(config.suppressions);
  const now = options.now ?? (() => new Date());
  const counts = { pages: 0, updates: 0, suppressed: 0, notAlerted: 0 };
  let held: Array<{ finding: Finding; origin: Origin }> = [];
  let heldKey = "";

  const decide: Decided = (finding, origin, alert) => inner.finding(finding, origin, alert);
  const flush = () => {
    if (held.length === 0) return;
    const group = held;
    held = [];
    const decisions = new Map<Finding, AlertDecision>();
    const told: Finding[] = [];
    for (const { finding } of group) {
      if (!shouldAlert(finding, config)) {
        const reason = finding.exemption?.kind === "responder" ? "trailguard's own move" : `below minAlertSeverity (${config.minAlertSeverity})`;
        decisions.set(finding, { kind: "not-alerted", reason });
        counts.notAlerted++;
        continue;
      }
      const suppression = config.suppressions.length > 0 ? suppressor.suppressionFor(finding, now()) : undefined;
      if (suppression) {
        decisions.set(finding, { kind: "suppressed", suppressionId: suppression.id, reason: suppression.reason });
        counts.suppressed++;
        continue;
      }
      told.push(finding);
    }
    const sorted = worstFirst(told);
    const worst = sorted[0];
    if (worst) {
      const outcome = tracker.recordNow(incidentKeyFor(worst), incidentEventOf(sorted, headline, now));
      if (outcome.kind === "page") counts.pages++;
      else counts.updates++;
      for (const finding of sorted) decisions.set(finding, { kind: outcome.kind, incidentId: outcome.incident.id });
    }
    for (const { finding, origin } of group) decide(finding, origin, decisions.get(finding)!);
  };

  return {
    tracker,
    finding(finding, origin) {
      const key = `${origin.source}\n${origin.position}\n${finding.eventId}`;
      if (key !== heldKey) flush();
      heldKey = key;
      held.push({ finding, origin });
    },
    problem: (problem) => inner.problem(problem),
    ...(inner.progress ? { progress: (summary: ReplaySummary, total: number) => inner.progress?.(summary, total) } : {}),
    fileEnd() {
      flush();
      inner.fileEnd?.();
    },
    end(summary) {
      flush();
      inner.end(summary);
      options.writeSummary?.(formatIncidents(tracker, counts));
    },
    summary: () => ({ incidents: tracker.incidents().length, ...counts }),
  };
}

/** The incidents a backtest would have opened: one line each, most severe first, then by time. */
export function formatIncidents(tracker: MemoryIncidentTracker, counts: { pages: number; updates: number; suppressed: number; notAlerted: number }): string[] {
  const incidents = tracker.incidents();
  const lines = [
    `  alerts: ${incidents.length} incident(s), ${counts.pages} page(s), ${counts.updates} update(s); ${counts.suppressed} finding(s) suppressed, ${counts.notAlerted} not alerted on (below the threshold or trailguard's own)`,
  ];
  const bySeverity = (severity: Severity) => -severityRank(severity);
  const sorted = [...incidents].sort((a, b) => bySeverity(a.highestSeverity) - bySeverity(b.highestSeverity) || a.openedAt - b.openedAt);
  for (const incident of sorted.slice(0, 50)) {
    const pages = incident.timeline.filter((entry) => entry.kind === "page").length;
    // The worst thing that happened says most about the incident.
    const first = incident.timeline.find((entry) => entry.severity === incident.highestSeverity) ?? incident.timeline[0];
    lines.push(
      `    ${incident.id}  ${incident.highestSeverity.toUpperCase().padEnd(8)} ${new Date(incident.openedAt).toISOString().slice(0, 19)}Z  ${String(incident.events).padStart(3)} event(s), ${pages} page(s)  ${first ? first.headline : ""}`,
    );
  }
  if (sorted.length > 50) lines.push(`    (${sorted.length - 50} more incidents)`);
  return lines;
}
