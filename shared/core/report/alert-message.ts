import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import { ALERT_DOCUMENT_SCHEMA, type Alert, type AlertDocument, type IncidentEntry } from "../alerting/alert.js";
import type { Finding } from "../model/finding.js";
import { chatbotNotification } from "./chatbot.js";
import { consoleLink, iamConsoleLink, investigationCommands, partitionOf, releaseLines } from "./commands.js";
import { PLAIN, formatActionLines, formatFindingFacts, safeText } from "./format-finding.js";
import { type SubjectParts, SUBJECT_MAX, alertHeadline, pageSubject, printableAscii, smsText } from "./headline.js";
import { type ActionStep, actionSteps } from "./next-steps.js";

export { alertHeadline } from "./headline.js";
export { consoleLink, releaseLines } from "./commands.js";

/**
 * One alert per event, rendered once per protocol: SNS delivers the key of `message` that matches
 * each subscription (`MessageStructure: "json"`), so e-mail gets text a person reads in ten
 * seconds and acts on in sixty, SMS a line, Chatbot its custom notification, and SQS, Lambda,
 * HTTP(S) and Firehose the versioned JSON document. Pure: no AWS calls, no clock.
 */
export interface AlertMessage {
  /** ASCII, under 100 characters, severity first; an update is "Re: " and its page's subject. */
  readonly subject: string;
  /** The SNS message: a JSON object with a body per protocol. */
  readonly message: string;
  readonly messageStructure: "json";
  /** For subscription filter policies: severity, category, ruleId, ruleIds, account, incidentId, alertKind. */
  readonly attributes: Record<string, MessageAttributeValue>;
  /** The JSON document as sent (shortened when it had to be). */
  readonly document: AlertDocument;
}

export interface AlertMessageOptions {
  /** What HTTPS subscribers get: the Chatbot custom notification (AWS Chatbot subscribes over HTTPS) or the JSON document. */
  readonly httpsFormat: "chatbot" | "json";
}

/** SNS rejects messages over 256 KB (262,144 bytes: subject, message and attributes); keep a margin. */
export const MESSAGE_BYTE_BUDGET = 240_000;

/**
 * What is shortened, step by step, until the whole message fits: the policy documents recorded as
 * evidence, the reasons per finding, any other long value (a 100 KB user agent), the finding ids
 * in the timeline, and last the number of findings shown in full (the most severe kept). Each
 * step is said in the document's `truncated` and at the top of the text; JSON is never cut.
 */
const ALL = Number.POSITIVE_INFINITY;
const LADDER: readonly Shortening[] = [
  { documentChars: ALL, reasons: ALL, strings: ALL, findings: ALL, timelineIds: ALL },
  { documentChars: 24_000, reasons: 200, strings: 8_000, findings: ALL, timelineIds: ALL },
  { documentChars: 12_000, reasons: 100, strings: 4_000, findings: ALL, timelineIds: ALL },
  { documentChars: 6_000, reasons: 50, strings: 2_000, findings: ALL, timelineIds: ALL },
  { documentChars: 3_000, reasons: 20, strings: 1_000, findings: ALL, timelineIds: ALL },
  { documentChars: 1_000, reasons: 10, strings: 500, findings: ALL, timelineIds: 50 },
  { documentChars: 0, reasons: 5, strings: 300, findings: ALL, timelineIds: 50 },
  { documentChars: 0, reasons: 5, strings: 300, findings: 10, timelineIds: 10 },
  { documentChars: 0, reasons: 3, strings: 200, findings: 3, timelineIds: 3 },
  { documentChars: 0, reasons: 1, strings: 200, findings: 1, timelineIds: 1 },
];

interface Shortening {
  /** Characters of each policy document kept as evidence. */
  readonly documentChars: number;
  /** Reasons kept per finding. */
  readonly reasons: number;
  /** Characters kept of any other string of a finding (a user agent, a recorded name or ARN). */
  readonly strings: number;
  /** Findings shown in full (the most severe). */
  readonly findings: number;
  /** Finding and rule ids kept per timeline entry of the incident. */
  readonly timelineIds: number;
}

