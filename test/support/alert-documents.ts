/**
 * Alert documents for the Security Hub exporter's tests: the machine-readable copy of an alert
 * (`AlertDocument`, shared/core/alerting/alert.ts) as SNS delivers it to an SQS subscriber, built
 * from real findings without the renderer, so the exporter is tested against the contract alone.
 */
import { ALERT_DOCUMENT_SCHEMA, type AlertDocument, type AlertKind } from "../../shared/core/alerting/alert.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { ACCOUNT } from "./records.js";

export const DOCUMENT_INCIDENT_ID = "TG-5f3a9c1e0a1b";

export function alertDocumentOf(findings: readonly Finding[], options: { kind?: AlertKind; incidentId?: string; accountName?: string } = {}): AlertDocument {
  const [worst] = findings;
  if (!worst) throw new Error("alertDocumentOf: no findings");
  const at = worst.event.eventTime ?? "2024-05-01T12:00:00Z";
  const kind = options.kind ?? "page";
  return {
    schema: ALERT_DOCUMENT_SCHEMA,
    kind,
    subject: `[${worst.severity.toUpperCase()}] ${worst.title}`.slice(0, 99),
    account: { id: worst.event.account ?? ACCOUNT, name: options.accountName },
    incident: {
      id: options.incidentId ?? DOCUMENT_INCIDENT_ID,
      key: `user|${worst.actor.arn ?? "unknown"}`,
      openedAt: at,
      lastAt: at,
      highestSeverity: worst.severity,
      pagedSeverity: worst.severity,
      events: 1,
      timeline: [
        {
          at,
          eventId: worst.eventId,
          eventName: worst.event.eventName,
          findingIds: findings.map((finding) => finding.findingId),
          ruleIds: findings.map((finding) => finding.ruleId),
          severity: worst.severity,
          headline: worst.title,
          kind,
        },
      ],
      omitted: 0,
    },
    findings,
  };
}

/** The document as an SQS subscriber with raw message delivery receives it: the JSON text. */
export function documentBody(document: AlertDocument): string {
  return JSON.stringify(document);
}
