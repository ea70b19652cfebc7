import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning, runBounded, startBounded } from "./bounded-process.js";
import { repoRoot } from "./run-cli.js";

/**
 * The guarantees every test's child processes rely on (test/support/bounded-process.ts): a child
 * is killed at its bound with everything it started, nothing it leaves behind survives it, and
 * a child still running when its test ends, or when the process that started it dies, is killed.
 */

/** A node process that starts a grandchild (sharing its output pipes), prints both pids, then runs `then`. */
const parentOfGrandchild = (then: string) => `
  const { spawn } = require("node:child_process");
  process.on("SIGTERM", () => {}); // only SIGKILL stops it
  const grandchild = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1e9)"], { stdio: "inherit" });
  process.stdout.write(process.pid + " " + grandchild.pid + "\\n");
  ${then}
`;

function pids(stdout: string): number[] {
  const found = (/^(\d+) (\d+)$/m.exec(stdout) ?? []).slice(1).map(Number);
  expect(found, `pids in ${JSON.stringify(stdout)}`).toHaveLength(2);
  return found;
}

/**
 * Waits until `process.kill(pid, 0)` throws ESRCH. A process killed after its parent died is
 * reaped by init, which may take a moment; until then it is a zombie, which `isRunning` already
 * counts as gone (it runs nothing), but ESRCH is the proof that nothing is left at all.
 */
async function gone(pid: number, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
      throw error;
    }
    if (Date.now() > deadline) return !isRunning(pid);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("bounded child processes", () => {
  it("kills a child that never ends, and the grandchild it started, at its bound (SIGKILL to the process group)", async () => {
    const started = Date.now();
    const result = await runBounded(process.execPath, ["-e", parentOfGrandchild("setInterval(() => {}, 1e9);")], { timeoutMs: 1_500 });
    const elapsed = Date.now() - started;
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    // Returned promptly although the grandchild held the output pipes open.
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(elapsed).toBeLessThan(1_500 + 3_000);
    const [child = 0, grandchild = 0] = pids(result.stdout);
    expect(await gone(child)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });

  it("a child that exits returns at once, and what it left running is killed", async () => {
    const started = Date.now();
    const result = await runBounded(process.execPath, ["-e", parentOfGrandchild("process.exit(0);")], { timeoutMs: 30_000 });
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [, grandchild = 0] = pids(result.stdout);
    expect(await gone(grandchild)).toBe(true);
  });

  it("reports a command that does not exist instead of throwing", async () => {
    const result = await runBounded("trailguard-no-such-command", [], { timeoutMs: 5_000 });
    expect(result.error?.message).toMatch(/ENOENT/);
    expect(result.status).toBeNull();
  });

  describe("a test that times out", () => {
    let orphan: number | undefined;
    // Expected to fail: it times out, as a test whose child hung would.
    it.fails(
      "(times out on purpose, its child still running)",
      async () => {
        const child = startBounded(process.execPath, ["-e", parentOfGrandchild("setInterval(() => {}, 1e9);")], { timeoutMs: 60_000 });
        child.process.stdout?.on("data", (chunk: Buffer) => {
          orphan = Number(/ (\d+)$/m.exec(chunk.toString())?.[1]);
        });
        await new Promise(() => undefined);
      },
      1_000,
    );

    it("had its child and grandchild killed when it ended (test/support/stop-children.ts), long before their bound", async () => {
      expect(orphan, "the timed-out test started a grandchild").toBeGreaterThan(0);
      expect(await gone(orphan ?? 0)).toBe(true);
    });
  });

  it("kills the child's group when the process that started it dies without cleaning up (the watchdog)", async () => {
    // A process that starts a bounded child (with a grandchild), prints their pids and is then
    // killed by SIGKILL: no exit handler, no afterEach. The child's group is detached from it.
    const script = `
      import { startBounded } from ${JSON.stringify(join(import.meta.dirname, "bounded-process.ts"))};
      const child = startBounded(process.execPath, ["-e", ${JSON.stringify(parentOfGrandchild("setInterval(() => {}, 1e9);"))}], { timeoutMs: 60_000 });
      child.process.stdout.on("data", (chunk) => {
        process.stdout.write(chunk);
        setTimeout(() => process.kill(process.pid, "SIGKILL"), 200);
      });
    `;
    const result = await runBounded(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeoutMs: 20_000 });
    expect(result.signal, result.stderr).toBe("SIGKILL");
    const [child = 0, grandchild = 0] = pids(result.stdout);
    // The watchdog polls every second: both are gone well within the 60 s bound.
    expect(await gone(child, 5_000)).toBe(true);
    expect(await gone(grandchild, 5_000)).toBe(true);
  }, 40_000);
});

describe("one way to start a process in tests", () => {
  it("only test/support/bounded-process.ts imports node:child_process among the tests and their support", () => {
    const files = (dir: string): string[] =>
      readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
        .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
    const testCode = [...files("test"), ...["shared", "functions", "cli"].flatMap(files).filter((path) => path.endsWith(".test.ts"))];
    const importers = testCode.filter((path) => /^\s*import\b[^;]*?["'](node:)?child_process["']|\bimport\(\s*["'](node:)?child_process["']\s*\)/m.test(readFileSync(join(repoRoot, path), "utf8")));
    expect(importers).toEqual(["test/support/bounded-process.ts"]);
  });
});