/** The findings as this message shows them, the alert with its timeline as shown, and what was shortened. */
interface Shown {
  readonly alert: Alert;
  readonly findings: readonly Finding[];
  readonly note: string | undefined;
}

export function buildAlertMessage(alert: Alert, options: AlertMessageOptions): AlertMessage {
  if (alert.findings.length === 0) throw new Error("buildAlertMessage: an alert needs at least one finding");
  const subject = alertSubject(alert);
  const attributes = alertAttributes(alert);
  const fixedBytes = Buffer.byteLength(subject) + attributeBytes(attributes);
  for (const level of LADDER) {
    const shown = shorten(alert, level);
    const document = alertDocument(shown.alert, subject, shown);
    const json = JSON.stringify(document);
    // The document goes to five protocols: when those alone cannot fit, the next level is tried
    // without rendering the rest.
    if (5 * Buffer.byteLength(json) + fixedBytes > MESSAGE_BYTE_BUDGET) continue;
    const message = render(shown.alert, subject, shown, json, options);
    if (Buffer.byteLength(message) + fixedBytes <= MESSAGE_BYTE_BUDGET) return { subject, attributes, messageStructure: "json", message, document };
  }
  // Only absurd input gets here (findings carrying huge text): describe the most severe finding
  // alone, shortened further, and say so in every body, rather than send something SNS refuses.
  const last = shorten(alert, { documentChars: 0, reasons: 1, strings: 100, findings: 1, timelineIds: 1 });
  const worst = last.findings[0] as Finding;
  const minimal: Finding = { ...worst, summary: worst.summary.slice(0, 1000), whyItMatters: worst.whyItMatters.slice(0, 1000), actions: worst.actions.slice(0, 10), runbook: worst.runbook.slice(0, 2000) };
  const note = `this alert was too large for one SNS message even shortened (${alert.findings.length} findings); only the most severe is described, in part: replay the event for the rest`;
  const lastAlert: Alert = { ...last.alert, incident: { ...last.alert.incident, timeline: last.alert.incident.timeline.slice(-1) } };
  const shown: Shown = { alert: lastAlert, findings: [minimal], note };
  const document = alertDocument(lastAlert, subject, shown);
  return { subject, attributes, messageStructure: "json", message: render(lastAlert, subject, shown, JSON.stringify(document), options), document };
}

function alertDocument(alert: Alert, subject: string, shown: Shown): AlertDocument {
  const worst = alert.findings[0] as Finding;
  return {
    schema: ALERT_DOCUMENT_SCHEMA,
    kind: alert.kind,
    subject,
    account: { id: worst.event.account, name: alert.accountName },
    incident: alert.incident,
    findings: shown.findings,
    ...(shown.note ? { truncated: shown.note } : {}),
  };
}

function render(alert: Alert, subject: string, shown: Shown, json: string, options: AlertMessageOptions): string {
  const steps = actionSteps(shown.findings);
  const header = headerLine(alert);
  const text = emailText(alert, shown, steps, header);
  const https = options.httpsFormat === "chatbot" ? chatbotNotification({ alert, findings: shown.findings, subject, header, steps, note: shown.note }) : json;
  // Each body is quoted once and reused: the document goes to five protocols.
  const quotedText = JSON.stringify(text);
  const quotedJson = JSON.stringify(json);
  const quotedHttps = https === json ? quotedJson : JSON.stringify(https);
  const sms = JSON.stringify(smsText({ ...subjectParts(alert), kind: alert.kind }));
  return `{"default":${quotedText},"email":${quotedText},"email-json":${quotedJson},"sms":${sms},"sqs":${quotedJson},"lambda":${quotedJson},"http":${quotedJson},"https":${quotedHttps},"firehose":${quotedJson}}`;
}

// ---------------------------------------------------------------------------------------------
// Subject and attributes
// ---------------------------------------------------------------------------------------------

function subjectParts(alert: Alert): SubjectParts {
  const worst = alert.findings[0] as Finding;
  return {
    severity: worst.severity,
    headline: alertHeadline(worst),
    account: worst.event.account,
    accountName: alert.accountName,
    more: alert.findings.length - 1,
    incidentId: alert.incident.id,
  };
}

