import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { DEFAULT_CONFIG } from "../shared/config/config.js";
import { expandInputPaths } from "../shared/replay/input-paths.js";
import { type ReplayReporter, replaySources } from "../shared/replay/replay-run.js";

/**
 * One measurement, in a fresh process so peak RSS belongs to it alone:
 *   bench-run.ts baseline DIR    read + gunzip + JSON.parse, touching every record
 *   bench-run.ts replay DIR N    trailguard replay with N jobs, output discarded
 * Prints one JSON line: {variant, records, ms, maxRssMb}. Timing covers the work, from the
 * file list to the last record (worker start-up included), not process start.
 */
const [variant, dir, jobsArg] = process.argv.slice(2);
if (!variant || !dir) throw new Error("usage: bench-run.ts baseline|replay DIR [JOBS]");

const { sources } = await expandInputPaths([dir]);
const started = performance.now();
let records = 0;
let findings = 0;
if (variant === "baseline") {
  let touched = 0;
  for (const source of sources) {
    if (source.kind !== "file") continue;
    const log = JSON.parse(gunzipSync(await readFile(source.path)).toString("utf8")) as { Records: Array<{ eventName?: string }> };
    for (const record of log.Records) {
      records++;
      touched += record.eventName?.length ?? 0;
    }
  }
  if (touched === 0) throw new Error("nothing touched");
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
process.stdout.write(`${JSON.stringify({ variant: variant === "replay" ? `replay-${jobsArg ?? 1}` : variant, records, findings, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
