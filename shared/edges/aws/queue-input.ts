import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { parseSqsQueueArn } from "../../core/arn/arn.js";
import { quoted } from "../../core/model/untrusted.js";

/**
 * Only EventBridge may hand trailguard an event. Each function reads from its own SQS queue
 * (only the EventBridge rule may send to it, only the function's role may receive), through a
 * Lambda event source mapping. But anyone allowed lambda:InvokeFunction can still invoke the
 * function directly with a payload shaped like an SQS batch, so every record is checked to be a
 * message in flight on the input queue right now: ChangeMessageVisibility with its receipt
 * handle succeeds only for one (a forged or replayed handle fails, and nobody but the function's
 * role can receive a message to learn a real one). It also renews the message's visibility
 * while the batch is handled.
 *
 * Outcomes: a record that fails a check is `rejected` (logged and alarmed on by the caller,
 * never handled). An error that says nothing about the record (throttling or 5xx after the
 * SDK's own retries, access denied, network, the queue URL lookup) throws
 * `InputVerificationError`: the invocation fails and SQS redelivers the batch. Fail closed,
 * lose nothing.
 */
export interface QueueInputOptions {
  /** The function's input queue: `arn:aws:sqs:<region>:<account>:<name>`. */
  readonly queueArn: string;
  readonly sqs: SQSClient;
  /** The visibility a verified message gets (1..43200 s): at least the time left to handle the batch. */
  readonly visibilityTimeoutSeconds: number;
}

export type QueueDelivery =
  | { readonly kind: "verified"; readonly messageId: string; readonly event: unknown }
  | { readonly kind: "rejected"; readonly messageId: string | undefined; readonly reason: string };

export interface QueueInput {
  /** One delivery per record, in record order (one rejected delivery for a non-SQS payload). */
  receive(invocation: unknown): Promise<QueueDelivery[]>;
}

/** Verification could not decide (AWS or network fault): the whole invocation must fail. */
export class InputVerificationError extends Error {
  override readonly name = "InputVerificationError";
}

/** Errors meaning "this receipt handle is not a message in flight on this queue" (moto: ReceiptHandleIsInvalid). */
const NOT_IN_FLIGHT = new Set(["ReceiptHandleIsInvalid", "InvalidParameterValue", "MessageNotInflight"]);
const MAX_RECORDS = 10_000;
const MAX_RECEIPT_HANDLE = 4096;
const MAX_MESSAGE_ID = 128;
const CONCURRENCY = 5;
const MAX_VISIBILITY_TIMEOUT = 43_200;
// C0 and C1 controls, DEL, and the line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const DIRECT_INVOCATION_REASON = "not delivered through trailguard's input queue (no SQS records): direct invocations are refused";
export const NOT_IN_FLIGHT_REASON = "receipt handle is not a message in flight on the input queue: forged or replayed record";

type Checked = { readonly kind: "check"; readonly messageId: string; readonly receiptHandle: string; readonly body: string };

export function createQueueInput(options: QueueInputOptions): QueueInput {
  const queue = parseSqsQueueArn(options.queueArn);
  if (!queue) throw new Error(`input queue ARN ${quoted(options.queueArn)} is not an SQS queue ARN`);
  const { account, name: queueName } = queue;
  const visibility = options.visibilityTimeoutSeconds;
  // 0 would make a message visible to another poller while it is handled; out of range, SQS
  // answers InvalidParameterValue, which would read as a forged handle for every message.
  if (!Number.isInteger(visibility) || visibility < 1 || visibility > MAX_VISIBILITY_TIMEOUT) {
    throw new Error(`visibilityTimeoutSeconds must be an integer from 1 to ${MAX_VISIBILITY_TIMEOUT}, not ${String(visibility)}`);
  }

  let queueUrl: Promise<string> | undefined;
  const resolveQueueUrl = (): Promise<string> => {
    queueUrl ??= (async () => {
      try {
        const answer = await options.sqs.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }));
        if (typeof answer.QueueUrl !== "string" || answer.QueueUrl === "") throw new Error("GetQueueUrl returned no QueueUrl");
        return answer.QueueUrl;
      } catch (error) {
        queueUrl = undefined; // a failed lookup is tried again next time
        throw new InputVerificationError(`cannot resolve the input queue URL of ${options.queueArn}: ${errorText(error)}`, { cause: error });
      }
    })();
    return queueUrl;
  };

  const verify = async (record: Checked): Promise<QueueDelivery> => {
    const url = await resolveQueueUrl();
    try {
      await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibility }));
    } catch (error) {
      const code = errorCode(error);
      if (code !== undefined && NOT_IN_FLIGHT.has(code)) return { kind: "rejected", messageId: record.messageId, reason: `${NOT_IN_FLIGHT_REASON} (${code})` };
      throw new InputVerificationError(`cannot verify message ${quoted(record.messageId)} on ${options.queueArn}: ${errorText(error)}`, { cause: error });
    }
    try {
      return { kind: "verified", messageId: record.messageId, event: JSON.parse(record.body) as unknown };
    } catch (error) {
      return { kind: "rejected", messageId: record.messageId, reason: `message body is not JSON: ${errorText(error)}` };
    }
  };

  return {
    async receive(invocation) {
      const records = isPlainObject(invocation) ? invocation["Records"] : undefined;
      if (!Array.isArray(records) || records.length === 0) return [{ kind: "rejected", messageId: undefined, reason: DIRECT_INVOCATION_REASON }];
      if (records.length > MAX_RECORDS) {
        return [{ kind: "rejected", messageId: undefined, reason: `${records.length} records: an SQS batch holds at most ${MAX_RECORDS}` }];
      }
      // A receipt handle proves one message, not a body: a handle or message id seen twice in one
      // batch (one real handle beside forged bodies) proves nothing, so every copy is refused.
      const checked = refuseRepeats(records.map((record: unknown, index) => checkRecord(record, index, options.queueArn)));
      return mapBounded(checked, CONCURRENCY, (item) => (item.kind === "check" ? verify(item) : Promise.resolve(item)));
    },
  };
}

