import type { Finding } from "../model/finding.js";
import type { Severity } from "../model/severity.js";

/**
 * What the on-call is told about one event: every finding the event raised (in the function that
 * judged it) in one message, placed in the incident of the principal that acted. The first alert
 * of an incident pages; later ones update it (same incident id, threaded subject, the timeline)
 * unless the severity rises above what was paged, which pages again.
 */
export type AlertKind = "page" | "update";

/** One event's entry in an incident's timeline: what the on-call reads to see the attack unfold. */
export interface IncidentEntry {
  /** The event's time (ISO 8601, CloudTrail's eventTime). */
  readonly at: string;
  readonly eventId: string;
  /**
   * The event's identity for recognising a retry: its id and the digest of its content, so a
   * forged record reusing a real eventID is another event (it cannot pass for the real one's page).
   */
  readonly eventKey?: string;
  readonly eventName: string;
  /** The finding ids this event raised and alerted about (a retry of the same event is recognised by them). */
  readonly findingIds: readonly string[];
  readonly ruleIds: readonly string[];
  /** The worst severity of the event's findings. */
  readonly severity: Severity;
  /** One line, ASCII: what happened (the subject's headline without the severity). */
  readonly headline: string;
  /** Whether this event paged or updated the incident. */
  readonly kind: AlertKind;
}

/** The incident as the alert shows it. */
export interface IncidentView {
  /** Stable for the incident's life, e.g. "TG-5f3a9c1e": in the subject, the thread and every message. */
  readonly id: string;
  /** Who the incident is about, as a grouping key (e.g. `user|arn:aws:iam::111122223333:user/mallory`). */
  readonly key: string;
  /** When its first event happened (ISO 8601). */
  readonly openedAt: string;
  /** When its latest event happened (ISO 8601). */
  readonly lastAt: string;
  readonly highestSeverity: Severity;
  /** The highest severity that paged: a finding above it pages again. */
  readonly pagedSeverity: Severity;
  /** Events alerted about in this incident so far, this one included. */
  readonly events: number;
  /** Oldest first (by event time), this event's entry among them; bounded (the first entry is always kept). */
  readonly timeline: readonly IncidentEntry[];
  /** Entries dropped from the middle of the timeline to keep it bounded. */
  readonly omitted: number;
}

/** Everything a message is rendered from; pure data. */
export interface Alert {
  readonly kind: AlertKind;
  /** One event's findings to alert about, most severe first (at least one). */
  readonly findings: readonly Finding[];
  readonly incident: IncidentView;
  /** The account's name (configuration `accountNames`, or its IAM account alias), when known. */
  readonly accountName: string | undefined;
}

/**
 * The machine-readable copy of an alert: SNS delivers it to SQS, Lambda, HTTP(S) (unless HTTPS is
 * the Chatbot format) and `email-json` subscribers. Versioned: consumers check `schema`.
 */
export interface AlertDocument {
  readonly schema: "trailguard.alert/1";
  readonly kind: AlertKind;
  readonly subject: string;
  readonly account: { readonly id: string | undefined; readonly name: string | undefined };
  readonly incident: IncidentView;
  readonly findings: readonly Finding[];
  /** Set when the findings' evidence (policy documents) was shortened to fit SNS's size limit. */
  readonly truncated?: string;
}

export const ALERT_DOCUMENT_SCHEMA = "trailguard.alert/1";
