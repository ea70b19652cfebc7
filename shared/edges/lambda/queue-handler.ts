import { carriedRecord } from "../../core/cloudtrail/envelope.js";
import { isPlainObject } from "../../core/cloudtrail/record.js";
import type { Logger } from "../log/log.js";
import type { QueueInput } from "../aws/queue-input.js";

/**
 * A Lambda invocation from the SQS event source mapping (configured with ReportBatchItemFailures):
 *  - verified messages are handled one by one, in order; one whose handling throws is reported
 *    in `batchItemFailures`, so only it is retried;
 *  - rejected records are logged with `inputRejected: 1` (a metric filter alarms on it) and
 *    never handled nor reported: a forged record is not in the queue, retrying it is pointless;
 *  - if verification itself fails (InputVerificationError), the invocation fails and SQS
 *    redelivers the whole batch.
 */
export interface QueueBatchDeps {
  readonly input: QueueInput;
  readonly handle: (event: unknown) => Promise<unknown>;
  readonly logger: Logger;
  /** Told the CloudTrail event id before each verified event is handled, and undefined after (log correlation). */
  readonly correlate?: (eventId: string | undefined) => void;
}

/** The CloudTrail event id an input carries (EventBridge `detail.eventID`, or a record's `eventID`), unchecked. */
export function cloudTrailEventId(event: unknown): string | undefined {
  const record = carriedRecord(event);
  return isPlainObject(record) && typeof record.eventID === "string" && record.eventID !== "" ? record.eventID.slice(0, 128) : undefined;
}

export interface QueueBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export async function handleQueueInvocation(invocation: unknown, deps: QueueBatchDeps): Promise<QueueBatchResponse> {
  const deliveries = await deps.input.receive(invocation);
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const delivery of deliveries) {
    if (delivery.kind === "rejected") {
      deps.logger.log("error", "input rejected", { inputRejected: 1, reason: delivery.reason, messageId: delivery.messageId });
      continue;
    }
    deps.correlate?.(cloudTrailEventId(delivery.event));
    try {
      await deps.handle(delivery.event);
    } catch (error) {
      deps.logger.log("error", "event handling failed: the message will be retried", {
        messageId: delivery.messageId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      batchItemFailures.push({ itemIdentifier: delivery.messageId });
    } finally {
      deps.correlate?.(undefined);
    }
  }
  return { batchItemFailures };
}
