import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import { DEFAULT_CONFIG } from "../shared/core/config/config.js";
import { expandInputPaths } from "../shared/edges/replay/input-paths.js";
import { type ReplayReporter, replaySources } from "../shared/edges/replay/replay-run.js";

/**
 * One measurement, in a fresh process so peak RSS belongs to it alone:
 *   bench-run.ts baseline DIR [N]         read + gunzip + JSON.parse, touching every record: with
 *                                         1, in the main thread (as single-job replay runs);
 *                                         with N, in N worker threads
 *   bench-run.ts baseline-workers DIR N   the same in N worker threads even for N = 1, so that
 *                                         N threads against 1 is the machine's own parallel
 *                                         ceiling for this work, like for like
 *   bench-run.ts replay DIR N             trailguard replay with N jobs, output discarded
 * Prints one JSON line: {variant, records, ms, maxRssMb}. Timing covers the work, from the
 * file list to the last record (worker start-up included), not process start.
 */
const [variant, dir, jobsArg] = process.argv.slice(2);
if (!variant || !dir || !["baseline", "baseline-workers", "replay"].includes(variant)) {
  throw new Error("usage: bench-run.ts baseline|baseline-workers|replay DIR [JOBS]");
}

/** Plain JavaScript, so it runs in a worker thread without a TypeScript loader. */
const BASELINE_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const { gunzipSync } = require("node:zlib");
let records = 0, touched = 0;
for (const path of workerData) {
  const log = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8"));
  for (const record of log.Records) { records++; touched += record.eventName ? record.eventName.length : 0; }
}
if (touched === 0) throw new Error("nothing touched");
parentPort.postMessage(records);
`;

function baselineInMainThread(paths: readonly string[]): number {
  let count = 0;
  let touched = 0;
  for (const path of paths) {
    const log = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as { Records: Array<{ eventName?: string }> };
    for (const record of log.Records) {
      count++;
      touched += record.eventName?.length ?? 0;
    }
  }
  if (touched === 0) throw new Error("nothing touched");
  return count;
}

const { sources } = await expandInputPaths([dir]);
const started = performance.now();
let records = 0;
let findings = 0;
if (variant.startsWith("baseline")) {
  const paths = sources.flatMap((source) => (source.kind === "file" ? [source.path] : []));
  const threads = Number(jobsArg ?? "1");
  const shares = Array.from({ length: threads }, (_, n) => paths.filter((_path, index) => index % threads === n));
  const counts = threads === 1 && variant === "baseline" ? [baselineInMainThread(paths)] : await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(BASELINE_WORKER, { eval: true, workerData: share, execArgv: [] });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
  records = counts.reduce((sum, count) => sum + count, 0);
} else {
  const reporter: ReplayReporter = {
    finding: () => {
      findings++;
    },
    problem: () => undefined,
    end: () => undefined,
  };
  const summary = await replaySources(sources, reporter, { config: DEFAULT_CONFIG, jobs: Number(jobsArg ?? "1") });
  records = summary.records;
  if (summary.errors > 0) throw new Error(`${summary.errors} errors during replay`);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ variant: `${variant}-${jobsArg ?? 1}`, records, findings, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
