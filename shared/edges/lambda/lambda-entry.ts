import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { INPUT_VISIBILITY_TIMEOUT_SECONDS } from "../../core/stack/timing.js";
import { type Logger, jsonLogger } from "../log/log.js";
import { handleQueueInvocation } from "./queue-handler.js";
import { createQueueInput } from "../aws/queue-input.js";
import type { Runtime } from "./runtime-core.js";

/**
 * The Lambda entry of a function fed by EventBridge. Deployed, TRAILGUARD_INPUT_QUEUE_ARN names
 * the function's input queue and only messages verified to be in flight on it are handled
 * (direct invocations are refused and alarmed on). Without it (`serverless invoke local`, which
 * has no stack), the event is handled as given, in dry-run and without publishing.
 */
export type LambdaHandler = (event: unknown, context?: Context) => Promise<unknown>;

export function lambdaEntry(runtime: Runtime, env: NodeJS.ProcessEnv = process.env, logger: Logger = jsonLogger()): LambdaHandler {
  const queueArn = env.TRAILGUARD_INPUT_QUEUE_ARN?.trim();
  if (!queueArn) {
    return async (event, context) => {
      const outcome = await runtime.handle(event, context);
      return { status: outcome.status, findings: outcome.findings.length, published: outcome.published };
    };
  }
  const input = createQueueInput({
    queueArn,
    sqs: new SQSClient({ region: env.AWS_REGION ?? "us-east-1", maxAttempts: 5 }),
    visibilityTimeoutSeconds: INPUT_VISIBILITY_TIMEOUT_SECONDS,
  });
  return (event, context) => handleQueueInvocation(event, { input, handle: (verified) => runtime.handle(verified, context), logger });
}
