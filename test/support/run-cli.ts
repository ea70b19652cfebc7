import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the replay CLI as a user would (a real process), with tsx as the TypeScript loader. */
export function runReplay(args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "cli", "replay.ts"), ...args], {
    cwd: repoRoot,
    input: options.input ?? "",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    // Bounded: a hung CLI is killed (its workers are threads of the same process).
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
