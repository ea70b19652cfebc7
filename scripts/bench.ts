import { spawnSync } from "node:child_process";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildCorpus } from "./bench-corpus.js";

/**
 * `npm run bench`: replay throughput against the physical limit of the machine, measured in
 * one run on the same files. Each variant runs in its own process (so peak RSS is its own),
 * rounds are interleaved and medians reported, because shared machines are noisy. Ratios are
 * what to compare across machines; absolute numbers describe this one.
 *
 *   baseline-1   read + gunzip + JSON.parse, touching every record, in the main thread (the
 *                floor any replay pays)
 *   baseline-1w  the same in one worker thread, and
 *   baseline-N   in N worker threads: N against 1w is what this machine's cores give for this
 *                work right now (on shared virtual machines, often well below N)
 *   replay-1     trailguard replay, one job (main thread)
 *   replay-N     trailguard replay, N jobs (main thread and N - 1 workers; default: all cores)
 */
const { values } = parseArgs({
  options: {
    records: { type: "string", default: "300000" },
    rounds: { type: "string", default: "5" },
    jobs: { type: "string", default: String(availableParallelism()) },
  },
});
const records = Number(values.records);
const rounds = Number(values.rounds);
const jobs = Number(values.jobs);
const repoRoot = join(import.meta.dirname, "..");
const benchRoot = join(repoRoot, ".bench");

interface Measurement {
  variant: string;
  records: number;
  findings: number;
  ms: number;
  maxRssMb: number;
}

function measure(variant: "baseline" | "baseline-workers" | "replay", dir: string, jobCount: number): Measurement {
  const args = ["--import", "tsx", join(repoRoot, "scripts", "bench-run.ts"), variant, dir, String(jobCount)];
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`bench-run ${variant} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as Measurement;
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? Number.NaN;

process.stderr.write(`building corpora of ${records} and ${records * 2} records (1,000 per .json.gz object)...\n`);
const small = buildCorpus(benchRoot, records, repoRoot);
const large = buildCorpus(benchRoot, records * 2, repoRoot);

const runs: Record<string, Measurement[]> = { "baseline-1": [], "baseline-1w": [], [`baseline-${jobs}`]: [], "replay-1": [], [`replay-${jobs}`]: [] };
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}...\n`);
  // Each 1-against-N pair runs back to back, so it shares the machine's load of the moment.
  runs["baseline-1"]?.push(measure("baseline", small.dir, 1));
  runs["baseline-1w"]?.push(measure("baseline-workers", small.dir, 1));
  runs[`baseline-${jobs}`]?.push(measure("baseline", small.dir, jobs));
  runs["replay-1"]?.push(measure("replay", small.dir, 1));
  runs[`replay-${jobs}`]?.push(measure("replay", small.dir, jobs));
}
process.stderr.write(`peak memory at ${records * 2} records...\n`);
const largeOne = measure("replay", large.dir, 1);
const largeAll = measure("replay", large.dir, jobs);

const rate = (variant: string) => {
  const list = runs[variant] ?? [];
  return median(list.map((m) => m.records / (m.ms / 1000)));
};
const rss = (variant: string) => Math.max(...(runs[variant] ?? []).map((m) => m.maxRssMb));
const baseline = rate("baseline-1");
const baselineWorker = rate("baseline-1w");
const baselineAll = rate(`baseline-${jobs}`);
const single = rate("replay-1");
const all = rate(`replay-${jobs}`);
const singleRatio = single / baseline;
/** N against 1 in each round (a pair that ran back to back), and their median. */
const pairRatios = (one: string, many: string) => (runs[one] ?? []).map((m, index) => m.ms / (runs[many]?.[index]?.ms ?? Number.NaN)).sort((a, b) => a - b);
const parallelPairs = pairRatios("replay-1", `replay-${jobs}`);
const ceilingPairs = pairRatios("baseline-1w", `baseline-${jobs}`);
const parallelRatio = median(parallelPairs);
const ceiling = median(ceilingPairs);
const list = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(2)).join(" ");
const peak = Math.max(rss("replay-1"), rss(`replay-${jobs}`), largeOne.maxRssMb, largeAll.maxRssMb);

const cpu = cpus()[0]?.model ?? "unknown CPU";
const lines = [
  `machine: ${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  `corpus: ${records} records in ${small.files} .json.gz objects; ${rounds} interleaved rounds, medians`,
  "",
  `variant        records/s   peak RSS`,
  `baseline-1  ${baseline.toFixed(0).padStart(11)}   ${rss("baseline-1").toFixed(0)} MB`,
  `baseline-1w ${baselineWorker.toFixed(0).padStart(11)}   ${rss("baseline-1w").toFixed(0)} MB`,
  `baseline-${jobs}  ${baselineAll.toFixed(0).padStart(11)}   ${rss(`baseline-${jobs}`).toFixed(0)} MB`,
  `replay-1    ${single.toFixed(0).padStart(11)}   ${rss("replay-1").toFixed(0)} MB`,
  `replay-${jobs}    ${all.toFixed(0).padStart(11)}   ${rss(`replay-${jobs}`).toFixed(0)} MB`,
  `at ${records * 2} records: replay-1 ${largeOne.maxRssMb.toFixed(0)} MB, replay-${jobs} ${largeAll.maxRssMb.toFixed(0)} MB peak RSS`,
  "",
  `single job / baseline:   ${singleRatio.toFixed(2)}  (target >= 0.85) ${singleRatio >= 0.85 ? "met" : "NOT met"}`,
  `${jobs} jobs / single job:    ${parallelRatio.toFixed(2)}  (target >= 1.7 on 2 cores) ${parallelRatio >= 1.7 ? "met" : "NOT met"}; median of rounds: ${list(parallelPairs)}`,
  `machine ceiling:         ${ceiling.toFixed(2)}  baseline in ${jobs} threads / in 1; median of rounds: ${list(ceilingPairs)}`,
  `parallel efficiency:     ${((100 * parallelRatio) / ceiling).toFixed(0)}% of the ceiling`,
  `peak RSS:                ${peak.toFixed(0)} MB (target <= 256) ${peak <= 256 ? "met" : "NOT met"}`,
  `RSS growth at 2x corpus: ${(largeAll.maxRssMb - rss(`replay-${jobs}`)).toFixed(0)} MB with ${jobs} jobs, ${(largeOne.maxRssMb - rss("replay-1")).toFixed(0)} MB with 1`,
  `findings: ${runs["replay-1"]?.[0]?.findings} (identical across variants: ${new Set([...(runs["replay-1"] ?? []), ...(runs[`replay-${jobs}`] ?? [])].map((m) => m.findings)).size === 1})`,
];
process.stdout.write(`${lines.join("\n")}\n`);
