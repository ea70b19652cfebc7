import { join } from "node:path";
import { type BoundedResult, describeResult, runBounded } from "./bounded-process.js";

export const repoRoot = join(import.meta.dirname, "..", "..");

export type CliResult = BoundedResult;

/**
 * How long one replay may run: a run takes seconds (about 10 s on a loaded CI machine for the
 * largest tree); one hung is killed at this bound. Tests give themselves
 * `testTimeout(runs, REPLAY_BOUND_MS)`.
 */
export const REPLAY_BOUND_MS = 45_000;

/** Runs the replay CLI as a user would (a real process), with tsx as the TypeScript loader. */
export async function runReplay(args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const result = await runBounded(process.execPath, ["--import", "tsx", join(repoRoot, "cli", "replay.ts"), ...args], {
    cwd: repoRoot,
    input: options.input ?? "",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    timeoutMs: REPLAY_BOUND_MS,
  });
  // A replay never legitimately runs this long: say so rather than fail on a missing exit code.
  if (result.timedOut || result.error) throw new Error(`replay ${args.join(" ")}: ${describeResult(result, REPLAY_BOUND_MS)}`);
  return result;
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
