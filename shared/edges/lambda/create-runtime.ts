import { createAccountClients } from "../aws/account-clients.js";
import { executeActions } from "../aws/execute-actions.js";
import { type Runtime, type RuntimeOptions, buildRuntime } from "./runtime-core.js";

export type { Runtime, RuntimeOptions } from "./runtime-core.js";

/** The full runtime: detects, carries out planned actions (IAM, STS) and alerts. */
export function createRuntime(options: RuntimeOptions): Runtime {
  return buildRuntime(options, (config, env, now) => {
    const clients = createAccountClients({
      // IAM is global; STS follows the function's region.
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      memberRoleName: config.memberRoleName,
      now,
    });
    return (finding) => executeActions(finding, { config, clients, now });
  });
}
