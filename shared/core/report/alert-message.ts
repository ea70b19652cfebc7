import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import { type UndoStep } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { PLAIN, formatFinding, safeText } from "./format-finding.js";

/**
 * Turns a finding (with its executed actions) into an SNS message the on-call can act on:
 * a subject SNS accepts (ASCII, no control characters, under 100 characters, severity first),
 * a body for humans first and the structured finding after it, and attributes subscribers can
 * filter on (e.g. page only on critical). Pure: no AWS calls.
 */
export interface AlertMessage {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

export type AlertFormat = "text" | "chatbot";

/** SNS rejects messages over 256 KB (262,144 bytes, attributes included); keep a margin. */
export const MESSAGE_BYTE_BUDGET = 240_000;
const SUBJECT_MAX = 99;
const DOCUMENT_CHAR_LIMITS = [48_000, 12_000, 3_000, 500, 0];

export function buildAlert(finding: Finding, format: AlertFormat = "text"): AlertMessage {
  const subject = alertSubject(finding);
  const attributes = alertAttributes(finding);
  for (const limit of DOCUMENT_CHAR_LIMITS) {
    const trimmed = trimFinding(finding, limit);
    const message = format === "chatbot" ? chatbotMessage(trimmed.finding, trimmed.note) : textMessage(trimmed.finding, trimmed.note);
    if (Buffer.byteLength(message) <= MESSAGE_BYTE_BUDGET) return { subject, message, attributes };
  }
  // Still too large without the document (e.g. thousands of reasons): keep the human part, drop
  // the structured copy rather than cut it into invalid JSON, and say so.
  const human = textMessage(trimFinding(finding, 0).finding, "finding too large", false);
  const note = "\n\n(structured finding omitted: too large for one SNS message; replay the event for the full finding)";
  return { subject, message: `${Buffer.from(human).subarray(0, MESSAGE_BYTE_BUDGET - 200).toString("utf8")}${note}`, attributes };
}

export function alertSubject(finding: Finding): string {
  const account = finding.event.account ? ` in ${finding.event.account}` : "";
  const raw = `[${finding.severity.toUpperCase()}] ${finding.title}${account}`;
  // Printable ASCII only: SNS rejects control characters and non-ASCII in subjects.
  const ascii = raw.replace(/[^\x20-\x7e]/g, "?").replace(/\s+/g, " ").trim();
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

export function alertAttributes(finding: Finding): Record<string, MessageAttributeValue> {
  const attribute = (value: string | undefined): MessageAttributeValue => ({
    DataType: "String",
    StringValue: (value ?? "unknown").replace(/[^\x20-\x7e]/g, "?").slice(0, 256) || "unknown",
  });
  return {
    severity: attribute(finding.severity),
    category: attribute(finding.category),
    ruleId: attribute(finding.ruleId),
    account: attribute(finding.event.account),
  };
}

/** Link to the event in the CloudTrail console, only when region and id look like AWS's own. */
export function consoleLink(finding: Finding): string | undefined {
  const { region, eventId, eventIdIsSynthetic } = finding.event;
  if (eventIdIsSynthetic || !region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || !/^[\w-]{1,64}$/.test(eventId)) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${eventId}`;
}

function trimFinding(finding: Finding, documentLimit: number): { finding: Finding; note: string | undefined } {
  const document = finding.evidence?.policyDocument;
  if (document === undefined || document.length <= documentLimit) return { finding, note: undefined };
  const shown = document.slice(0, documentLimit);
  const note = `policy document truncated: ${documentLimit} of ${document.length} characters shown`;
  const reasons = finding.reasons.length > 20 ? [...finding.reasons.slice(0, 20), `(${finding.reasons.length - 20} more reasons not shown)`] : finding.reasons;
  return { finding: { ...finding, reasons, evidence: { policyDocument: shown } }, note };
}

function textMessage(finding: Finding, note: string | undefined, withJson = true): string {
  const link = consoleLink(finding);
  const document = finding.evidence?.policyDocument;
  const parts = [
    formatFinding(finding, PLAIN).join("\n"),
    ...(finding.exemption ? [`  note    actor is exempt (${finding.exemption.kind}: ${safeText(finding.exemption.matched)}): alerted on, not acted on`] : []),
    "",
    link ? `CloudTrail event: ${link}` : `CloudTrail event id: ${safeText(finding.event.eventId)}`,
  ];
  const release = releaseLines(finding);
  if (release.length > 0) parts.push("", ...release);
  if (document !== undefined) {
    parts.push("", `Policy document as recorded${note ? ` (${note})` : ""}:`, document.length > 0 ? document : "(omitted)");
  }
  if (withJson) parts.push("", "--- structured finding (JSON) ---", JSON.stringify(finding, null, 2));
  return parts.join("\n");
}

/** AWS Chatbot / Amazon Q Developer custom notification, for Slack and Microsoft Teams channels. */
function chatbotMessage(finding: Finding, note: string | undefined): string {
  const link = consoleLink(finding);
  const actions = finding.actions.map((action) => `${action.status.toUpperCase()} ${action.type}: ${safeText(action.reason, 300)}`);
  return JSON.stringify({
    version: "1.0",
    source: "custom",
    id: finding.findingId.slice(0, 128),
    content: {
      textType: "client-markdown",
      title: alertSubject(finding),
      description: [
        safeText(finding.summary, 500),
        `*Who:* ${safeText(finding.actor.arn)} · *Where:* ${safeText(finding.event.account)} / ${safeText(finding.event.region)} from ${safeText(finding.event.sourceIp)} · *When:* ${safeText(finding.event.eventTime)}`,
        `*Why it matters:* ${finding.whyItMatters}`,
        `*Actions:* ${actions.length > 0 ? actions.join("; ") : "none (alert only)"}`,
        ...(link ? [`<${link}|CloudTrail event>`] : []),
        ...(note ? [`_${note}_`] : []),
      ].join("\n"),
      nextSteps: [finding.runbook, ...(releaseLines(finding).length > 0 ? [`If this was legitimate: npm run release -- ${safeText(finding.findingId)}`] : [])],
      keywords: [finding.severity, finding.category, finding.ruleId],
    },
    metadata: {
      threadId: finding.eventId.slice(0, 128),
      summary: alertSubject(finding),
      eventType: finding.ruleId,
      relatedResources: [finding.actor.arn, finding.target?.arn].filter((value): value is string => typeof value === "string"),
      additionalContext: {
        severity: finding.severity,
        account: finding.event.account ?? "unknown",
        eventId: finding.eventId,
      },
    },
  });
}

/**
 * How to undo what trailguard changed, when it changed anything: the release command (recorded,
 * so its own calls are not contained again) and the same steps as AWS CLI commands.
 */
export function releaseLines(finding: Finding): string[] {
  const steps = finding.actions.flatMap((action) => action.undo ?? []);
  if (steps.length === 0) return [];
  return [
    "If this was legitimate, release the containment (undoes exactly the changes above, and is recorded so it is not contained again):",
    `  npm run release -- ${safeText(finding.findingId)}`,
    "  or by hand, after `npm run release -- <id> --record-only`:",
    ...steps.map((step) => `  ${cliCommand(step)}`),
  ];
}

function cliCommand(step: UndoStep): string {
  const text = (value: string) => safeText(value, 200);
  switch (step.kind) {
    case "reactivate-access-key":
      return `aws iam update-access-key --user-name ${text(step.userName)} --access-key-id ${text(step.accessKeyId)} --status Active`;
    case "detach-policy":
      return `aws iam detach-${step.principal.kind}-policy --${step.principal.kind}-name ${text(step.principal.name)} --policy-arn ${text(step.policyArn)}`;
    case "delete-inline-policy":
      return `aws iam delete-${step.principal.kind}-policy --${step.principal.kind}-name ${text(step.principal.name)} --policy-name ${text(step.policyName)}`;
  }
}
