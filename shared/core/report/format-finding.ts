import { describeActionTarget } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import type { Severity } from "../model/severity.js";

/**
 * The on-call's view of a finding, as labelled lines: what, who, where, when, why, actions,
 * next steps. Shared by the terminal report and the alert body so both say the same thing.
 * Untrusted strings (names, agents) are printed as data: control characters are escaped.
 */
export interface Styler {
  severity(severity: Severity, text: string): string;
  label(text: string): string;
  dim(text: string): string;
  status(status: string, text: string): string;
}

export const PLAIN: Styler = {
  severity: (_severity, text) => text,
  label: (text) => text,
  dim: (text) => text,
  status: (_status, text) => text,
};

const SEVERITY_COLOUR: Record<Severity, string> = {
  critical: "\u001b[1;97;41m",
  high: "\u001b[1;31m",
  medium: "\u001b[33m",
  low: "\u001b[36m",
  info: "\u001b[2m",
};
const STATUS_COLOUR: Record<string, string> = {
  planned: "\u001b[1;33m",
  done: "\u001b[1;32m",
  "dry-run": "\u001b[33m",
  skipped: "\u001b[2m",
  failed: "\u001b[1;31m",
};
const RESET = "\u001b[0m";

export const ANSI: Styler = {
  severity: (severity, text) => `${SEVERITY_COLOUR[severity]}${text}${RESET}`,
  label: (text) => `\u001b[1m${text}${RESET}`,
  dim: (text) => `\u001b[2m${text}${RESET}`,
  status: (status, text) => `${STATUS_COLOUR[status] ?? ""}${text}${RESET}`,
};

/** Escapes control characters (including ANSI escapes and newlines) in attacker-controlled text. */
export function safeText(value: string | undefined, max = 300): string {
  if (value === undefined || value === "") return "-";
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  // Controls, line separators and bidirectional overrides (which reorder what a line shows) are
  // escaped; "://" is defanged the way analysts write it ("[:]//"), so a URL an attacker put in a
  // user agent or a document is not a clickable link in an e-mail from trailguard.
  return clipped
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/:\/\//g, "[:]//");
}

/** Options for the facts block: where the finding came from (replay), the account's name (alerts). */
export interface FactOptions {
  readonly origin?: string | undefined;
  readonly accountName?: string | undefined;
}

const labelled = (style: Styler) => (label: string, text: string) => `  ${style.label(label.padEnd(8))}${text}`;

/**
 * The finding's facts: heading, what, who, where, when, why, the reasons for the severity, the
 * rule and the event. No actions and no next steps: an alert lists those per event, the
 * terminal report (`formatFinding`) per finding.
 */
export function formatFindingFacts(finding: Finding, style: Styler = PLAIN, options: FactOptions = {}): string[] {
  return [...factHead(finding, style, options.accountName), ruleLine(finding, style), eventLine(finding, style, options.origin)];
}

/** `DONE deactivate-access-key on access key "AKIA…" of user "bob" in 111122223333: reason`, one per action. */
export function formatActionLines(finding: Finding, style: Styler = PLAIN): string[] {
  return finding.actions.map(
    (action) => `${style.status(action.status, action.status.toUpperCase())} ${action.type} on ${safeText(describeActionTarget(action.target))}: ${safeText(action.reason, 500)}`,
  );
}

/** The terminal report of one finding: facts, actions, rule, runbook, event. */
export function formatFinding(finding: Finding, style: Styler = PLAIN, origin?: string): string[] {
  const line = labelled(style);
  const lines = factHead(finding, style, undefined);
  const actions = formatActionLines(finding, style);
  if (actions.length === 0) lines.push(line("actions", style.dim("none (alert only)")));
  for (const [index, action] of actions.entries()) lines.push(line(index === 0 ? "actions" : "", action));
  lines.push(ruleLine(finding, style), line("next", finding.runbook), eventLine(finding, style, origin));
  return lines;
}

function factHead(finding: Finding, style: Styler, accountName: string | undefined): string[] {
  const { actor, event } = finding;
  const line = labelled(style);
  const mfa = actor.mfaAuthenticated === undefined ? "MFA unknown" : actor.mfaAuthenticated ? "MFA yes" : "MFA no";
  const heading = `${finding.severity.toUpperCase()}  ${finding.title}`;
  const named = accountName ? ` (${safeText(accountName, 64)})` : "";
  return [
    style.severity(finding.severity, ` ${heading} `),
    line("what", safeText(finding.summary, 500)),
    line("who", `${safeText(actor.arn ?? actor.principalName)} (${safeText(actor.type)}) · key ${safeText(actor.accessKeyId)} · ${mfa}`),
    line("where", `account ${safeText(event.account)}${named} · ${safeText(event.region)} · from ${safeText(event.sourceIp)} · ${safeText(event.userAgent, 120)}`),
    line("when", safeText(event.eventTime)),
    line("why", finding.whyItMatters),
    ...finding.reasons.map((reason, index) => line(index === 0 ? "because" : "", safeText(reason, 500))),
  ];
}

function ruleLine(finding: Finding, style: Styler): string {
  return labelled(style)("rule", `${finding.ruleId} (${finding.category}) · MITRE ${finding.technique.id} ${finding.technique.name}`);
}

function eventLine(finding: Finding, style: Styler, origin: string | undefined): string {
  const { event } = finding;
  return labelled(style)("event", style.dim(`${safeText(event.eventId)} · ${safeText(event.eventName)} (${safeText(event.eventSource)})${origin ? ` · ${safeText(origin)}` : ""}`));
}
