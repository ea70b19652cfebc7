import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The one way tests start child processes. Every child is bounded in time and always stopped,
 * together with whatever it started:
 *  - it runs in a process group of its own (`detached: true`), and is stopped by signalling the
 *    whole group (`process.kill(-pid, "SIGKILL")`): `serverless invoke local` starts node and
 *    esbuild, and killing only the CLI would leave them running (and holding its output pipes);
 *  - `timeoutMs` is required: when it runs out the group is killed and the result says so
 *    (`timedOut`). Give a test a timeout above the sum of its children's bounds (see
 *    `testTimeout`), so a hung child fails the test with that message, before vitest's own
 *    timeout fires;
 *  - when the child exits, what it left behind in its group is killed too;
 *  - children still running when their test ends (it failed, or timed out) are killed by the
 *    hooks of test/support/stop-children.ts (vitest `setupFiles`), those started in `beforeAll`
 *    when the file ends, and any left when the process exits;
 *  - a detached group no longer receives the signals meant for the test run (Ctrl-C, a CI job
 *    stopping vitest's process group), so a small watchdog (`sh`, in its own group too) kills
 *    the child's group when the process that started it is gone, or shortly after the bound.
 * POSIX only (process groups, /bin/sh), like the rest of the tooling (moto_server, osls).
 */

export interface BoundedOptions {
  /** Kill the child's whole process group (SIGKILL) after this many milliseconds. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** The child's complete environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunOptions extends BoundedOptions {
  /** Written to the child's standard input, which is then closed (default: nothing, EOF). */
  readonly input?: string | Buffer;
  /** Output kept per stream; the rest is dropped (default 64 MiB). */
  readonly maxOutputBytes?: number;
}

export interface BoundedResult {
  readonly pid: number | undefined;
  /** The exit code, or null when killed by a signal or never started. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because it was still running after `timeoutMs`. */
  readonly timedOut: boolean;
  /** The child could not be started (e.g. ENOENT: not installed). */
  readonly error?: Error;
}

export interface BoundedChild {
  readonly pid: number | undefined;
  readonly process: ChildProcess;
  /** Settles when the child has exited (and its group has been killed). */
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null; timedOut: boolean; error?: Error }>;
  /** SIGTERM to the group, then SIGKILL after `graceMs` if anything is still running. */
  stop(graceMs?: number): Promise<void>;
}

interface Running {
  readonly pid: number;
  /** Start order: the set-up file kills what a test started (sequence above the mark it took). */
  readonly sequence: number;
  kill(): void;
}

/**
 * Shared by every copy of this module in the process (vitest may load it once per test file, and
 * the set-up file and the test must see the same children); one 'exit' hook per process.
 */
interface Registry {
  readonly running: Set<Running>;
  started: number;
}
const REGISTRY = Symbol.for("trailguard.test.bounded-process");
const registry = ((globalThis as Record<symbol, Registry | undefined>)[REGISTRY] ??= (() => {
  const created: Registry = { running: new Set(), started: 0 };
  // Synchronous, so it also works in 'exit' (process.exit, the end of a vitest worker).
  process.once("exit", () => {
    for (const child of created.running) child.kill();
  });
  return created;
})());

/** Sends `signal` to the child's process group; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Whether a process still runs (a zombie, dead but not yet reaped by its parent, does not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the parenthesised command name, is the state.
    return !/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The sequence number of the last child started: children started later have a higher one. */
export function childSequence(): number {
  return registry.started;
}

/** Kills (SIGKILL, whole group) the children still running, or those started after `after`. */
export function stopChildren(after = 0): number {
  let stopped = 0;
  for (const child of [...registry.running]) {
    if (child.sequence <= after) continue;
    child.kill();
    stopped++;
  }
  return stopped;
}

/**
 * Kills the group of `pid` when `parent` is gone or `seconds` have passed, whichever comes
 * first, and exits as soon as the group is gone. dash/sh: `kill -0 -PGID` probes a group.
 */
const WATCHDOG = 'p=$1; g=$2; n=$3; while [ "$n" -gt 0 ] && kill -0 "$p" 2>/dev/null && kill -0 "-$g" 2>/dev/null; do sleep 1; n=$((n-1)); done; kill -KILL "-$g" 2>/dev/null; exit 0';
const WATCHDOG_GRACE_SECONDS = 5;

