import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { TrailguardConfig } from "../config/config.js";
import type { Finding } from "../model/finding.js";
import { SEVERITIES, type Severity } from "../model/severity.js";
import { createAnalyser } from "../pipeline/analyse.js";
import { AlertDeliveryError } from "../pipeline/handle-event.js";
import type { InputSource } from "./input-paths.js";
import { type FileResult, type ReplayFilters, fileQueue, replaySource } from "./replay-file.js";

/**
 * Replays many inputs: file by file, in worker threads when there is more than one file and
 * more than one job, reporting in input order (or as files complete, with `ordered: false`).
 * Pure of AWS unless an `act` stage is given (--mode/--publish), which runs in the main thread.
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
  progress?(summary: ReplaySummary, filesTotal: number): void;
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
  const consume = async (result: FileResult) => {
    await report(result, reporter, summary, options.act);
    summary.elapsedMs = performance.now() - started;
    reporter.progress?.(summary, sources.length);
  };
  if (sources.some((source) => source.kind === "stdin")) {
    // Standard input mixed in: keep it simple and sequential, in the order given.
    const analyser = createAnalyser(options.config);
    for (const source of sources) await consume(await replaySource(source, analyser, filters));
  } else {
    await runPool(fileSources.map((source) => (source as { path: string }).path), jobs, options, filters, consume);
  }
  summary.elapsedMs = performance.now() - started;
  reporter.end(summary);
  return summary;
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
  for (const { finding: planned, position } of result.findings) {
    let findings: readonly Finding[] = [planned];
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
}

/**
 * Files are spread over `jobs` lanes: the main thread itself and `jobs - 1` worker threads.
 * The main thread starts on the first file at once, so worker start-up (bundling and booting,
 * ~0.1-0.2 s) costs nothing. Each lane holds at most two files (reading the next while it
 * analyses one), at most `jobs * 4` files are in flight, and results are reported in input
 * order (a finished file waits only for those before it), so memory stays flat however many
 * files there are.
 */
async function runPool(
  paths: readonly string[],
  jobs: number,
  options: ReplayOptions,
  filters: ReplayFilters,
  consume: (result: FileResult) => Promise<void>,
): Promise<void> {
  const ordered = options.ordered ?? true;
  const done = new Map<number, FileResult>();
  const inFlightLimit = jobs * 4;
  let nextToSend = 0;
  let nextToReport = 0;
  let reporting: Promise<void> = Promise.resolve();
  const workers: Worker[] = [];
  let finished = false;

  try {
    await new Promise<void>((resolve, reject) => {
      const lanes: Lane[] = [];
      const take = (lane: Lane): number | undefined => {
        if (nextToSend >= paths.length || nextToSend - nextToReport >= inFlightLimit || lane.outstanding >= 2) return undefined;
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
      const complete = (lane: Lane, index: number, result: FileResult) => {
        lane.outstanding--;
        done.set(index, result);
        feed();
        reporting = reporting.then(async () => {
          while (true) {
            const key = ordered ? nextToReport : done.keys().next().value;
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
        workerScript().then((script) => {
          // Small inputs can be done by the main thread before the workers could start.
          if (finished) return;
          const workerData = { config: options.config, filters };
          for (let n = 1; n < jobs; n++) {
            const worker = typeof script === "string" ? new Worker(script, { eval: true, workerData }) : new Worker(script, { workerData });
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
  const enqueue = fileQueue(
    createAnalyser(options.config),
    filters,
    (index, result) => complete(lane, index, result),
    // Let the event loop deliver worker results and hand workers new files before the next one.
    () => new Promise((resolve) => setImmediate(resolve)),
  );
  const lane: Lane = { outstanding: 0, submit: (index) => enqueue(index, paths[index] ?? "") };
  return lane;
}

/**
 * Workers cannot load TypeScript (tsx's loader does not reach them on Node 20), and compiling
 * the sources in every worker would cost more than a small replay. From sources, the worker is
 * bundled once with esbuild (a few tens of milliseconds) and started from memory; from built
 * JavaScript it is loaded directly.
 */
async function workerScript(): Promise<string | URL> {
  if (!import.meta.url.endsWith(".ts")) return new URL("./replay-worker.js", import.meta.url);
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./replay-worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error("could not bundle the replay worker");
  return code;
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

