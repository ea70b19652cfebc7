import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { INPUT_VISIBILITY_TIMEOUT_SECONDS } from "../../core/stack/timing.js";
import { type LambdaLogger, powertoolsLogger } from "../log/log.js";
import { type RuntimeMetrics as FlushableMetrics, noMetrics, runtimeMetrics } from "../log/metrics.js";

/** One logger and one metrics recorder per container, shared by the runtime and the entry. */
export function lambdaObservability(env: NodeJS.ProcessEnv = process.env): { logger: LambdaLogger; metrics: FlushableMetrics } {
  const logger = powertoolsLogger({ env });
  return { logger, metrics: runtimeMetrics({ env, logger }) };
}
import { cloudTrailEventId, handleQueueInvocation } from "./queue-handler.js";
import { createQueueInput } from "../aws/queue-input.js";
import type { Runtime } from "./runtime-core.js";

/**
 * The Lambda entry of a function fed by EventBridge. Deployed, TRAILGUARD_INPUT_QUEUE_ARN names
 * the function's input queue and only messages verified to be in flight on it are handled
 * (direct invocations are refused and alarmed on). Without it (`serverless invoke local`, which
 * has no stack), the event is handled as given, in dry-run and without publishing.
 */
export type LambdaHandler = (event: unknown, context?: Context) => Promise<unknown>;

export function lambdaEntry(
  runtime: Runtime,
  env: NodeJS.ProcessEnv = process.env,
  logger: LambdaLogger = powertoolsLogger({ env }),
  metrics: FlushableMetrics = noMetrics,
): LambdaHandler {
  const queueArn = env.TRAILGUARD_INPUT_QUEUE_ARN?.trim();
  /** Each invocation's lines carry its request id and cold start, and nothing appended for the last one. */
  const begin = (context: Context | undefined) => {
    logger.resetKeys();
    if (context) logger.addContext(context);
  };
  if (!queueArn) {
    return async (event, context) => {
      begin(context);
      logger.correlate(cloudTrailEventId(event));
      try {
        const outcome = await runtime.handle(event, context);
        return { status: outcome.status, findings: outcome.findings.length, published: outcome.published };
      } finally {
        metrics.flush();
      }
    };
  }
  const input = createQueueInput({
    queueArn,
    sqs: new SQSClient({ region: env.AWS_REGION ?? "us-east-1", maxAttempts: 5 }),
    visibilityTimeoutSeconds: INPUT_VISIBILITY_TIMEOUT_SECONDS,
  });
  return async (event, context) => {
    begin(context);
    try {
      return await handleQueueInvocation(event, { input, handle: (verified) => runtime.handle(verified, context), logger, correlate: (eventId) => logger.correlate(eventId) });
    } finally {
      // The invocation's counts (findings, actions, alerts) as one set of EMF lines.
      metrics.flush();
    }
  };
}
