import { parentPort, workerData } from "node:worker_threads";
import type { TrailguardConfig } from "../../core/config/config.js";
import { createAnalyser } from "../../core/engine/analyse.js";
import { type ReplayFilters, fileQueue } from "./replay-file.js";
import { RULES } from "../../core/rules/registry.js";

/** A replay worker: analyses the files the main thread hands it, one at a time. */
interface WorkerSetup {
  readonly config: TrailguardConfig;
  readonly filters: ReplayFilters;
}

const setup = workerData as WorkerSetup;
const analyser = createAnalyser(setup.config, RULES);
const port = parentPort;
if (!port) throw new Error("replay-worker must run as a worker thread");

const enqueue = fileQueue(analyser, setup.filters, (index, result) => port.postMessage({ index, result }));
port.on("message", (task: { index: number; path: string }) => enqueue(task.index, task.path));
