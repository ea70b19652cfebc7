import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bundledSamples } from "../shared/edges/replay/bundled-samples.js";

/**
 * Builds a benchmark corpus laid out like CloudTrail in S3 (AWSLogs/<account>/CloudTrail/
 * <region>/YYYY/MM/DD/*.json.gz, 1,000 records per object). Seeds are the real records of
 * ../shared/corpus when present, plus the bundled samples; every copy gets a fresh eventID and
 * time so nothing is deduplicated away. Deterministic for a given size.
 */
export function buildCorpus(root: string, records: number, repoRoot: string): { dir: string; files: number; seeds: number } {
  const dir = join(root, `corpus-${records}`);
  const perFile = 1000;
  const files = Math.ceil(records / perFile);
  if (existsSync(join(dir, ".complete"))) return { dir, files, seeds: -1 };
  const seeds = loadSeeds(repoRoot);
  let n = 0;
  for (let file = 0; file < files; file++) {
    const day = String(1 + (file % 28)).padStart(2, "0");
    const folder = join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "10", day);
    mkdirSync(folder, { recursive: true });
    const batch: unknown[] = [];
    for (let i = 0; i < perFile && n < records; i++, n++) {
      const seed = seeds[n % seeds.length] as Record<string, unknown>;
      const minute = String(n % 60).padStart(2, "0");
      batch.push({ ...seed, eventID: `bench-${n.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`, eventTime: `2026-10-${day}T12:${minute}:00Z` });
    }
    writeFileSync(join(folder, `111122223333_CloudTrail_us-east-1_202610${day}T12${String(file).padStart(4, "0")}Z_bench.json.gz`), gzipSync(JSON.stringify({ Records: batch })));
  }
  writeFileSync(join(dir, ".complete"), String(records));
  return { dir, files, seeds: seeds.length };
}

function loadSeeds(repoRoot: string): unknown[] {
  const seeds: unknown[] = [];
  const corpus = join(repoRoot, "..", "shared", "corpus");
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".json")) seeds.push(...((JSON.parse(readFileSync(path, "utf8")) as { Records?: unknown[] }).Records ?? []));
    }
  };
  if (existsSync(corpus)) walk(corpus);
  for (const sample of bundledSamples()) {
    // A sample is one EventBridge event or a sequence of them.
    const events = JSON.parse(readFileSync(sample.path, "utf8")) as { detail: unknown } | Array<{ detail: unknown }>;
    for (const event of Array.isArray(events) ? events : [events]) seeds.push(event.detail);
  }
  if (!existsSync(corpus)) {
    // Without the public corpus, keep the mix realistic: most CloudTrail is not IAM. Add
    // read-heavy calls from other services, derived from the samples' identities.
    const base = seeds.slice() as Array<Record<string, unknown>>;
    const services = [
      ["s3.amazonaws.com", "GetObject", true],
      ["ec2.amazonaws.com", "DescribeInstances", true],
      ["sts.amazonaws.com", "AssumeRole", false],
      ["kms.amazonaws.com", "Decrypt", true],
      ["lambda.amazonaws.com", "Invoke", false],
      ["logs.amazonaws.com", "CreateLogStream", false],
    ] as const;
    for (let i = 0; i < base.length * 8; i++) {
      const seed = base[i % base.length] as Record<string, unknown>;
      const [eventSource, eventName, readOnly] = services[i % services.length] as (typeof services)[number];
      const identity = seed.userIdentity as Record<string, unknown> | undefined;
      if (identity?.type === "Root") continue;
      seeds.push({ ...seed, eventSource, eventName, readOnly, requestParameters: { bucketName: "logs", key: `k/${i}` }, responseElements: null });
    }
  }
  return seeds;
}
