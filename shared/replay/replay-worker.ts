import { parentPort, workerData } from "node:worker_threads";
import type { TrailguardConfig } from "../config/config.js";
import { createAnalyser } from "../pipeline/analyse.js";
import type { InputSource } from "./input-paths.js";
import { type ReplayFilters, prefetch, replaySource } from "./replay-file.js";

/** A replay worker: analyses the files the main thread hands it, one at a time. */
interface WorkerSetup {
  readonly config: TrailguardConfig;
  readonly filters: ReplayFilters;
}

const setup = workerData as WorkerSetup;
const analyser = createAnalyser(setup.config);
const port = parentPort;
if (!port) throw new Error("replay-worker must run as a worker thread");

/** Tasks are processed one at a time, in order; the next file is read while one is analysed. */
const queue: Array<{ index: number; source: InputSource; bytes: Promise<Buffer> | undefined }> = [];
let busy = false;

port.on("message", (task: { index: number; path: string }) => {
  const source: InputSource = { kind: "file", path: task.path };
  queue.push({ index: task.index, source, bytes: prefetch(source) });
  if (!busy) void work();
});

async function work(): Promise<void> {
  busy = true;
  for (let task = queue.shift(); task; task = queue.shift()) {
    try {
      const result = await replaySource(task.source, analyser, setup.filters, task.bytes);
      port?.postMessage({ index: task.index, result });
    } catch (error) {
      port?.postMessage({ index: task.index, error: String(error) });
    }
  }
  busy = false;
}
