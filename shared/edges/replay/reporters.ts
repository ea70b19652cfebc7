import { SEVERITIES } from "../../core/model/severity.js";
import { ANSI, PLAIN, type Styler, formatFinding, safeText } from "../../core/report/format-finding.js";
import type { Finding } from "../../core/model/finding.js";
import type { AlertDecision } from "./incident-report.js";
import type { Origin, Problem, ReplayReporter, ReplaySummary } from "./replay-run.js";

type Write = (text: string) => void;

/**
 * A one-line progress bar on stderr, redrawn at most every 200 ms; only for terminals (the CLI
 * never passes it when stderr is a pipe), and erased before anything else is written there.
 */
export function progressLine(err: Write, columns: () => number): Pick<ReplayReporter, "progress"> & { clear(): void } {
  let last = 0;
  let shown = false;
  return {
    progress(summary, filesTotal) {
      const now = performance.now();
      if (now - last < 200 && summary.files < filesTotal) return;
      last = now;
      const width = Math.max(10, Math.min(30, columns() - 70));
      const filled = Math.round((summary.files / Math.max(1, filesTotal)) * width);
      const rate = summary.elapsedMs > 0 ? Math.round(summary.records / (summary.elapsedMs / 1000)) : 0;
      err(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${summary.files}/${filesTotal} files · ${summary.records} records · ${rate}/s · ${summary.findings} findings\u001b[K`);
      shown = true;
    },
    clear() {
      if (shown) err("\r\u001b[K");
      shown = false;
    },
  };
}

/** Human report: findings and the summary on stdout, problems on stderr. */
export function textReporter(out: Write, err: Write, colour: boolean): ReplayReporter {
  const style: Styler = colour ? ANSI : PLAIN;
  return {
    finding(finding, origin, alert) {
      const lines = formatFinding(finding, style, describeOrigin(origin));
      if (alert) lines.push(`  ${style.label("alert".padEnd(8))}${describeDecision(alert)}`);
      out(`${lines.join("\n")}\n\n`);
    },
    problem: (problem) => err(`${formatProblem(problem)}\n`),
    end: (summary) => out(`${formatSummary(summary, style).join("\n")}\n`),
  };
}

/** Machine output: stdout carries only findings, one JSON object per line; the rest goes to stderr. */
export function jsonlReporter(out: Write, err: Write): ReplayReporter {
  return {
    finding(finding, origin, alert) {
      out(`${JSON.stringify({ ...finding, source: origin.source, position: origin.position, ...(alert ? { alert } : {}) })}\n`);
    },
    problem: (problem) => err(`${formatProblem(problem)}\n`),
    end: (summary) => err(`${formatSummary(summary, PLAIN).join("\n")}\n`),
  };
}

/** "page TG-… (incident)", "update TG-…", "suppressed (s1: why)", "not alerted: below …". */
export function describeDecision(alert: AlertDecision): string {
  switch (alert.kind) {
    case "page":
      return `would page: incident ${alert.incidentId}`;
    case "update":
      return `would update incident ${alert.incidentId} (no page)`;
    case "suppressed":
      return `suppressed by ${safeText(alert.suppressionId)}: ${safeText(alert.reason)}`;
    case "not-alerted":
      return `not alerted: ${alert.reason}`;
  }
}

export function formatProblem(problem: Problem): string {
  return `${problem.level}: ${safeText(problem.source)} ${safeText(problem.position)}: ${safeText(problem.reason, 500)}`;
}

function describeOrigin(origin: Origin): string {
  return `${origin.source} ${origin.position}`;
}

export function formatSummary(summary: ReplaySummary, style: Styler): string[] {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.records / seconds) : summary.records;
  const severities = [...SEVERITIES].reverse();
  const bySeverity = severities
    .filter((severity) => summary.bySeverity[severity] > 0)
    .map((severity) => style.severity(severity, `${severity} ${summary.bySeverity[severity]}`));
  const lines = [
    style.label("Summary"),
    `  ${summary.files} file(s), ${summary.records} record(s), ${summary.findings} finding(s), ${summary.errors} error(s)` +
      `${summary.notices > 0 ? `, ${summary.notices} skipped` : ""}` +
      `${summary.filtered > 0 ? `, ${summary.filtered} record(s) filtered out` : ""}` +
      ` in ${seconds.toFixed(2)} s (${rate} records/s, ${summary.jobs} job(s))`,
    `  by severity: ${bySeverity.length > 0 ? bySeverity.join(" · ") : "none"}`,
  ];
  const rules = [...summary.byRule.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (rules.length > 0) lines.push("  by rule:");
  const idWidth = Math.max(24, ...rules.map(([ruleId]) => ruleId.length));
  for (const [ruleId, counts] of rules) {
    const total = SEVERITIES.reduce((sum, severity) => sum + counts[severity], 0);
    const detail = severities.filter((severity) => counts[severity] > 0).map((severity) => `${severity} ${counts[severity]}`);
    lines.push(`    ${ruleId.padEnd(idWidth)} ${String(total).padStart(6)}  (${detail.join(", ")})`);
  }
  const actions = [...summary.actions.entries()].map(([status, count]) => `${status} ${count}`);
  lines.push(`  actions: ${actions.length > 0 ? actions.join(" · ") : "none"}`);
  return lines;
}
