import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where a replay worker starts from. Built JavaScript loads `replay-worker.js` directly. From
 * TypeScript sources (how the CLI runs) a worker cannot load the code itself, because tsx's
 * loader does not reach Node 20 workers; so the worker is bundled with esbuild into one
 * CommonJS file. Bundling costs 100-200 ms (esbuild's start-up and the build) during which the
 * workers cannot start.
 *
 * The bundle is therefore kept in `node_modules/.cache/trailguard/` beside a manifest: the
 * inputs esbuild read (about 120 files) and a hash of their content (4 ms to recompute). It is
 * reused while the hash matches, so editing any source or upgrading a dependency rebuilds it.
 * When the cache cannot be written (a read-only checkout) the bundle is built in memory.
 */
export type WorkerEntry = URL | { readonly code: string };

export interface BundleCacheOptions {
  /** The TypeScript entry point to bundle. */
  readonly entryPoint: string;
  /** Inputs are recorded relative to this directory. */
  readonly projectRoot: string;
  readonly cacheDir: string;
}

interface Manifest {
  readonly version: 1;
  readonly inputs: readonly string[];
  readonly hash: string;
}

const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function replayWorkerEntry(): Promise<WorkerEntry> {
  if (!import.meta.url.endsWith(".ts")) return Promise.resolve(new URL("./replay-worker.js", import.meta.url));
  return cachedBundle({
    entryPoint: fileURLToPath(new URL("./replay-worker.ts", import.meta.url)),
    projectRoot: PROJECT_ROOT,
    cacheDir: join(PROJECT_ROOT, "node_modules", ".cache", "trailguard"),
  });
}

export async function cachedBundle(options: BundleCacheOptions): Promise<WorkerEntry> {
  const cached = freshCachedBundle(options);
  if (cached) return pathToFileURL(cached);
  const startedMs = Date.now();
  const { code, inputs } = await bundle(options);
  const saved = saveToCache(options, code, inputs, startedMs);
  return saved ? pathToFileURL(saved) : { code };
}

const stem = (options: BundleCacheOptions) => basename(options.entryPoint).replace(/\.[cm]?ts$/, "");
const manifestPath = (options: BundleCacheOptions) => join(options.cacheDir, `${stem(options)}.manifest.json`);
/** Named by its hash, so a manifest always points at the bundle built from what it describes. */
const bundlePath = (options: BundleCacheOptions, hash: string) => join(options.cacheDir, `${stem(options)}-${hash.slice(0, 20)}.cjs`);

function freshCachedBundle(options: BundleCacheOptions): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(options), "utf8")) as Manifest;
    if (manifest.version !== 1 || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return undefined;
    if (hashInputs(options, manifest.inputs) !== manifest.hash) return undefined;
    const path = bundlePath(options, manifest.hash);
    statSync(path);
    return path;
  } catch {
    return undefined; // missing, unreadable, or an input is gone: rebuild
  }
}

function hashInputs(options: BundleCacheOptions, inputs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const input of inputs) hash.update(input).update("\0").update(readFileSync(join(options.projectRoot, input))).update("\0");
  return hash.digest("hex");
}

async function bundle(options: BundleCacheOptions): Promise<{ code: string; inputs: readonly string[] }> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [options.entryPoint],
    absWorkingDir: options.projectRoot,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error(`could not bundle ${options.entryPoint}`);
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

/**
 * Written under temporary names and renamed, so a concurrent replay never reads half a file.
 * Not cached when an input changed while esbuild was reading it: the hash would then describe
 * sources the bundle does not contain.
 */
function saveToCache(options: BundleCacheOptions, code: string, inputs: readonly string[], startedMs: number): string | undefined {
  try {
    if (inputs.some((input) => statSync(join(options.projectRoot, input)).mtimeMs >= startedMs)) return undefined;
    const manifest: Manifest = { version: 1, inputs, hash: hashInputs(options, inputs) };
    const path = bundlePath(options, manifest.hash);
    mkdirSync(options.cacheDir, { recursive: true });
    const suffix = `.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(path + suffix, code);
    renameSync(path + suffix, path);
    writeFileSync(manifestPath(options) + suffix, JSON.stringify(manifest));
    renameSync(manifestPath(options) + suffix, manifestPath(options));
    removeOldBundles(options, path);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * Bundles of earlier sources, once no replay can still be starting workers from them (workers
 * load their file as they start, in the first second of a replay).
 */
function removeOldBundles(options: BundleCacheOptions, keep: string): void {
  const staleBefore = Date.now() - 10 * 60_000;
  const prefix = `${stem(options)}-`;
  for (const name of readdirSync(options.cacheDir)) {
    const path = join(options.cacheDir, name);
    if (path === keep || !name.startsWith(prefix) || !name.endsWith(".cjs")) continue;
    if (statSync(path).mtimeMs < staleBefore) rmSync(path, { force: true });
  }
}
