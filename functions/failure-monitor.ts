import { FAILURE_RULES } from "../shared/core/rules/registry-failure.js";
import { createAlertRuntime } from "../shared/edges/lambda/create-alert-runtime.js";
import { lambdaEntry, lambdaObservability } from "../shared/edges/lambda/lambda-entry.js";

/** Repeated failures counted over a window (refused calls, failed console sign-ins): detect and alert. */
const { logger, metrics } = lambdaObservability();
export const handler = lambdaEntry(createAlertRuntime({ rules: FAILURE_RULES, logger, metrics }), process.env, logger, metrics);
