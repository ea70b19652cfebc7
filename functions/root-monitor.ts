import { ROOT_MONITOR_RULES } from "../shared/rules/registry.js";
import { createAlertRuntime } from "../shared/runtime/create-alert-runtime.js";
import { lambdaEntry } from "../shared/runtime/lambda-entry.js";

/**
 * Root activity and root console sign-in: detect and alert (IAM cannot restrict root). Also
 * watches the tamper monitor, which cannot be trusted to report its own replacement.
 */
export const handler = lambdaEntry(createAlertRuntime({ rules: ROOT_MONITOR_RULES }));
