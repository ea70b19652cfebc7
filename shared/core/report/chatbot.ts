import { parseArn } from "../arn/arn.js";
import type { Alert } from "../alerting/alert.js";
import type { Finding } from "../model/finding.js";
import { consoleLink, iamConsoleLink, partitionOf, releaseCommand } from "./commands.js";
import { formatActionLines, safeText } from "./format-finding.js";
import type { ActionStep } from "./next-steps.js";

/**
 * The AWS Chatbot (Amazon Q Developer in chat applications) custom notification, for Slack and
 * Microsoft Teams channels: Chatbot subscribes to the topic over HTTPS and renders this schema
 * (version "1.0", source "custom"). `threadId` is the incident id, so a channel threads every
 * alert of one incident under its page.
 *
 * Limits: AWS documents title up to 250 and description up to 8,000 characters. For the other
 * fields this stays well inside what Chatbot renders: up to 5 next steps of 300 characters, 5
 * keywords of 64, ids of 128, 5 related resources, context values of 256.
 *
 * Chat renders markdown, and event strings are written by whoever made the call: in attacker text
 * `&`, `<`, `>` become entities (no `<!channel>`, no `<http://evil|click>`), backticks, asterisks
 * and tildes become look-alikes (no code spans or bold to break out of or fake), `](` and `://` are
 * broken (no markdown links, no auto-linked URLs), and `@here`, `@channel`, `@everyone` cannot
 * mention. Commands are shown in code blocks only when every value in them passed its format check.
 */
export const CHATBOT_LIMITS = {
  title: 250,
  description: 8000,
  nextSteps: 5,
  nextStep: 300,
  keywords: 5,
  keyword: 64,
  id: 128,
  relatedResources: 5,
  relatedResource: 1011,
  contextValue: 256,
} as const;

/** Attacker text made inert in chat markdown (after control characters are escaped). */
export function markdownText(value: string | undefined, max = 300): string {
  return safeText(value, max)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/`/g, "'")
    .replace(/\*/g, "\u2217")
    .replace(/~/g, "\u223c")
    .replace(/\]\(/g, "]\u200b(")
    .replace(/:\/\//g, ":\u200b//")
    .replace(/@(here|channel|everyone)\b/gi, "@\u200b$1");
}

/** Printable ASCII, bounded: for ids and context values. */
function plain(value: string | undefined, max: number): string {
  return (value ?? "unknown").replace(/[^\x20-\x7e]/g, "?").slice(0, max) || "unknown";
}

export interface ChatbotInput {
  readonly alert: Alert;
  /** The findings as shown (shortened to fit, when they had to be). */
  readonly findings: readonly Finding[];
  readonly subject: string;
  readonly header: string;
  readonly steps: readonly ActionStep[];
  readonly note: string | undefined;
}

export function chatbotNotification(input: ChatbotInput): string {
  const { alert, findings, subject, steps } = input;
  const worst = findings[0] ?? alert.findings[0];
  if (worst === undefined) throw new Error("chatbotNotification: no finding");
  const title = markdownText(subject, CHATBOT_LIMITS.title);
  return JSON.stringify({
    version: "1.0",
    source: "custom",
    id: plain(worst.eventId.replace(/[^\w-]/g, "_"), CHATBOT_LIMITS.id),
    content: {
      textType: "client-markdown",
      title,
      description: description(input),
      nextSteps: nextSteps(findings, steps),
      keywords: [worst.severity.toUpperCase(), worst.category, worst.ruleId, alert.incident.id, alert.kind].map((keyword) => plain(keyword, CHATBOT_LIMITS.keyword)).slice(0, CHATBOT_LIMITS.keywords),
    },
    metadata: {
      threadId: plain(alert.incident.id, CHATBOT_LIMITS.id),
      summary: title,
      eventType: plain(worst.ruleId, CHATBOT_LIMITS.id),
      relatedResources: relatedResources(findings),
      additionalContext: {
        incidentId: plain(alert.incident.id, CHATBOT_LIMITS.contextValue),
        alertKind: alert.kind,
        severity: worst.severity,
        account: plain(worst.event.account, CHATBOT_LIMITS.contextValue),
        eventId: plain(worst.eventId, CHATBOT_LIMITS.contextValue),
      },
    },
  });
}

/** Sections in order of importance; whatever does not fit in 8,000 characters is left to the e-mail. */
function description(input: ChatbotInput): string {
  const { alert, findings, steps, note } = input;
  const sections: string[] = [markdownText(input.header, 600)];
  if (note) sections.push(`_${markdownText(note, 600)}_`);
  for (const [index, finding] of findings.entries()) {
    const { actor, event } = finding;
    const mfa = actor.mfaAuthenticated === undefined ? "MFA unknown" : actor.mfaAuthenticated ? "MFA yes" : "MFA no";
    const name = alert.accountName ? `${markdownText(alert.accountName, 64)} ` : "";
    sections.push(
      [
        `*${findings.length > 1 ? `${index + 1}. ` : ""}${finding.severity.toUpperCase()}: ${markdownText(finding.title, 200)}* (${markdownText(finding.ruleId, 64)})`,
        `*What:* ${markdownText(finding.summary, 500)}`,
        `*Who:* ${markdownText(actor.arn ?? actor.principalName, 300)} (${markdownText(actor.type, 40)}) · key ${markdownText(actor.accessKeyId, 130)} · ${mfa}`,
        `*Where:* ${name}${markdownText(event.account, 40)} · ${markdownText(event.region, 40)} · from ${markdownText(event.sourceIp, 60)}`,
        `*When:* ${markdownText(event.eventTime, 40)}`,
        `*Why it matters:* ${markdownText(finding.whyItMatters, 500)}`,
      ].join("\n"),
    );
  }
  const did = findings.flatMap((finding) => formatActionLines(finding).map((line) => `• ${markdownText(line, 600)}`));
  sections.push(`*What trailguard did:*\n${did.length > 0 ? did.join("\n") : "• nothing: alert only"}`);
  const byHand = steps.filter((step) => step.kind === "by-hand");
  for (const step of byHand) {
    const commands = step.commands.map((command) => (command.ok ? `\`\`\`${command.text}\`\`\`` : `(no command: ${markdownText(command.why, 300)})`));
    sections.push(`*By hand:* ${markdownText(step.lead, 700)}\n${commands.join("\n")}${step.note ? `\n${markdownText(step.note, 200)}` : ""}`);
  }
  const runbooks = [...new Map(findings.map((finding) => [finding.ruleId, finding])).values()];
  for (const finding of runbooks) sections.push(`*Runbook (${markdownText(finding.ruleId, 64)}):* ${markdownText(finding.runbook, 1500)}`);
  if (alert.incident.timeline.length > 1) {
    const recent = alert.incident.timeline.slice(-5).map((entry) => `• ${markdownText(entry.at, 40)} ${entry.kind.toUpperCase()} ${entry.severity.toUpperCase()} ${markdownText(entry.headline, 200)}`);
    const hidden = alert.incident.timeline.length - recent.length + alert.incident.omitted;
    sections.push(`*Incident so far* (${alert.incident.events} events${hidden > 0 ? `, latest ${recent.length} shown` : ""}):\n${recent.join("\n")}`);
  }
  const links = chatLinks(findings);
  if (links.length > 0) sections.push(links.join(" · "));
  return fit(sections, CHATBOT_LIMITS.description);
}

