import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { TrailguardConfig } from "../../core/config/config.js";
import type { Finding } from "../../core/model/finding.js";
import { SEVERITIES, type Severity } from "../../core/model/severity.js";
import { createAnalyser } from "../../core/engine/analyse.js";
import { AlertDeliveryError } from "../../core/engine/handle-event.js";
import type { InputSource } from "./input-paths.js";
import { type FileResult, type ReplayFilters, fileQueue, findingFilter, recordAnalysis, replaySource } from "./replay-file.js";
import { type ReplayState, replayState } from "../../core/state/replay-state.js";
import type { Analyser } from "../../core/engine/analyse.js";
import { isPlainObject } from "../../core/cloudtrail/record.js";
import { carriedRecord } from "../../core/cloudtrail/envelope.js";
import { replayWorkerEntry } from "./worker-bundle.js";
import { RULES } from "../../core/rules/registry.js";

/**
 * Replays many inputs: file by file, in worker threads when there is more than one file and
 * more than one job, reporting in input order (or as files complete, with `ordered: false`).
 * Pure of AWS unless an `act` stage is given (--mode/--publish), which runs in the main thread.
 */
import type { AlertDecision } from "./incident-report.js";

export interface Origin {
  readonly source: string;
  readonly position: string;
}

export interface Problem extends Origin {
  readonly level: "error" | "notice";
  readonly reason: string;
}

export interface ReplayReporter {
  /** `alert`: what the on-call would have been told (given by the incident reporter, `withIncidents`). */
  finding(finding: Finding, origin: Origin, alert?: AlertDecision): void;
  problem(problem: Problem): void;
  progress?(summary: ReplaySummary, filesTotal: number): void;
  /** A file's findings were all reported (a reporter holding one event's findings may let them go). */
  fileEnd?(): void;
  end(summary: ReplaySummary): void;
}

export interface ReplaySummary {
  files: number;
  records: number;
  filtered: number;
  findings: number;
  errors: number;
  notices: number;
  unsupported: number;
  bySeverity: Record<Severity, number>;
  byRule: Map<string, Record<Severity, number>>;
  actions: Map<string, number>;
  elapsedMs: number;
  jobs: number;
}

/** Optional second stage: carries out actions and publishes alerts, returning the findings with executed actions. */
export type ActOnFindings = (findings: readonly Finding[]) => Promise<readonly Finding[]>;

export interface ReplayOptions {
  readonly config: TrailguardConfig;
  readonly filters?: ReplayFilters;
  /** Worker threads; default: the number of cores. 1 runs everything in the main thread. */
  readonly jobs?: number;
  /** Report in input order (default) or as files complete. */
  readonly ordered?: boolean;
  readonly act?: ActOnFindings;
}

export function emptySummary(): ReplaySummary {
  return {
    files: 0,
    records: 0,
    filtered: 0,
    findings: 0,
    errors: 0,
    notices: 0,
    unsupported: 0,
    bySeverity: zeroBySeverity(),
    byRule: new Map(),
    actions: new Map(),
    elapsedMs: 0,
    jobs: 1,
  };
}

function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}

export function defaultJobs(): number {
  return availableParallelism();
}

export async function replaySources(sources: readonly InputSource[], reporter: ReplayReporter, options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const summary = emptySummary();
  const filters = options.filters ?? {};
  const fileSources = sources.filter((source) => source.kind === "file");
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), fileSources.length));
  summary.jobs = jobs;
  // The main thread's memory across files (window counts, policies created): see judgeStateful.
  const analyser = createAnalyser(options.config, RULES);
  const memory = { analyser, state: replayState(analyser), wanted: findingFilter(filters) };
  const consume = async (result: FileResult) => {
    await judgeStateful(result, memory);
    await report(result, reporter, summary, options.act);
    summary.elapsedMs = performance.now() - started;
    reporter.progress?.(summary, sources.length);
  };
  if (sources.some((source) => source.kind === "stdin")) {
    // Standard input mixed in: keep it simple and sequential, in the order given.
    for (const source of sources) await consume(await replaySource(source, analyser, filters));
  } else {
    await runPool(fileSources.map((source) => (source as { path: string }).path), jobs, options, filters, consume);
  }
  summary.elapsedMs = performance.now() - started;
  reporter.end(summary);
  return summary;
}

