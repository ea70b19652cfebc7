import type { Context, EventBridgeEvent } from "aws-lambda";
import { IAM_RULES } from "../shared/rules/registry.js";
import { createRuntime } from "../shared/runtime/create-runtime.js";

/**
 * IAM changes (access keys, policies, trust policies): detect, contain, alert. Built once per
 * container; a configuration error fails the cold start, visibly, instead of running half-set.
 */
const runtime = createRuntime({ rules: IAM_RULES });

export const handler = async (event: EventBridgeEvent<string, unknown>, context?: Context) => {
  const outcome = await runtime.handle(event, context);
  return { status: outcome.status, findings: outcome.findings.length, published: outcome.published };
};
