import { randomUUID } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { handleQueueInvocation } from "../../shared/edges/lambda/queue-handler.js";
import { DIRECT_INVOCATION_REASON, NOT_IN_FLIGHT_REASON, type QueueDelivery, createQueueInput } from "../../shared/edges/aws/queue-input.js";
import { eventBridge, iamCall } from "../support/records.js";
import { powertoolsLogger } from "../../shared/edges/log/log.js";
import { uniqueName, useMoto } from "./moto-aws.js";

/**
 * The input queue check against moto_server over HTTP: real messages are sent, received (so they
 * are in flight, as the event source mapping would hold them) and presented as Lambda SQS records;
 * forged and misdirected records must be refused. moto answers ReceiptHandleIsInvalid for a
 * made-up handle and for a handle of another queue.
 */
const endpoint = useMoto();

interface Queue {
  readonly url: string;
  readonly arn: string;
}

describe.skipIf(!endpoint)("input queue verification against moto_server", () => {
  const sqs = new SQSClient({});
  let input: Queue;
  let other: Queue;

  async function createQueue(prefix: string): Promise<Queue> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    if (!QueueUrl || !Attributes?.QueueArn) throw new Error("moto did not create the queue");
    return { url: QueueUrl, arn: Attributes.QueueArn };
  }

  /** Sends a message and receives it: it is now in flight, and its record is what Lambda would pass. */
  async function inFlight(queue: Queue, body: string): Promise<Record<string, unknown>> {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    const message = Messages?.[0];
    if (!message?.MessageId || !message.ReceiptHandle || message.Body === undefined) throw new Error("moto returned no message");
    return sqsRecord(queue.arn, { messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body });
  }

  function sqsRecord(arn: string, fields: { messageId: string; receiptHandle: string; body: string }): Record<string, unknown> {
    return {
      ...fields,
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "AIDAEXAMPLE", ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: "0".repeat(32),
      eventSource: "aws:sqs",
      eventSourceARN: arn,
      awsRegion: "us-east-1",
    };
  }

  function queueInput() {
    return createQueueInput({ queueArn: input.arn, sqs, visibilityTimeoutSeconds: 120 });
  }

  function event(eventName: string): Record<string, unknown> {
    return eventBridge(iamCall(eventName, { userName: "bob" }, { eventID: randomUUID() }));
  }

  beforeAll(async () => {
    input = await createQueue("input");
    other = await createQueue("other");
  });

  it("verifies a message in flight on the input queue and hands over its parsed body", async () => {
    const sent = event("CreateAccessKey");
    const record = await inFlight(input, JSON.stringify(sent));

    const deliveries = await queueInput().receive({ Records: [record] });

    expect(deliveries).toEqual([{ kind: "verified", messageId: record["messageId"], event: sent }]);
    // The check renewed the message's visibility with the handle Lambda was given: still usable.
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: input.url, ReceiptHandle: String(record["receiptHandle"]), VisibilityTimeout: 60 }))).resolves.toBeDefined();
  });

  it("rejects a forged record: a made-up receipt handle with the right queue ARN", async () => {
    const forged = sqsRecord(input.arn, { messageId: randomUUID(), receiptHandle: Buffer.from(randomUUID().repeat(4)).toString("base64"), body: JSON.stringify(event("CreateAccessKey")) });

    const [delivery, ...rest] = await queueInput().receive({ Records: [forged] });

    expect(rest).toEqual([]);
    expect(delivery).toEqual({ kind: "rejected", messageId: forged["messageId"], reason: `${NOT_IN_FLIGHT_REASON} (ReceiptHandleIsInvalid)` });
  });

  it("rejects a real receipt handle presented with another eventSourceARN, without asking SQS", async () => {
    const record = await inFlight(input, JSON.stringify(event("CreateAccessKey")));
    const misdirected = { ...record, eventSourceARN: other.arn };

    const [delivery] = await queueInput().receive({ Records: [misdirected] });

    expect(delivery).toMatchObject({ kind: "rejected", messageId: record["messageId"], reason: expect.stringContaining(`eventSourceARN "${other.arn}" is not the input queue`) });
  });

  it("rejects a real receipt handle of another queue presented with the input queue's ARN", async () => {
    const record = await inFlight(other, JSON.stringify(event("CreateAccessKey")));
    const smuggled = { ...record, eventSourceARN: input.arn };

    const [delivery] = await queueInput().receive({ Records: [smuggled] });

    expect(delivery).toEqual({ kind: "rejected", messageId: record["messageId"], reason: `${NOT_IN_FLIGHT_REASON} (ReceiptHandleIsInvalid)` });
  });

  it("refuses a bare EventBridge event, as `aws lambda invoke` would send it, with one rejected delivery", async () => {
    const deliveries = await queueInput().receive(event("CreateAccessKey"));

    expect(deliveries).toEqual([{ kind: "rejected", messageId: undefined, reason: DIRECT_INVOCATION_REASON }]);
  });

  it("rejects a real message whose body is not JSON", async () => {
    const record = await inFlight(input, "CreateAccessKey for bob, trust me");

    const [delivery] = await queueInput().receive({ Records: [record] });

    expect(delivery).toMatchObject({ kind: "rejected", messageId: record["messageId"], reason: expect.stringMatching(/^message body is not JSON: SyntaxError/) });
  });

  it("keeps record order with more records than verifications run at once", async () => {
    const records: Record<string, unknown>[] = [];
    for (let index = 0; index < 12; index++) {
      records.push(
        index % 3 === 1
          ? sqsRecord(input.arn, { messageId: `forged-${index}`, receiptHandle: `forged-${index}`, body: "{}" })
          : await inFlight(input, JSON.stringify({ index })),
      );
    }

    const deliveries = await queueInput().receive({ Records: records });

    expect(deliveries.map((delivery) => [delivery.kind, delivery.messageId])).toEqual(
      records.map((record, index) => [index % 3 === 1 ? "rejected" : "verified", record["messageId"]]),
    );
    expect(deliveries.flatMap((delivery: QueueDelivery) => (delivery.kind === "verified" ? [delivery.event] : []))).toEqual(
      [0, 2, 3, 5, 6, 8, 9, 11].map((index) => ({ index })),
    );
  });

  it("handles only verified events, reports a failed one for retry, and logs inputRejected for forged ones", async () => {
    const good = await inFlight(input, JSON.stringify(event("CreateAccessKey")));
    const failing = await inFlight(input, JSON.stringify(event("PutUserPolicy")));
    const forged = sqsRecord(input.arn, { messageId: randomUUID(), receiptHandle: "AQEBforgedreceipthandle==", body: JSON.stringify(event("DeleteUser")) });
    const lines: Record<string, unknown>[] = [];
    const logger = powertoolsLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const handled: unknown[] = [];

    const response = await handleQueueInvocation(
      { Records: [good, forged, failing] },
      {
        input: queueInput(),
        logger,
        handle: async (received) => {
          handled.push(received);
          if ((received as { detail: { eventName: string } }).detail.eventName === "PutUserPolicy") throw new Error("SNS is down");
        },
      },
    );

    expect(handled).toEqual([JSON.parse(String(good["body"])), JSON.parse(String(failing["body"]))]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing["messageId"] }] });
    const rejected = lines.filter((line) => line["message"] === "input rejected");
    expect(rejected).toEqual([
      expect.objectContaining({ level: "ERROR", inputRejected: 1, messageId: forged["messageId"], reason: expect.stringContaining(NOT_IN_FLIGHT_REASON) }),
    ]);
    expect(lines.filter((line) => line["level"] === "ERROR" && line["messageId"] === failing["messageId"])).toHaveLength(1);
  });

  it("logs a direct invocation as rejected and handles nothing", async () => {
    const lines: Record<string, unknown>[] = [];
    let calls = 0;

    const response = await handleQueueInvocation(event("CreateAccessKey"), {
      input: queueInput(),
      logger: powertoolsLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      handle: async () => {
        calls++;
      },
    });

    expect(calls).toBe(0);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(lines).toEqual([expect.objectContaining({ message: "input rejected", inputRejected: 1, reason: DIRECT_INVOCATION_REASON })]);
  });
});
