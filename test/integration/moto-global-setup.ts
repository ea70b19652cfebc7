import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";

/**
 * Starts moto_server (a real AWS API over HTTP: IAM, STS, SNS, SQS, EventBridge, DynamoDB) on
 * 127.0.0.1 and a free port for the integration suites, and stops it by PID afterwards.
 * In CI a missing moto_server is an error; elsewhere the suites skip with a visible notice.
 */
declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let server: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (spawnSync("moto_server", ["--help"], { stdio: "ignore" }).status !== 0) {
    if (process.env.CI) throw new Error("moto_server is not installed: CI needs it for the integration suites (pip install 'moto[server]')");
    process.stderr.write("\n*** moto_server not found: integration suites against a local AWS API are SKIPPED ***\n\n");
    project.provide("motoEndpoint", "");
    return;
  }
  const port = await freePort();
  // AWS managed policies (AWSDenyAll, the quarantine policies) exist in real accounts; moto loads them on request.
  server = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
    detached: false,
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, server);
  project.provide("motoEndpoint", endpoint);
}

export async function teardown(): Promise<void> {
  if (server?.pid !== undefined && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server?.kill("SIGKILL");
        resolve();
      }, 5_000);
      server?.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`moto_server did not answer on ${endpoint} within 45 s`);
}
