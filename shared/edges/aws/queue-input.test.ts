import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, MessageNotInflight, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log/log.js";
import { handleQueueInvocation } from "../lambda/queue-handler.js";
import { DIRECT_INVOCATION_REASON, InputVerificationError, NOT_IN_FLIGHT_REASON, createQueueInput } from "./queue-input.js";

/**
 * Fault paths moto_server cannot produce (throttling, 5xx, access denied, MessageNotInflight),
 * and the checks made on a record before any API call. aws-sdk-client-mock stands in for SQS.
 */
const QUEUE_ARN = "arn:aws:sqs:us-east-1:111122223333:trailguard-iam-responder-input";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/trailguard-iam-responder-input";

function awsError(name: string, status: number, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} from SQS`), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, ...fields });
}

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messageId: "0f6d4a8e-2b1c-4f57-9d0a-0c1e2f3a4b5c",
    receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    body: JSON.stringify({ "detail-type": "AWS API Call via CloudTrail", detail: { eventName: "CreateAccessKey" } }),
    attributes: {},
    messageAttributes: {},
    eventSource: "aws:sqs",
    eventSourceARN: QUEUE_ARN,
    awsRegion: "us-east-1",
    ...overrides,
  };
}

describe("input queue verification (aws-sdk-client-mock)", () => {
  const sqsMock = mockClient(SQSClient);
  const sqs = new SQSClient({ region: "us-east-1" });
  const input = () => createQueueInput({ queueArn: QUEUE_ARN, sqs, visibilityTimeoutSeconds: 300 });

  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  });
  afterAll(() => sqsMock.restore());

  it("verifies with ChangeMessageVisibility on the queue resolved from the ARN", async () => {
    const deliveries = await input().receive({ Records: [record()] });

    expect(deliveries).toEqual([{ kind: "verified", messageId: record()["messageId"], event: JSON.parse(String(record()["body"])) }]);
    expect(sqsMock.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({ QueueName: "trailguard-iam-responder-input", QueueOwnerAWSAccountId: "111122223333" });
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: record()["receiptHandle"], VisibilityTimeout: 300 });
  });

  it.each([
    ["throttling", awsError("RequestThrottled", 400)],
    ["5xx", awsError("InternalError", 500)],
    ["service unavailable", awsError("ServiceUnavailable", 503)],
    ["access denied", awsError("AccessDenied", 403)],
    ["a KMS fault", awsError("KmsThrottled", 400)],
    ["a network error", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
  ])("fails closed on %s from ChangeMessageVisibility: receive throws InputVerificationError", async (_label, error) => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(error);

    const receiving = input().receive({ Records: [record()] });

    await expect(receiving).rejects.toBeInstanceOf(InputVerificationError);
    await expect(receiving).rejects.toMatchObject({ cause: error });
  });

  it("rethrows from the batch handler, handling nothing, so SQS redelivers the whole batch", async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(awsError("InternalError", 500));
    let calls = 0;

    const handling = handleQueueInvocation({ Records: [record(), record({ messageId: "second", receiptHandle: "AQEBsecondhandle0000" })] }, { input: input(), logger: silentLogger, handle: async () => void calls++ });

    await expect(handling).rejects.toBeInstanceOf(InputVerificationError);
    expect(calls).toBe(0);
  });

  it.each([
    ["MessageNotInflight", new MessageNotInflight({ message: "The message referred to isn't in flight.", $metadata: { httpStatusCode: 400 } })],
    ["InvalidParameterValue", awsError("InvalidParameterValue", 400, { message: "Reason: The receipt handle has expired." })],
    ["ReceiptHandleIsInvalid", awsError("Unknown", 400, { Code: "AWS.SimpleQueueService.ReceiptHandleIsInvalid" })],
  ])("rejects a record whose handle SQS answers with %s", async (code, error) => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(error);

    const deliveries = await input().receive({ Records: [record()] });

    expect(deliveries).toEqual([{ kind: "rejected", messageId: record()["messageId"], reason: `${NOT_IN_FLIGHT_REASON} (${code})` }]);
  });

  it.each([
    ["control characters", "AQEB\nforged\u0000handle"],
    ["a C1 control character", "AQEB\u0085forged"],
    ["5000 characters", "A".repeat(5000)],
    ["an empty string", ""],
    ["a number", 42],
    ["nothing", undefined],
  ])("rejects a receipt handle with %s without calling SQS", async (_label, receiptHandle) => {
    const deliveries = await input().receive({ Records: [record({ receiptHandle })] });

    expect(deliveries).toEqual([{ kind: "rejected", messageId: record()["messageId"], reason: expect.stringMatching(/^Records\[0\]: receiptHandle .*not a/) }]);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it.each([
    ["a wrong eventSource", { eventSource: "aws:kinesis" }, /eventSource "aws:kinesis" is not "aws:sqs"/],
    ["another queue's ARN", { eventSourceARN: `${QUEUE_ARN}-other` }, /eventSourceARN ".*-other" is not the input queue/],
    ["no messageId", { messageId: undefined }, /messageId missing is not a message id/],
    ["a body that is not a string", { body: { eventName: "CreateAccessKey" } }, /body is an object, not a string/],
  ])("rejects a record with %s without calling SQS", async (_label, overrides, reason) => {
    const deliveries = await input().receive({ Records: [record(overrides)] });

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: "rejected", reason: expect.stringMatching(reason) });
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it.each([
    ["a bare EventBridge event", { "detail-type": "AWS API Call via CloudTrail", detail: { eventName: "CreateAccessKey" } }],
    ["an empty batch", { Records: [] }],
    ["Records that is not an array", { Records: { 0: record() } }],
    ["an array", [record()]],
    ["null", null],
    ["a string", JSON.stringify({ Records: [record()] })],
  ])("refuses %s as a direct invocation", async (_label, invocation) => {
    expect(await input().receive(invocation)).toEqual([{ kind: "rejected", messageId: undefined, reason: DIRECT_INVOCATION_REASON }]);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it("refuses more than 10000 records", async () => {
    const deliveries = await input().receive({ Records: Array.from({ length: 10_001 }, () => record()) });

    expect(deliveries).toEqual([{ kind: "rejected", messageId: undefined, reason: expect.stringContaining("at most 10000") }]);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it("resolves the queue URL once, and tries again after a failed lookup", async () => {
    sqsMock.on(GetQueueUrlCommand).rejectsOnce(awsError("RequestThrottled", 400)).resolves({ QueueUrl: QUEUE_URL });
    const queue = input();

    await expect(queue.receive({ Records: [record()] })).rejects.toThrow(/cannot resolve the input queue URL/);
    expect((await queue.receive({ Records: [record(), record({ messageId: "b", receiptHandle: "AQEBsecondhandle0000" })] })).map((delivery) => delivery.kind)).toEqual(["verified", "verified"]);
    expect((await queue.receive({ Records: [record()] }))[0]?.kind).toBe("verified");
    expect(sqsMock.commandCalls(GetQueueUrlCommand)).toHaveLength(2);
  });

  it("verifies at most 5 records at a time and keeps record order", async () => {
    let running = 0;
    let peak = 0;
    sqsMock.on(ChangeMessageVisibilityCommand).callsFake(async (command: { ReceiptHandle: string }) => {
      running++;
      peak = Math.max(peak, running);
      // Later records answer sooner, so completion order differs from record order.
      await new Promise((resolve) => setTimeout(resolve, 40 - Number(command.ReceiptHandle.slice(6))));
      running--;
      if (command.ReceiptHandle.endsWith("7")) throw awsError("ReceiptHandleIsInvalid", 400);
      return {};
    });
    const records = Array.from({ length: 20 }, (_, index) => record({ messageId: `m${index}`, receiptHandle: `handle${index}`, body: JSON.stringify({ index }) }));

    const deliveries = await input().receive({ Records: records });

    expect(peak).toBe(5);
    expect(deliveries.map((delivery) => `${delivery.messageId}:${delivery.kind}`)).toEqual(
      records.map((_, index) => `m${index}:${index % 10 === 7 ? "rejected" : "verified"}`),
    );
  });

  it("starts no more verifications after one fails", async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(awsError("InternalError", 500));

    await expect(input().receive({ Records: Array.from({ length: 50 }, (_, index) => record({ messageId: `m${index}`, receiptHandle: `handle${index}` })) })).rejects.toBeInstanceOf(InputVerificationError);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).length).toBeLessThanOrEqual(5);
  });

  it.each([
    ["not an ARN", { queueArn: "trailguard-input" }],
    ["an SNS ARN", { queueArn: "arn:aws:sns:us-east-1:111122223333:trailguard-input" }],
    ["an account that is not 12 digits", { queueArn: "arn:aws:sqs:us-east-1:1111:trailguard-input" }],
    ["a zero visibility timeout", { visibilityTimeoutSeconds: 0 }],
    ["a visibility timeout over 12 hours", { visibilityTimeoutSeconds: 43_201 }],
    ["a fractional visibility timeout", { visibilityTimeoutSeconds: 1.5 }],
  ])("refuses to start with %s", (_label, overrides) => {
    expect(() => createQueueInput({ queueArn: QUEUE_ARN, sqs, visibilityTimeoutSeconds: 300, ...overrides })).toThrow();
  });

  it("accepts GovCloud and FIFO queue ARNs", () => {
    expect(() => createQueueInput({ queueArn: "arn:aws-us-gov:sqs:us-gov-west-1:111122223333:input.fifo", sqs, visibilityTimeoutSeconds: 300 })).not.toThrow();
  });

  it("changed: accepts standard queue names of up to 80 characters and regions such as eusc-de-east-1, as SQS does (before: 75, two-letter region prefixes)", () => {
    expect(() => createQueueInput({ queueArn: `arn:aws:sqs:us-east-1:111122223333:${"q".repeat(80)}`, sqs, visibilityTimeoutSeconds: 300 })).not.toThrow();
    expect(() => createQueueInput({ queueArn: "arn:aws-eusc:sqs:eusc-de-east-1:111122223333:input", sqs, visibilityTimeoutSeconds: 300 })).not.toThrow();
    expect(() => createQueueInput({ queueArn: `arn:aws:sqs:us-east-1:111122223333:${"q".repeat(81)}`, sqs, visibilityTimeoutSeconds: 300 })).toThrow();
    expect(() => createQueueInput({ queueArn: "arn:aws:sqs:us-east:111122223333:input", sqs, visibilityTimeoutSeconds: 300 })).toThrow();
  });

  it("refuses every copy of a receipt handle or message id repeated in one batch (forged bodies beside a real handle)", async () => {
    const deliveries = await input().receive({
      Records: [record({ messageId: "a", body: '{"forged":1}' }), record({ messageId: "b", body: '{"forged":2}' }), record({ messageId: "c", receiptHandle: "AQEBotherhandle00000" })],
    });
    expect(deliveries.map((delivery) => delivery.kind)).toEqual(["rejected", "rejected", "verified"]);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  });
});
