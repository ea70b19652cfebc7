import type { Context, EventBridgeEvent } from "aws-lambda";
import { ROOT_RULES } from "../shared/rules/registry.js";
import { createAlertRuntime } from "../shared/runtime/create-alert-runtime.js";

/** Root activity and root console sign-in: detect and alert (IAM cannot restrict root). */
const runtime = createAlertRuntime({ rules: ROOT_RULES });

export const handler = async (event: EventBridgeEvent<string, unknown>, context?: Context) => {
  const outcome = await runtime.handle(event, context);
  return { status: outcome.status, findings: outcome.findings.length, published: outcome.published };
};
