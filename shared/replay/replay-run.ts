import { readFile } from "node:fs/promises";
import type { Finding } from "../model/finding.js";
import { SEVERITIES, type Severity } from "../model/severity.js";
import type { Analyser } from "../pipeline/analyse.js";
import { AlertDeliveryError } from "../pipeline/handle-event.js";
import { type InputItem, decodeBytes } from "./input-decoder.js";
import { type InputSource, describeFsError } from "./input-paths.js";

/**
 * Replays inputs through the analyser, one file at a time, reporting as it goes. Pure of AWS:
 * findings carry planned actions only. A bad file or record is reported and skipped; the rest
 * of the run continues.
 */
export interface Origin {
  readonly source: string;
  readonly position: string;
}

export interface Problem extends Origin {
  readonly level: "error" | "notice";
  readonly reason: string;
}

export interface ReplayReporter {
  finding(finding: Finding, origin: Origin): void;
  problem(problem: Problem): void;
  end(summary: ReplaySummary): void;
}

export interface ReplaySummary {
  files: number;
  records: number;
  findings: number;
  errors: number;
  notices: number;
  unsupported: number;
  bySeverity: Record<Severity, number>;
  byRule: Map<string, Record<Severity, number>>;
  actions: Map<string, number>;
  elapsedMs: number;
}

export function emptySummary(): ReplaySummary {
  return {
    files: 0,
    records: 0,
    findings: 0,
    errors: 0,
    notices: 0,
    unsupported: 0,
    bySeverity: zeroBySeverity(),
    byRule: new Map(),
    actions: new Map(),
    elapsedMs: 0,
  };
}

function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}

export function sourceName(source: InputSource): string {
  return source.kind === "stdin" ? "(stdin)" : source.path;
}

export async function readSource(source: InputSource): Promise<Buffer> {
  if (source.kind === "file") return readFile(source.path);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Optional second stage for `--mode enforce` / `--publish`: carries out actions and publishes
 * alerts for the findings of one record, returning them with their executed actions.
 */
export type ActOnFindings = (findings: readonly Finding[]) => Promise<readonly Finding[]>;

export async function replaySources(
  sources: readonly InputSource[],
  analyser: Analyser,
  reporter: ReplayReporter,
  act?: ActOnFindings,
  summary: ReplaySummary = emptySummary(),
): Promise<ReplaySummary> {
  const started = performance.now();
  for (const source of sources) {
    const name = sourceName(source);
    summary.files++;
    let items: InputItem[];
    try {
      items = decodeBytes(await readSource(source));
    } catch (error) {
      summary.errors++;
      reporter.problem({ level: "error", source: name, position: "file", reason: `cannot read: ${describeFsError(error)}` });
      continue;
    }
    await replayItems(name, items, analyser, reporter, summary, act);
  }
  summary.elapsedMs += performance.now() - started;
  reporter.end(summary);
  return summary;
}

export async function replayItems(
  name: string,
  items: readonly InputItem[],
  analyser: Analyser,
  reporter: ReplayReporter,
  summary: ReplaySummary,
  act?: ActOnFindings,
): Promise<void> {
  for (const item of items) {
    if (item.kind !== "item") {
      if (item.kind === "error") summary.errors++;
      else summary.notices++;
      reporter.problem({ level: item.kind, source: name, position: item.position, reason: item.reason });
      continue;
    }
    summary.records++;
    const analysis = analyser.analyse(item.value);
    if (analysis.kind === "malformed") {
      summary.errors++;
      reporter.problem({ level: "error", source: name, position: item.position, reason: analysis.reason });
      continue;
    }
    if (analysis.kind === "unsupported") {
      summary.unsupported++;
      reporter.problem({ level: "notice", source: name, position: item.position, reason: `skipped: ${analysis.reason}` });
      continue;
    }
    let findings = analysis.findings;
    if (act && findings.length > 0) {
      try {
        findings = await act(findings);
      } catch (error) {
        summary.errors++;
        reporter.problem({ level: "error", source: name, position: item.position, reason: (error as Error).message });
        findings = error instanceof AlertDeliveryError ? error.findings : findings;
      }
    }
    for (const finding of findings) {
      count(summary, finding);
      reporter.finding(finding, { source: name, position: item.position });
    }
  }
}

function count(summary: ReplaySummary, finding: Finding): void {
  summary.findings++;
  summary.bySeverity[finding.severity]++;
  let perRule = summary.byRule.get(finding.ruleId);
  if (!perRule) {
    perRule = zeroBySeverity();
    summary.byRule.set(finding.ruleId, perRule);
  }
  perRule[finding.severity]++;
  for (const action of finding.actions) summary.actions.set(action.status, (summary.actions.get(action.status) ?? 0) + 1);
}