/** The page this incident last sent, from its timeline (the first entry always pages). */
function latestPage(alert: Alert): IncidentEntry | undefined {
  const timeline = alert.incident.timeline;
  for (let index = timeline.length - 1; index >= 0; index--) {
    const entry = timeline[index];
    if (entry?.kind === "page" && entry.eventId !== (alert.findings[0] as Finding).eventId) return entry;
  }
  return timeline.find((entry) => entry.kind === "page");
}

/**
 * A page: `[CRITICAL] mallory attached AdministratorAccess to newadmin in prod (111122223333)
 * [TG-…]`. An update: `Re: ` and the subject its incident's latest page had, rebuilt from that
 * page's timeline entry, so mail clients thread it under the page.
 */
export function alertSubject(alert: Alert): string {
  const current = subjectParts(alert);
  if (alert.kind === "page") return pageSubject(current);
  const page = latestPage(alert);
  const parts: SubjectParts = page
    ? { ...current, severity: page.severity, headline: page.headline, more: Math.max(page.findingIds.length - 1, 0) }
    : current;
  return `Re: ${pageSubject(parts)}`.slice(0, SUBJECT_MAX);
}

const ATTRIBUTE_MAX = 256;

function attributeValue(value: string | undefined): MessageAttributeValue {
  return { DataType: "String", StringValue: printableAscii(value ?? "").slice(0, ATTRIBUTE_MAX) || "unknown" };
}

/** Every rule id of the event, as a JSON array within 256 characters (a filter policy matches any element). */
function ruleIdsValue(findings: readonly Finding[]): string {
  const ids: string[] = [];
  for (const id of new Set(findings.map((finding) => printableAscii(finding.ruleId).replace(/["\\]/g, "?")))) {
    if (JSON.stringify([...ids, id]).length > ATTRIBUTE_MAX) break;
    ids.push(id);
  }
  return JSON.stringify(ids);
}

/**
 * What subscription filter policies key on (the stack's e-mail subscription takes
 * `{"alertKind": ["page"]}`): the worst finding's severity, category and rule, every rule of the
 * event (`String.Array`), the account, the incident and whether this pages.
 */
export function alertAttributes(alert: Alert): Record<string, MessageAttributeValue> {
  const worst = alert.findings[0] as Finding;
  return {
    severity: attributeValue(worst.severity),
    category: attributeValue(worst.category),
    ruleId: attributeValue(worst.ruleId),
    ruleIds: { DataType: "String.Array", StringValue: ruleIdsValue(alert.findings) },
    account: attributeValue(worst.event.account),
    incidentId: attributeValue(alert.incident.id),
    alertKind: attributeValue(alert.kind),
  };
}

function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? ""),
    0,
  );
}

// ---------------------------------------------------------------------------------------------
// Shortening
// ---------------------------------------------------------------------------------------------

function shorten(alert: Alert, level: Shortening): Shown {
  const findings = alert.findings;
  const said: string[] = [];
  const kept = findings.slice(0, level.findings);
  if (kept.length < findings.length) said.push(`${kept.length} of ${findings.length} findings shown (the most severe)`);
  let longestDocument = 0;
  let documentsCut = 0;
  let reasonsCut = 0;
  let stringsCut = 0;
  const shortened = kept.map((finding) => {
    const document = finding.evidence?.policyDocument;
    let evidence = finding.evidence;
    if (document !== undefined && document.length > level.documentChars) {
      documentsCut++;
      longestDocument = Math.max(longestDocument, document.length);
      evidence = {
        policyDocument:
          level.documentChars > 0
            ? `${document.slice(0, level.documentChars)}\n... (truncated: ${level.documentChars} of ${document.length} characters shown)`
            : `(omitted: ${document.length} characters, too large for one SNS message)`,
      };
    }
    let reasons = finding.reasons;
    if (reasons.length > level.reasons) {
      reasonsCut++;
      reasons = [...reasons.slice(0, level.reasons), `(${reasons.length - level.reasons} more reasons not shown)`];
    }
    const capped = capStrings({ ...finding, reasons, evidence: undefined }, level.strings);
    if (capped.cut) stringsCut++;
    return capped.cut || evidence !== finding.evidence || reasons !== finding.reasons ? { ...capped.value, evidence } : finding;
  });
  if (documentsCut > 0) {
    said.push(
      level.documentChars > 0
        ? `policy documents cut to ${level.documentChars} characters (${documentsCut} cut, the longest had ${longestDocument})`
        : `policy documents omitted (${documentsCut}, the longest had ${longestDocument} characters)`,
    );
  }
  if (reasonsCut > 0) said.push(`reasons cut to ${level.reasons} per finding`);
  if (stringsCut > 0) said.push(`long values (user agents, names, ARNs) cut to ${level.strings} characters`);
  let idsCut = false;
  const timeline = alert.incident.timeline.map((entry) => {
    if (entry.findingIds.length <= level.timelineIds && entry.ruleIds.length <= level.timelineIds) return entry;
    idsCut = true;
    return { ...entry, findingIds: entry.findingIds.slice(0, level.timelineIds), ruleIds: entry.ruleIds.slice(0, level.timelineIds) };
  });
  if (idsCut) said.push(`finding ids in the incident's timeline cut to ${level.timelineIds} per event`);
  const note = said.length > 0 ? `shortened to fit one SNS message (256 KB): ${said.join("; ")}. The event itself is in CloudTrail; replay it for the full findings.` : undefined;
  return { alert: idsCut ? { ...alert, incident: { ...alert.incident, timeline } } : alert, findings: shortened, note };
}

/** Every string in a finding (its evidence aside) within `max` characters, the cut marked; the shape unchanged. */
function capStrings(finding: Finding, max: number): { value: Finding; cut: boolean } {
  if (!Number.isFinite(max)) return { value: finding, cut: false };
  let cut = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") {
      if (value.length <= max) return value;
      cut = true;
      return `${value.slice(0, max)}... (cut: ${value.length} characters)`;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    return value;
  };
  const value = walk(finding) as Finding;
  return { value: cut ? value : finding, cut };
}