/** Links in Slack's `<url|text>` form; URLs are built only from validated parts. */
function chatLinks(findings: readonly Finding[]): string[] {
  const worst = findings[0];
  if (worst === undefined) return [];
  const links: string[] = [];
  const event = consoleLink(worst);
  if (event) links.push(`<${event}|CloudTrail event>`);
  const partition = partitionOf(worst);
  if (worst.actor.type === "IAMUser") {
    const link = iamConsoleLink("user", worst.actor.principalName, partition);
    if (link) links.push(`<${link}|IAM user ${markdownText(worst.actor.principalName, 64)}>`);
  }
  for (const finding of findings) {
    const target = finding.target;
    const kind = target?.kind === "user" || target?.kind === "access-key" ? "user" : target?.kind === "role" ? "role" : undefined;
    const name = target?.userName ?? target?.name;
    const link = kind ? iamConsoleLink(kind, name, partition) : undefined;
    const text = `<${link}|IAM ${kind} ${markdownText(name, 64)}>`;
    if (link && !links.includes(text)) links.push(text);
  }
  return links;
}

function nextSteps(findings: readonly Finding[], steps: readonly ActionStep[]): string[] {
  const out: string[] = [];
  for (const step of steps.filter((candidate) => candidate.kind === "by-hand")) {
    out.push(`${step.action.status.toUpperCase()}: ${markdownText(step.what, 200)}: do it by hand (commands above)`);
  }
  for (const finding of findings) {
    const release = releaseCommand(finding);
    if (release) out.push(`If this was legitimate, release it: \`${release}\``);
  }
  const worst = findings[0];
  if (worst) out.push(`Runbook: ${markdownText(worst.runbook, 1000)}`);
  return out.slice(0, CHATBOT_LIMITS.nextSteps).map((step) => (step.length <= CHATBOT_LIMITS.nextStep ? step : `${step.slice(0, CHATBOT_LIMITS.nextStep - 1)}…`));
}

/** ARNs of the actor and targets, only well-formed ones of plain characters. */
function relatedResources(findings: readonly Finding[]): string[] {
  const candidates = findings.flatMap((finding) => [finding.actor.arn, finding.actor.sessionIssuerArn, finding.target?.arn, finding.target?.policyArn]);
  const valid = candidates.filter(
    (arn): arn is string => arn !== undefined && arn.length <= CHATBOT_LIMITS.relatedResource && /^[\w+=,.@:/-]+$/.test(arn) && parseArn(arn) !== undefined,
  );
  return [...new Set(valid)].slice(0, CHATBOT_LIMITS.relatedResources);
}

/** Joins sections with blank lines while they fit; says what was left out. */
function fit(sections: readonly string[], max: number): string {
  const cut = "\n\n_(cut to fit: the e-mail and the JSON document have the rest)_";
  let text = "";
  for (const section of sections) {
    const next = text === "" ? section : `${text}\n\n${section}`;
    if (next.length + cut.length > max) return text === "" ? `${section.slice(0, max - cut.length - 1)}…${cut}` : `${text}${cut}`;
    text = next;
  }
  return text;
}
