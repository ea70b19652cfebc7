import { ROOT_MONITOR_RULES } from "../shared/core/rules/registry-root.js";
import { createAlertRuntime } from "../shared/edges/lambda/create-alert-runtime.js";
import { lambdaEntry, lambdaObservability } from "../shared/edges/lambda/lambda-entry.js";

/**
 * Root activity and root console sign-in: detect and alert (IAM cannot restrict root). Also
 * watches the tamper monitor, which cannot be trusted to report its own replacement.
 */
const { logger, metrics } = lambdaObservability();
export const handler = lambdaEntry(createAlertRuntime({ rules: ROOT_MONITOR_RULES, logger, metrics }), process.env, logger, metrics);
