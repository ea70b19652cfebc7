import { TAMPER_RULES } from "../shared/core/rules/registry-tamper.js";
import { createAlertRuntime } from "../shared/edges/lambda/create-alert-runtime.js";
import { lambdaEntry, lambdaObservability } from "../shared/edges/lambda/lambda-entry.js";

/** Tampering with CloudTrail or trailguard, misuse of trailguard's identity, the heartbeat: detect and alert. */
const { logger, metrics } = lambdaObservability();
export const handler = lambdaEntry(createAlertRuntime({ rules: TAMPER_RULES, logger, metrics }), process.env, logger, metrics);