// ---------------------------------------------------------------------------------------------
// The e-mail text
// ---------------------------------------------------------------------------------------------

/** `PAGE · incident TG-… · 1 finding from this event · incident opened … · 1 event in the incident`. */
function headerLine(alert: Alert): string {
  const { incident } = alert;
  const count = alert.findings.length;
  const repage = alert.kind === "page" && incident.events > 1;
  const kind =
    alert.kind === "update"
      ? `UPDATE to incident ${safeText(incident.id, 40)} (paged at ${incident.pagedSeverity.toUpperCase()})`
      : repage
        ? `PAGE again: incident ${safeText(incident.id, 40)}, the severity rose to ${incident.pagedSeverity.toUpperCase()}`
        : `PAGE: incident ${safeText(incident.id, 40)}`;
  return `${kind} · ${count} finding${count === 1 ? "" : "s"} from this event · incident opened ${safeText(incident.openedAt, 40)} · ${incident.events} event${incident.events === 1 ? "" : "s"} in the incident`;
}

function emailText(alert: Alert, shown: Shown, steps: readonly ActionStep[], header: string): string {
  const { findings } = shown;
  const lines: string[] = [header];
  if (shown.note) lines.push(`NOTE: ${shown.note}`);
  lines.push("");

  for (const [index, finding] of findings.entries()) {
    if (alert.findings.length > 1) lines.push(`Finding ${index + 1} of ${alert.findings.length}`);
    lines.push(...formatFindingFacts(finding, PLAIN, { accountName: alert.accountName }));
    if (finding.exemption) lines.push(`  note    actor is exempt (${finding.exemption.kind}: ${safeText(finding.exemption.matched)}): alerted on, not acted on`);
    lines.push("");
  }

  lines.push("What trailguard did");
  for (const finding of findings) {
    const indent = findings.length > 1 ? "    " : "  ";
    if (findings.length > 1) lines.push(`  ${safeText(finding.title, 200)} (${finding.ruleId}):`);
    const actions = formatActionLines(finding);
    lines.push(...(actions.length > 0 ? actions.map((action) => `${indent}${action}`) : [`${indent}nothing: alert only`]));
  }

  lines.push("", "Next steps");
  let number = 0;
  for (const step of steps) {
    lines.push(`  ${++number}. ${step.lead}`);
    for (const command of step.commands) lines.push(command.ok ? `       ${command.text}` : `       (no command: ${command.why})`);
    if (step.note) lines.push(`       ${step.note}`);
  }
  const runbooks = [...new Map(findings.map((finding) => [finding.ruleId, finding])).values()];
  for (const finding of runbooks) lines.push(`  ${++number}. Runbook (${finding.ruleId}): ${finding.runbook}`);

  const investigations = investigationCommands(findings, alert.incident.openedAt);
  if (investigations.length > 0) {
    lines.push("", "Investigate (each value below matched AWS's format before it was put in a command)");
    for (const { purpose, command } of investigations) {
      lines.push(`  # ${purpose}`);
      lines.push(command.ok ? `  ${command.text}` : `  (no command: ${command.why})`);
    }
  }

  lines.push("", "Console");
  lines.push(...consoleLines(findings));

  const release = findings.flatMap((finding) => {
    const found = releaseLines(finding);
    return found.length > 0 && findings.length > 1 ? [`${finding.ruleId}:`, ...found] : found;
  });
  if (release.length > 0) lines.push("", ...release);

  if (alert.kind === "update" || alert.incident.events > 1 || alert.incident.timeline.length > 1) {
    lines.push("", ...timelineLines(alert));
  }

  for (const finding of findings) {
    const document = finding.evidence?.policyDocument;
    if (document === undefined) continue;
    lines.push("", `Policy document as recorded (${finding.ruleId}):`, document.length > 0 ? evidenceBlock(document) : "    (empty)");
  }
  return lines.join("\n");
}

