import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { isPlainObject } from "../../core/cloudtrail/record.js";
import { carriedRecord } from "../../core/cloudtrail/envelope.js";
import type { Finding } from "../../core/model/finding.js";
import { type Severity, atLeast } from "../../core/model/severity.js";
import type { Analyser, Analysis } from "../../core/engine/analyse.js";
import { replayState } from "../../core/state/replay-state.js";
import { type Container, type DecodeVisitor, decodeBytes, isGzip, positionOf, visitDocument } from "./input-decoder.js";
import { type InputSource, describeFsError } from "./input-paths.js";

/**
 * Replays one input (a file or standard input) through the analyser and returns what it found.
 * Runs in the main thread or in a worker; the result is plain data either way. JSON Lines files
 * are streamed line by line, so their size is not limited by memory or by Node's string limit.
 */
export interface ReplayFilters {
  /** ISO timestamps; records whose eventTime is outside [since, until) are skipped. */
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly accounts?: ReadonlySet<string> | undefined;
  readonly regions?: ReadonlySet<string> | undefined;
  readonly minSeverity?: Severity | undefined;
  readonly rules?: ReadonlySet<string> | undefined;
}

export interface FileProblem {
  readonly level: "error" | "notice";
  readonly position: string;
  readonly reason: string;
}

export interface FileResult {
  readonly source: string;
  records: number;
  /** Records skipped by --since/--until/--account/--region. */
  filtered: number;
  unsupported: number;
  /** `seq`: the record's number in the file, so findings judged later in the main thread merge in input order. */
  readonly findings: Array<{ finding: Finding; position: string; seq: number }>;
  readonly problems: FileProblem[];
  /**
   * Records for the main thread, in input order: those judged there (`judge`: rules that count
   * events over a window or look up what earlier events created need every earlier event, and
   * lanes see only their own files) and those replay's memory learns from (a policy version
   * created), and records filtered out that the memory still learns from or counts (`counted`:
   * counted, never reported). Few: most files have none.
   */
  readonly stateful: Array<{ value: unknown; position: string; seq: number; judge: boolean; counted?: boolean }>;
}

const STREAMED = /\.(jsonl|ndjson)(\.gz)?$/i;

export function sourceName(source: InputSource): string {
  return source.kind === "stdin" ? "(stdin)" : source.path;
}

export async function replaySource(source: InputSource, analyser: Analyser, filters: ReplayFilters): Promise<FileResult> {
  const result: FileResult = { source: sourceName(source), records: 0, filtered: 0, unsupported: 0, findings: [], problems: [], stateful: [] };
  const visitor = recordVisitor(result, analyser, filters);
  try {
    if (source.kind === "file" && STREAMED.test(source.path)) await streamJsonLines(source.path, visitor);
    // A whole document (a CloudTrail object is about 100 KB gzipped) is read synchronously, in
    // the lane that analyses it: each lane is its own thread, so nothing else waits, and one
    // call costs a fifth of the CPU of fs.promises.readFile's open/stat/read/close round trips
    // through the thread pool, which with every core busy also waited for a core.
    else decodeBytes(source.kind === "file" ? readFileSync(source.path) : await readStdin(), visitor);
  } catch (error) {
    result.problems.push({ level: "error", position: "file", reason: `cannot read: ${describeFsError(error)}` });
  }
  return result;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function streamJsonLines(path: string, visitor: DecodeVisitor): Promise<void> {
  const head = await readHead(path);
  const raw = createReadStream(path);
  const input = isGzip(head) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      visitor.problem("error", `line ${line}`, `invalid JSON: ${(error as Error).message}`);
      continue;
    }
    visitDocument(value, line, visitor);
  }
}

