import { freePort } from "../support/free-port.js";
import type { TestProject } from "vitest/node";
import { type BoundedChild, runBoundedSync, startBounded } from "../support/bounded-process.js";

/**
 * Starts moto_server (a real AWS API over HTTP: IAM, STS, SNS, SQS, EventBridge, DynamoDB) on
 * 127.0.0.1 and a free port for the integration suites, and stops it (its whole process group)
 * afterwards. In CI a missing moto_server is an error; elsewhere the suites skip with a visible
 * notice. Like every child of the tests it is bounded (test/support/bounded-process.ts): should
 * teardown never run, it is killed when vitest's process is gone, or after MOTO_BOUND_MS.
 */
declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

/** Longer than any full run (about 15 minutes on a loaded machine); teardown stops it long before. */
const MOTO_BOUND_MS = 60 * 60 * 1000;
const STARTUP_MS = 45_000;

let server: BoundedChild | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (runBoundedSync("moto_server", ["--help"], { timeoutMs: 30_000 }).status !== 0) {
    if (process.env.CI) throw new Error("moto_server is not installed: CI needs it for the integration suites (pip install 'moto[server]')");
    process.stderr.write("\n*** moto_server not found: integration suites against a local AWS API are SKIPPED ***\n\n");
    project.provide("motoEndpoint", "");
    return;
  }
  const port = await freePort();
  // AWS managed policies (AWSDenyAll, the quarantine policies) exist in real accounts; moto loads them on request.
  server = startBounded("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
    timeoutMs: MOTO_BOUND_MS,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(endpoint, server);
  } catch (error) {
    await server.stop(0);
    throw error;
  }
  project.provide("motoEndpoint", endpoint);
}

export async function teardown(): Promise<void> {
  // SIGTERM to its group, SIGKILL after 5 s if anything is left.
  await server?.stop(5_000);
}

async function waitUntilUp(endpoint: string, child: BoundedChild): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    const { exitCode } = child.process;
    if (exitCode !== null) throw new Error(`moto_server exited with code ${exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_MS / 1000} s`);
}