function refuseRepeats(items: Array<Checked | QueueDelivery>): Array<Checked | QueueDelivery> {
  const count = (key: (item: Checked) => string) => {
    const seen = new Map<string, number>();
    for (const item of items) if (item.kind === "check") seen.set(key(item), (seen.get(key(item)) ?? 0) + 1);
    return seen;
  };
  const handles = count((item) => item.receiptHandle);
  const ids = count((item) => item.messageId);
  return items.map((item) =>
    item.kind === "check" && ((handles.get(item.receiptHandle) ?? 0) > 1 || (ids.get(item.messageId) ?? 0) > 1)
      ? { kind: "rejected", messageId: item.messageId, reason: "the same receipt handle or message id appears more than once in the batch: forged records beside a real one" }
      : item,
  );
}

/** The record's shape, as data, before any API call. */
function checkRecord(record: unknown, index: number, queueArn: string): Checked | QueueDelivery {
  const at = `Records[${index}]`;
  if (!isPlainObject(record)) return { kind: "rejected", messageId: undefined, reason: `${at} is not an object` };
  const { eventSource, eventSourceARN, messageId, receiptHandle, body } = record;
  const id = typeof messageId === "string" && isToken(messageId, MAX_MESSAGE_ID) ? messageId : undefined;
  const reject = (reason: string): QueueDelivery => ({ kind: "rejected", messageId: id, reason: `${at}: ${reason}` });
  if (eventSource !== "aws:sqs") return reject(`eventSource ${shown(eventSource)} is not "aws:sqs"`);
  if (eventSourceARN !== queueArn) return reject(`eventSourceARN ${shown(eventSourceARN)} is not the input queue ${queueArn}`);
  if (id === undefined) return reject(`messageId ${shown(messageId)} is not a message id (1..${MAX_MESSAGE_ID} characters, no control characters)`);
  if (typeof receiptHandle !== "string") return reject(`receiptHandle is ${typeName(receiptHandle)}, not a string`);
  if (!isToken(receiptHandle, MAX_RECEIPT_HANDLE)) {
    return reject(`receiptHandle ${quoted(receiptHandle, 64)} (${receiptHandle.length} characters) is not a receipt handle (1..${MAX_RECEIPT_HANDLE} characters, no control characters)`);
  }
  if (typeof body !== "string") return reject(`body is ${typeName(body)}, not a string`);
  return { kind: "check", messageId: id, receiptHandle, body };
}

/** Maps with at most `limit` calls in flight; results in input order. On a failure, starts no more and rethrows it once the calls in flight have settled. */
async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await map(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
  return results;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isToken(value: string, max: number): boolean {
  return value.length >= 1 && value.length <= max && !CONTROL.test(value);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  // The JSON protocol's query-compatible codes read "AWS.SimpleQueueService.<Name>".
  const strip = (code: unknown) => (typeof code === "string" ? code.replace(/^AWS\.SimpleQueueService\./, "") : undefined);
  const code = strip(Code);
  return code !== undefined && NOT_IN_FLIGHT.has(code) ? code : strip(name);
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function typeName(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function shown(value: unknown): string {
  return typeof value === "string" ? quoted(value) : typeName(value);
}