async function readHead(path: string): Promise<Buffer> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function recordVisitor(result: FileResult, analyser: Analyser, filters: ReplayFilters): DecodeVisitor {
  const keep = recordFilter(filters);
  const wanted = findingFilter(filters);
  // Only which records go to the main thread is decided here; the memory itself lives there.
  const triage = replayState(analyser);
  return {
    item(value: unknown, container: Container, index: number, line: number) {
      const seq = result.records++;
      if (keep && !keep(value)) {
        result.filtered++;
        // Outside --since/--account..., yet part of the history: the memory still learns from it
        // and counts it (a burst that began before --since), but nothing is reported for it.
        if (triage.observes(value) || triage.needs(value)) result.stateful.push({ value, position: "", seq, judge: false, counted: true });
        return;
      }
      if (triage.needs(value)) {
        result.stateful.push({ value, position: positionOf(container, index, line), seq, judge: true });
        return;
      }
      if (triage.observes(value)) result.stateful.push({ value, position: positionOf(container, index, line), seq, judge: false });
      const analysis = analyser.analyse(value);
      // Positions are text built only when something needs one: most records yield nothing.
      if (analysis.kind === "analysed" && analysis.findings.length === 0) return;
      recordAnalysis(result, analysis, () => positionOf(container, index, line), seq, wanted);
    },
    problem(level, position, reason) {
      result.problems.push({ level, position, reason });
    },
  };
}

/** Adds one record's analysis to a file's result: its findings (those the filters want), or the problem. */
export function recordAnalysis(result: FileResult, analysis: Analysis, position: () => string, seq: number, wanted: ((finding: Finding) => boolean) | undefined): void {
  if (analysis.kind === "analysed") {
    for (const finding of analysis.findings) if (!wanted || wanted(finding)) result.findings.push({ finding, position: position(), seq });
  } else if (analysis.kind === "malformed") {
    result.problems.push({ level: "error", position: position(), reason: analysis.reason });
  } else {
    result.unsupported++;
    result.problems.push({ level: "notice", position: position(), reason: `skipped: ${analysis.reason}` });
  }
}

/** Record-level filters read the raw record (or an EventBridge event's detail) before analysis. */
function recordFilter(filters: ReplayFilters): ((value: unknown) => boolean) | undefined {
  const { since, until, accounts, regions } = filters;
  if (!since && !until && !accounts && !regions) return undefined;
  return (value) => {
    const record = carriedRecord(value);
    if (!isPlainObject(record)) return true; // let the analyser report it
    const time = typeof record.eventTime === "string" ? record.eventTime : undefined;
    if (since && (time === undefined || time < since)) return false;
    if (until && (time === undefined || time >= until)) return false;
    if (accounts) {
      const identity = record.userIdentity;
      const account = typeof record.recipientAccountId === "string" ? record.recipientAccountId : isPlainObject(identity) ? identity.accountId : undefined;
      if (typeof account !== "string" || !accounts.has(account)) return false;
    }
    if (regions && (typeof record.awsRegion !== "string" || !regions.has(record.awsRegion))) return false;
    return true;
  };
}

export function findingFilter(filters: ReplayFilters): ((finding: Finding) => boolean) | undefined {
  const { minSeverity, rules } = filters;
  if (!minSeverity && !rules) return undefined;
  return (finding) => (!minSeverity || atLeast(finding.severity, minSeverity)) && (!rules || rules.has(finding.ruleId));
}

/**
 * Files one at a time, in the order given: the engine of every replay lane (the main thread's
 * and each worker's). `done` gets a result for every file, including one that failed
 * unexpectedly. Between files the lane yields to its event loop, so that new work (and, in the
 * main thread, worker results) is taken in while this lane still has a file queued.
 */
export function fileQueue(analyser: Analyser, filters: ReplayFilters, done: (index: number, result: FileResult) => void): (index: number, path: string) => void {
  const queue: Array<{ index: number; source: InputSource }> = [];
  let busy = false;
  async function work(): Promise<void> {
    busy = true;
    for (let task = queue.shift(); task; task = queue.shift()) {
      let result: FileResult;
      try {
        result = await replaySource(task.source, analyser, filters);
      } catch (error) {
        result = { source: sourceName(task.source), records: 0, filtered: 0, unsupported: 0, findings: [], stateful: [], problems: [{ level: "error", position: "file", reason: `replay failed: ${String(error)}` }] };
      }
      done(task.index, result);
      await new Promise((resolve) => setImmediate(resolve));
    }
    busy = false;
  }
  return (index, path) => {
    queue.push({ index, source: { kind: "file", path } });
    if (!busy) void work();
  };
}