/**
 * A recorded document as a block: indented four spaces, its line breaks kept (pretty JSON reads
 * as JSON) and every other control character escaped, so an unparseable document cannot forge
 * lines of the alert or carry terminal escapes.
 */
function evidenceBlock(document: string): string {
  return document
    .split("\n")
    .map((line) => `    ${line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`)
    .join("\n");
}

function consoleLines(findings: readonly Finding[]): string[] {
  const worst = findings[0] as Finding;
  const lines: string[] = [];
  const event = consoleLink(worst);
  lines.push(event ? `  CloudTrail event: ${event}` : `  CloudTrail event id: ${safeText(worst.event.eventId)} (no console link: the region or event id is not in AWS's form)`);
  const partition = partitionOf(worst);
  const seen = new Set<string>();
  // Linked only by a valid IAM name, so the name is shown as it is.
  const add = (kind: "user" | "role", name: string | undefined, role: string) => {
    const link = iamConsoleLink(kind, name, partition);
    if (link === undefined || seen.has(link)) return;
    seen.add(link);
    lines.push(`  IAM ${kind} ${name} (${role}): ${link}`);
  };
  if (worst.actor.type === "IAMUser") add("user", worst.actor.principalName, "the actor");
  if (worst.actor.type === "AssumedRole") add("role", worst.actor.principalName, "the actor");
  for (const finding of findings) {
    const target = finding.target;
    if (target?.kind === "user" || target?.kind === "access-key") add("user", target.userName ?? target.name, "the target");
    if (target?.kind === "role") add("role", target.name, "the target");
  }
  return lines;
}

function timelineLines(alert: Alert): string[] {
  const { incident } = alert;
  const thisEvent = (alert.findings[0] as Finding).eventId;
  const lines = [`Incident ${safeText(incident.id, 40)} so far (oldest first; ${incident.events} event${incident.events === 1 ? "" : "s"}${incident.omitted > 0 ? `, ${incident.omitted} not shown` : ""})`];
  for (const [index, entry] of incident.timeline.entries()) {
    const marker = entry.eventId === thisEvent ? "  <- this event" : "";
    lines.push(
      `  ${safeText(entry.at, 40)}  ${entry.kind.toUpperCase().padEnd(6)}  ${entry.severity.toUpperCase().padEnd(8)}  ${safeText(printableAscii(entry.headline), 200)} [${safeText(entry.eventName, 64)}]${marker}`,
    );
    if (index === 0 && incident.omitted > 0) lines.push(`  ... ${incident.omitted} event${incident.omitted === 1 ? "" : "s"} not shown ...`);
  }
  return lines;
}
