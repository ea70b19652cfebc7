import { IAM_RULES } from "../shared/core/rules/registry-iam.js";
import { createRuntime } from "../shared/edges/lambda/create-runtime.js";
import { lambdaEntry, lambdaObservability } from "../shared/edges/lambda/lambda-entry.js";

/**
 * IAM changes (access keys, policies, trust policies): detect, contain, alert. Built once per
 * container; a configuration error fails the cold start, visibly, instead of running half-set.
 */
const { logger, metrics } = lambdaObservability();
export const handler = lambdaEntry(createRuntime({ rules: IAM_RULES, logger, metrics }), process.env, logger, metrics);
