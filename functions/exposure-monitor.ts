import { EXPOSURE_RULES } from "../shared/core/rules/registry-exposure.js";
import { createAlertRuntime } from "../shared/edges/lambda/create-alert-runtime.js";
import { lambdaEntry, lambdaObservability } from "../shared/edges/lambda/lambda-entry.js";

/** Resources shared outside the account (bucket policies, snapshots, Lambda permissions…): detect and alert. */
const { logger, metrics } = lambdaObservability();
export const handler = lambdaEntry(createAlertRuntime({ rules: EXPOSURE_RULES, logger, metrics }), process.env, logger, metrics);
