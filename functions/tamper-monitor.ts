import { TAMPER_RULES } from "../shared/rules/registry.js";
import { createAlertRuntime } from "../shared/runtime/create-alert-runtime.js";
import { lambdaEntry } from "../shared/runtime/lambda-entry.js";

/** Tampering with CloudTrail or trailguard, misuse of trailguard's identity, the heartbeat: detect and alert. */
export const handler = lambdaEntry(createAlertRuntime({ rules: TAMPER_RULES }));
