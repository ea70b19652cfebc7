import { type AccountClients, createAccountClients } from "../aws/account-clients.js";
import { executeActions } from "../aws/execute-actions.js";
import { accountAliases } from "../aws/account-alias.js";
import { iamLookups } from "../aws/iam-lookups.js";
import type { TrailguardConfig } from "../../core/config/config.js";
import { type Runtime, type RuntimeOptions, buildRuntime } from "./runtime-core.js";

export type { Runtime, RuntimeOptions } from "./runtime-core.js";

/**
 * The full runtime: detects, carries out planned actions (IAM, STS), reads what rules ask to
 * have looked up (read-only IAM, in its own and the managed accounts), and alerts.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  let clients: AccountClients | undefined;
  const clientsFor = (config: TrailguardConfig, env: NodeJS.ProcessEnv, now: () => Date) =>
    (clients ??= createAccountClients({
      // IAM is global; STS follows the function's region.
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      memberRoleName: config.memberRoleName,
      now,
    }));
  return buildRuntime(
    options,
    (config, env, now) => {
      const accountClients = clientsFor(config, env, now);
      return (finding) => executeActions(finding, { config, clients: accountClients, now });
    },
    (config, env, now) => {
      const accountClients = clientsFor(config, env, now);
      return iamLookups({
        iamFor: (account) => accountClients.iamFor(account),
        mayRead: async (account) => config.managedAccounts.includes(account) || (await accountClients.self()).account === account,
      });
    },
    (config, env, now) => {
      const accountClients = clientsFor(config, env, now);
      return accountAliases({
        iamFor: (account) => accountClients.iamFor(account),
        mayRead: async (account) => config.managedAccounts.includes(account) || (await accountClients.self()).account === account,
        now,
      });
    },
  );
}