/**
 * The records a lane handed to the main thread (`FileResult.stateful`), judged here in input
 * order with what replay remembers across files: first the memory learns from every one of the
 * file's records it wants (a policy created later in the file may be older than a call that
 * attached it: lookups are answered as of each call's own time), then each record that needs
 * state is counted and judged. Its findings merge with the lane's in record order.
 */
async function judgeStateful(result: FileResult, memory: { analyser: Analyser; state: ReplayState; wanted: ((finding: Finding) => boolean) | undefined }): Promise<void> {
  if (result.stateful.length === 0) return;
  for (const entry of result.stateful) memory.state.observe(entry.value);
  const before = result.findings.length;
  // Counted in time order (a file is nearly, not exactly, in time order; stable for equal times).
  const judged = result.stateful.filter((entry) => entry.judge || entry.counted).sort((a, b) => timeOf(a.value) - timeOf(b.value));
  for (const entry of judged) {
    if (!entry.judge) {
      await memory.state.knownFor(entry.value);
      continue;
    }
    recordAnalysis(result, memory.analyser.analyse(entry.value, await memory.state.knownFor(entry.value)), () => entry.position, entry.seq, memory.wanted);
  }
  if (result.findings.length > before) result.findings.sort((a, b) => a.seq - b.seq);
}

/** A record's eventTime (raw or in an EventBridge event) as epoch ms; 0 when it has none (judged first). */
function timeOf(value: unknown): number {
  const record = carriedRecord(value);
  const time = isPlainObject(record) && typeof record.eventTime === "string" ? Date.parse(record.eventTime) : Number.NaN;
  return Number.isNaN(time) ? 0 : time;
}

async function report(result: FileResult, reporter: ReplayReporter, summary: ReplaySummary, act: ActOnFindings | undefined): Promise<void> {
  summary.files++;
  summary.records += result.records;
  summary.filtered += result.filtered;
  summary.unsupported += result.unsupported;
  for (const problem of result.problems) {
    if (problem.level === "error") summary.errors++;
    else summary.notices++;
    reporter.problem({ ...problem, source: result.source });
  }
  // One record's findings are acted on together: one event, one alert.
  for (let start = 0; start < result.findings.length; ) {
    const position = result.findings[start]!.position;
    let end = start + 1;
    while (end < result.findings.length && result.findings[end]!.position === position) end++;
    let findings: readonly Finding[] = result.findings.slice(start, end).map((entry) => entry.finding);
    start = end;
    if (act) {
      try {
        findings = await act(findings);
      } catch (error) {
        summary.errors++;
        reporter.problem({ level: "error", source: result.source, position, reason: (error as Error).message });
        findings = error instanceof AlertDeliveryError ? error.findings : findings;
      }
    }
    for (const finding of findings) {
      count(summary, finding);
      reporter.finding(finding, { source: result.source, position });
    }
  }
  reporter.fileEnd?.();
}

/**
 * Files are spread over `jobs` lanes: the main thread itself and `jobs - 1` worker threads.
 * The main thread starts on the first file at once, while the workers boot (about 70 ms from
 * the cached bundle; 100-200 ms more when it must be rebuilt). A lane is handed up to
 * LANE_DEPTH file names ahead, because a worker hears of new work only when the main thread is
 * between two of its own files (measured: with 2 ahead, workers were busy 90% of their time;
 * with 4, 93%). Queued names hold no memory (a lane reads a file when it starts it). At most
 * `jobs * LANE_DEPTH * 2` files are in flight, and results are reported in input order (a
 * finished file waits only for those before it), so memory stays flat however many files
 * there are.
 */
