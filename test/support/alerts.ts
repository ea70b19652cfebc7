/**
 * Alerts for tests: one event's findings placed in an incident, as `composeAlert` would place
 * them, without a tracker. `earlier` entries come before this event's (oldest first).
 */
import type { Alert, AlertKind, IncidentEntry } from "../../shared/core/alerting/alert.js";
import { incidentEventOf, worstFirst } from "../../shared/core/alerting/compose.js";
import { incidentKeyFor } from "../../shared/core/alerting/incident.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { maxSeverity } from "../../shared/core/model/severity.js";
import { alertHeadline } from "../../shared/core/report/alert-message.js";

export const INCIDENT_ID = "TG-5f3a9c1e0a1b";

/** The timeline entry an event's findings make (what composeAlert records). */
export function entryOf(findings: readonly Finding[], kind: AlertKind, at?: string): IncidentEntry {
  const sorted = worstFirst(findings);
  const { entry } = incidentEventOf(sorted, alertHeadline, () => new Date("2024-05-01T12:00:00Z"));
  // The event's time as recorded (tests read it back as written), not normalised.
  return { ...entry, at: at ?? sorted[0]?.event.eventTime ?? "2024-05-01T12:00:00Z", kind };
}

export interface AlertOptions {
  readonly kind?: AlertKind;
  readonly accountName?: string;
  /** Entries of earlier events of the incident, oldest first. */
  readonly earlier?: readonly IncidentEntry[];
  /** Entries dropped from the middle of the timeline. */
  readonly omitted?: number;
  readonly incidentId?: string;
}

export function alertOf(eventFindings: readonly Finding[], options: AlertOptions = {}): Alert {
  const findings = worstFirst(eventFindings);
  const worst = findings[0];
  if (worst === undefined) throw new Error("alertOf: no findings");
  const kind = options.kind ?? "page";
  const earlier = options.earlier ?? [];
  const entry = entryOf(findings, kind);
  const timeline = [...earlier, entry];
  const pages = timeline.filter((item) => item.kind === "page");
  return {
    kind,
    findings,
    accountName: options.accountName,
    incident: {
      id: options.incidentId ?? INCIDENT_ID,
      key: incidentKeyFor(worst),
      openedAt: timeline[0]?.at ?? entry.at,
      lastAt: entry.at,
      highestSeverity: timeline.map((item) => item.severity).reduce(maxSeverity),
      pagedSeverity: (pages[pages.length - 1] ?? entry).severity,
      events: timeline.length + (options.omitted ?? 0),
      timeline,
      omitted: options.omitted ?? 0,
    },
  };
}
