import { type TrailguardConfig } from "../config/config.js";
import type { Finding } from "../model/finding.js";
import type { EventLookups, LookupRequest } from "../model/lookups.js";
import type { WindowCounter } from "../model/window-counts.js";
import { atLeast } from "../model/severity.js";
import type { Logger } from "../model/logger.js";
import type { Analyser } from "./analyse.js";
import type { AlertKind } from "../alerting/alert.js";
import { byEvent } from "../alerting/compose.js";
import type { Suppressor } from "../alerting/suppression.js";
import { NO_METRICS, type RuntimeMetrics } from "../model/metrics.js";

/**
 * One event end to end: analyse (pure), carry out the planned actions, publish alerts. Shared by
 * the Lambda handlers and `replay --mode enforce --publish`. Malformed input is logged and
 * dropped (a retry cannot fix it); a failed alert throws after every finding was handled, so
 * the platform retries and the dead-letter queue keeps the event.
 */
export interface EventHandlerDeps {
  readonly config: TrailguardConfig;
  readonly analyser: Analyser;
  /** Carries out planned actions; never throws (failures are recorded in the actions). */
  readonly respond: (finding: Finding) => Promise<Finding>;
  /**
   * Publishes one alert about one event's findings (most severe first), placed in their
   * principal's incident; undefined: alerts are not published (replay without --publish).
   */
  readonly publish: ((findings: readonly Finding[]) => Promise<PublishedAlert>) | undefined;
  readonly logger: Logger;
  /** "Do not page about this": a muted finding is logged and counted, never published. */
  readonly suppressor?: Suppressor;
  readonly metrics?: RuntimeMetrics;
  /** The clock, for suppressions' expiry. */
  readonly now: () => Date;
  /** Fetches what rules ask to have looked up (read-only calls); undefined: nothing is looked up. */
  readonly lookup?: (requests: readonly LookupRequest[]) => Promise<EventLookups>;
  /**
   * Keeps the counts rules ask for (`countsFor`); undefined: nothing is counted and counting
   * rules stay silent. A failure throws: the event is retried, like a failed idempotency store.
   */
  readonly counter?: WindowCounter;
}

export interface PublishedAlert {
  readonly messageId: string | undefined;
  readonly kind: AlertKind;
  readonly incidentId: string;
}

export interface EventOutcome {
  readonly status: "analysed" | "unsupported" | "malformed";
  readonly findings: readonly Finding[];
  readonly published: number;
}

export class AlertDeliveryError extends Error {
  override readonly name = "AlertDeliveryError";
  constructor(
    message: string,
    readonly failures: readonly unknown[],
    /** Every finding, with its executed actions: the responses happened even though an alert did not. */
    readonly findings: readonly Finding[],
  ) {
    super(message);
  }
}

export async function handleEvent(input: unknown, deps: EventHandlerDeps): Promise<EventOutcome> {
  const requests = deps.lookup ? deps.analyser.lookupsFor(input) : [];
  const lookups = requests.length > 0 && deps.lookup ? await deps.lookup(requests) : undefined;
  const countRequests = deps.counter ? deps.analyser.countsFor(input) : [];
  const counts = countRequests.length > 0 && deps.counter ? await deps.counter.count(countRequests) : undefined;
  const analysis = deps.analyser.analyse(input, { ...(lookups ? { lookups } : {}), ...(counts ? { counts } : {}) });
  if (analysis.kind !== "analysed") {
    deps.logger.log(analysis.kind === "malformed" ? "error" : "info", `event ${analysis.kind}: skipped, no response`, { reason: analysis.reason });
    if (analysis.kind === "malformed") deps.metrics?.malformedInput();
    return { status: analysis.kind, findings: [], published: 0 };
  }
  const { findings, published } = await respondAndAlert(analysis.findings, deps);
  return { status: "analysed", findings, published };
}

/**
 * Carries out each finding's actions, then tells the on-call: one alert per event with every
 * finding of it worth telling (at or above `minAlertSeverity`, not trailguard's own move, not
 * suppressed). Alert failures throw at the end, after every finding was acted on.
 */
export async function respondAndAlert(
  planned: readonly Finding[],
  deps: Omit<EventHandlerDeps, "analyser">,
): Promise<{ findings: Finding[]; published: number }> {
  const findings: Finding[] = [];
  const failures: unknown[] = [];
  const metrics = deps.metrics ?? NO_METRICS;
  let published = 0;
  const toTell: Finding[] = [];
  for (const plannedFinding of planned) {
    const finding = await deps.respond(plannedFinding);
    findings.push(finding);
    metrics.findingRaised(finding);
    metrics.actionsCarriedOut(finding);
    deps.logger.log("info", "finding", {
      findingId: finding.findingId,
      eventId: finding.eventId,
      ruleId: finding.ruleId,
      severity: finding.severity,
      summary: finding.summary,
      actions: finding.actions.map((action) => ({ type: action.type, status: action.status, reason: action.reason })),
    });
    if (!shouldAlert(finding, deps.config)) continue;
    const suppression = deps.suppressor?.suppressionFor(finding, deps.now());
    if (suppression) {
      metrics.alertSuppressed(finding, suppression.id);
      deps.logger.log("info", "alert suppressed", { findingId: finding.findingId, suppressionId: suppression.id, reason: suppression.reason, expires: suppression.expires });
      continue;
    }
    toTell.push(finding);
  }
  if (deps.publish === undefined) return { findings, published };
  for (const eventFindings of byEvent(toTell)) {
    try {
      const alert = await deps.publish(eventFindings);
      published++;
      metrics.alertPublished(alert.kind);
      deps.logger.log("info", "alert published", {
        findingIds: eventFindings.map((finding) => finding.findingId),
        messageId: alert.messageId,
        alertKind: alert.kind,
        incidentId: alert.incidentId,
      });
    } catch (error) {
      failures.push(error);
      deps.logger.log("error", "alert not published", { findingIds: eventFindings.map((finding) => finding.findingId), error: String(error) });
    }
  }
  if (failures.length > 0) {
    throw new AlertDeliveryError(`${failures.length} alert(s) could not be published: ${String(failures[0])}`, failures, findings);
  }
  return { findings, published };
}

/**
 * Alert at or above the configured severity, except on trailguard's own calls: its containment
 * (revoke policies, key deactivations) must not page the on-call a second time.
 */
export function shouldAlert(finding: Finding, config: TrailguardConfig): boolean {
  return atLeast(finding.severity, config.minAlertSeverity) && finding.exemption?.kind !== "responder";
}
