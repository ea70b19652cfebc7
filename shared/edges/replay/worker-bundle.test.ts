import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { beforeEach, describe, expect, it } from "vitest";
import { type BundleCacheOptions, type WorkerEntry, cachedBundle } from "./worker-bundle.js";

/**
 * The worker bundle cache, on a small project of its own: reused while its sources are
 * unchanged, rebuilt when any input changes, and still usable when nothing can be written.
 */
let project: string;
let options: BundleCacheOptions;

/** Sources written in the past, as a checkout's would be: the cache refuses inputs changed during a build. */
function writeSource(name: string, text: string): void {
  const path = join(project, "src", name);
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

function codeOf(entry: WorkerEntry): string {
  return entry instanceof URL ? readFileSync(fileURLToPath(entry), "utf8") : entry.code;
}

/** Runs the bundle as a worker does, and returns what it posts. */
function runWorker(entry: WorkerEntry): Promise<unknown> {
  const worker = entry instanceof URL ? new Worker(entry, { execArgv: [] }) : new Worker(entry.code, { eval: true, execArgv: [] });
  return new Promise((resolve, reject) => {
    worker.once("message", (message) => {
      void worker.terminate();
      resolve(message);
    });
    worker.once("error", reject);
  });
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "trailguard-bundle-"));
  mkdirSync(join(project, "src"));
  writeSource("answer.ts", "export const answer: number = 41;\n");
  writeSource("entry.ts", 'import { parentPort } from "node:worker_threads";\nimport { answer } from "./answer.js";\nparentPort?.postMessage(answer + 1);\n');
  options = { entryPoint: join(project, "src", "entry.ts"), projectRoot: project, cacheDir: join(project, "cache") };
});

describe("worker bundle cache", () => {
  it("bundles TypeScript into a file a worker starts from without a loader", async () => {
    const entry = await cachedBundle(options);
    expect(entry).toBeInstanceOf(URL);
    expect(await runWorker(entry)).toBe(42);
    const manifest = JSON.parse(readFileSync(join(options.cacheDir, "entry.manifest.json"), "utf8")) as { inputs: string[] };
    expect(manifest.inputs.sort()).toEqual(["src/answer.ts", "src/entry.ts"]);
  });

  it("reuses the cached file while no input changed", async () => {
    const first = await cachedBundle(options);
    const written = statSync(fileURLToPath(first as URL)).mtimeMs;
    const second = await cachedBundle(options);
    expect(second.toString()).toBe(first.toString());
    expect(statSync(fileURLToPath(second as URL)).mtimeMs).toBe(written);
  });

  it("rebuilds when an imported file changes, even to the same size", async () => {
    const first = await cachedBundle(options);
    writeSource("answer.ts", "export const answer: number = 99;\n");
    const second = await cachedBundle(options);
    expect(second.toString()).not.toBe(first.toString());
    expect(codeOf(second)).toContain("99");
    expect(await runWorker(second)).toBe(100);
  });

  it("rebuilds when the manifest is damaged", async () => {
    await cachedBundle(options);
    writeFileSync(join(options.cacheDir, "entry.manifest.json"), "{ not json");
    const entry = await cachedBundle(options);
    expect(await runWorker(entry)).toBe(42);
    expect(JSON.parse(readFileSync(join(options.cacheDir, "entry.manifest.json"), "utf8"))).toMatchObject({ version: 1 });
  });

  it("does not cache a build whose inputs changed while it ran", async () => {
    // Modified after the build started, as an editor saving during the build would.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(project, "src", "answer.ts"), later, later);
    const entry = await cachedBundle(options);
    expect(entry).not.toBeInstanceOf(URL);
    expect(await runWorker(entry)).toBe(42);
  });

  it("builds in memory when the cache cannot be written", async () => {
    writeFileSync(options.cacheDir, "a file where the cache folder should be");
    const entry = await cachedBundle(options);
    expect(entry).not.toBeInstanceOf(URL);
    expect(await runWorker(entry)).toBe(42);
  });

  it("keeps recent bundles of other sources, for replays still starting from them", async () => {
    await cachedBundle(options);
    writeSource("answer.ts", "export const answer: number = 7;\n");
    await cachedBundle(options);
    const bundles = readdirSync(options.cacheDir).filter((name) => name.endsWith(".cjs"));
    expect(bundles).toHaveLength(2);
  });

  it("removes bundles of other sources once they are old", async () => {
    const first = await cachedBundle(options);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(fileURLToPath(first as URL), old, old);
    writeSource("answer.ts", "export const answer: number = 7;\n");
    const second = await cachedBundle(options);
    const bundles = readdirSync(options.cacheDir).filter((name) => name.endsWith(".cjs"));
    expect(bundles).toEqual([fileURLToPath(second as URL).split("/").pop()]);
  });
});
