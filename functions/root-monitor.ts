import type { EventBridgeEvent } from "aws-lambda";
import { ROOT_RULES } from "../shared/rules/registry.js";
import { createRuntime } from "../shared/runtime/create-runtime.js";

/** Root activity and root console sign-in: detect and alert (IAM cannot restrict root). */
const runtime = createRuntime({ rules: ROOT_RULES });

export const handler = async (event: EventBridgeEvent<string, unknown>) => {
  const outcome = await runtime.handle(event);
  return { status: outcome.status, findings: outcome.findings.length, published: outcome.published };
};