const LANE_DEPTH = 4;

async function runPool(
  paths: readonly string[],
  jobs: number,
  options: ReplayOptions,
  filters: ReplayFilters,
  consume: (result: FileResult) => Promise<void>,
): Promise<void> {
  const ordered = options.ordered ?? true;
  const done = new Map<number, FileResult>();
  const inFlightLimit = jobs * LANE_DEPTH * 2;
  let nextToSend = 0;
  let nextToReport = 0;
  let reporting: Promise<void> = Promise.resolve();
  const workers: Worker[] = [];
  let finished = false;

  try {
    await new Promise<void>((resolve, reject) => {
      const lanes: Lane[] = [];
      const take = (lane: Lane): number | undefined => {
        if (nextToSend >= paths.length || nextToSend - nextToReport >= inFlightLimit || lane.outstanding >= LANE_DEPTH) return undefined;
        lane.outstanding++;
        return nextToSend++;
      };
      // Workers first: the main thread also reports, so it takes what is left.
      const feed = () => {
        for (let n = lanes.length - 1; n >= 0; n--) {
          const lane = lanes[n] as Lane;
          for (let index = take(lane); index !== undefined; index = take(lane)) lane.submit(index);
        }
      };
      // Unordered, a file is reported as soon as it is done, except one with records judged with
      // replay's memory: that waits until every earlier file is done and reported, so the memory
      // is built in input order whatever the order files finish in (the same findings as ordered).
      const completed = new Set<number>();
      let memoryCursor = 0;
      const ready = (): number | undefined => {
        while (completed.has(memoryCursor) && !done.has(memoryCursor)) memoryCursor++;
        for (const [key, result] of done) if (result.stateful.length === 0 || key === memoryCursor) return key;
        return undefined;
      };
      const complete = (lane: Lane, index: number, result: FileResult) => {
        lane.outstanding--;
        done.set(index, result);
        completed.add(index);
        feed();
        reporting = reporting.then(async () => {
          while (true) {
            const key = ordered ? nextToReport : ready();
            if (key === undefined || !done.has(key)) break;
            const next = done.get(key) as FileResult;
            done.delete(key);
            nextToReport++;
            await consume(next);
          }
          feed();
          if (nextToReport >= paths.length) resolve();
        }, reject);
      };

      lanes.push(mainThreadLane(paths, options, filters, complete));
      if (jobs > 1) {
        replayWorkerEntry().then((entry) => {
          // Small inputs can be done by the main thread before the workers could start.
          if (finished) return;
          const workerData = { config: options.config, filters };
          // No inherited `--import tsx`: the bundle is plain CommonJS, and loading tsx in every
          // worker delayed its first file by about 200 ms.
          for (let n = 1; n < jobs; n++) {
            const worker = entry instanceof URL ? new Worker(entry, { workerData, execArgv: [] }) : new Worker(entry.code, { eval: true, workerData, execArgv: [] });
            workers.push(worker);
            const lane: Lane = { outstanding: 0, submit: (index) => worker.postMessage({ index, path: paths[index] }) };
            worker.on("message", (message: { index: number; result: FileResult }) => complete(lane, message.index, message.result));
            worker.on("error", reject);
            lanes.push(lane);
          }
          feed();
        }, reject);
      }
      feed();
      if (paths.length === 0) resolve();
    });
  } finally {
    finished = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

interface Lane {
  outstanding: number;
  submit(index: number): void;
}

/** The main thread as a lane: files one at a time, the next one read ahead. */
function mainThreadLane(
  paths: readonly string[],
  options: ReplayOptions,
  filters: ReplayFilters,
  complete: (lane: Lane, index: number, result: FileResult) => void,
): Lane {
  const enqueue = fileQueue(createAnalyser(options.config, RULES), filters, (index, result) => complete(lane, index, result));
  const lane: Lane = { outstanding: 0, submit: (index) => enqueue(index, paths[index] ?? "") };
  return lane;
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