function startWatchdog(pid: number, timeoutMs: number): ChildProcess | undefined {
  try {
    const seconds = Math.ceil(timeoutMs / 1000) + WATCHDOG_GRACE_SECONDS;
    const watchdog = spawn("/bin/sh", ["-c", WATCHDOG, "watchdog", String(process.pid), String(pid), String(seconds)], { detached: true, stdio: "ignore" });
    watchdog.on("error", () => undefined);
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/**
 * Starts a bounded child and returns at once: for servers (moto_server) and for callers that
 * read the output themselves. Prefer `runBounded`, which waits and collects the output.
 */
export function startBounded(command: string, args: readonly string[], options: BoundedOptions & { stdio?: "pipe" | "ignore" }): BoundedChild {
  if (!(options.timeoutMs > 0)) throw new Error(`startBounded(${command}): timeoutMs must be positive, got ${options.timeoutMs}`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: options.stdio ?? "pipe",
  });
  const sequence = ++registry.started;
  let timedOut = false;
  let watchdog: ChildProcess | undefined;
  let entry: Running | undefined;
  const killGroup = () => {
    if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  if (child.pid !== undefined) {
    entry = { pid: child.pid, sequence, kill: killGroup };
    registry.running.add(entry);
    watchdog = startWatchdog(child.pid, options.timeoutMs);
  }
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null; timedOut: boolean; error?: Error }>((resolve) => {
    const finish = (status: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      clearTimeout(timer);
      // Whatever the child left in its group (grandchildren) goes with it.
      killGroup();
      if (entry) registry.running.delete(entry);
      if (watchdog?.pid !== undefined) signalGroup(watchdog.pid, "SIGKILL");
      resolve({ status, signal, timedOut, ...(error ? { error } : {}) });
    };
    child.once("error", (error) => {
      // Failed to start (no 'exit' follows), or failed to be signalled (it still exits).
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) finish(null, null, error);
    });
    child.once("exit", (status, signal) => finish(status, signal));
  });
  return {
    pid: child.pid,
    process: child,
    exited,
    async stop(graceMs = 5_000) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child.pid, "SIGTERM");
      const grace = setTimeout(killGroup, graceMs);
      await exited;
      clearTimeout(grace);
    },
  };
}

/** Runs a child to completion (or to its bound) and returns its exit and output. Never rejects. */
export async function runBounded(command: string, args: readonly string[], options: RunOptions): Promise<BoundedResult> {
  const limit = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const bounded = startBounded(command, args, options);
  const child = bounded.process;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream?.on("data", (chunk: Buffer) => {
      if (size >= limit) return;
      chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    return () => Buffer.concat(chunks).toString("utf8");
  };
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  // The child may exit without reading its input.
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(options.input ?? "");
  const outcome = await bounded.exited;
  // Output still buffered arrives before the pipes close; once the group is dead nothing holds
  // them open, but do not wait on them forever (a process that left the group could).
  await Promise.race([
    Promise.all([child.stdout, child.stderr].map((stream) => (stream && !stream.closed ? new Promise((resolve) => stream.once("close", resolve)) : undefined))),
    new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
  ]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  return { pid: bounded.pid, status: outcome.status, signal: outcome.signal, stdout: stdout(), stderr: stderr(), timedOut: outcome.timedOut, ...(outcome.error ? { error: outcome.error } : {}) };
}

/**
 * For quick probes at collection time (`cfn-lint --version`, `moto_server --help`) of tools that
 * start no processes of their own: spawnSync cannot use a process group, but it kills the
 * child (SIGKILL) at the bound and blocks until then, so nothing outlives the call.
 */
export function runBoundedSync(command: string, args: readonly string[], options: RunOptions): BoundedResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input ?? "",
    encoding: "utf8",
    maxBuffer: options.maxOutputBytes ?? 64 * 1024 * 1024,
    timeout: options.timeoutMs,
    killSignal: "SIGKILL",
  });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  return {
    pid: result.pid,
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    timedOut,
    ...(result.error && !timedOut ? { error: result.error } : {}),
  };
}

/** A readable account of a result for assertion messages: how it ended, then its output. */
export function describeResult(result: BoundedResult, bound?: number): string {
  const ending = result.error
    ? `could not start: ${result.error.message}`
    : result.timedOut
      ? `killed after its bound${bound ? ` of ${bound / 1000} s` : ""} (hung or too slow)`
      : result.signal
        ? `killed by ${result.signal}`
        : `exit ${result.status}`;
  return `${ending}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** Time for a test (or hook) that runs `children` children one after another, each within `boundMs`. */
export function testTimeout(children: number, boundMs: number, slackMs = 15_000): number {
  return children * boundMs + slackMs;
}

/**
 * A time budget shared by children run one after another, for a test whose timeout is
 * `testTimeout(1, totalMs)`: each child's bound is cut to what is left, so the last one is
 * killed before vitest's timeout fires. Asking when less than a second is left fails the test.
 */
export function timeBudget(totalMs: number): { bound(maxMs: number): number } {
  const end = Date.now() + totalMs;
  return {
    bound(maxMs) {
      const left = end - Date.now();
      if (left < 1_000) throw new Error(`the time budget of ${totalMs / 1000} s is used up: the children so far took it all`);
      return Math.min(maxMs, left);
    },
  };
}
