import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CountRequest } from "../../core/model/window-counts.js";
import { dynamoDbWindowCounter } from "./window-counter.js";

/**
 * Faults DynamoDB answers with (throttling, server errors, unprocessed keys): the counter throws,
 * so the event is retried, and never answers a count it could not keep. The semantics are
 * proven against moto_server (test/integration/window-counter.int.test.ts).
 */
const dynamoMock = mockClient(DynamoDBClient);
const TABLE = "trailguard-prod-idempotency";
const request: CountRequest = { key: "denied-calls|alice", occurrence: "e1", at: Date.parse("2026-11-20T10:00:30Z"), windowSeconds: 120, threshold: 1, quietSeconds: 600 };
const counter = () => dynamoDbWindowCounter({ tableName: TABLE, owner: "trailguard-prod-failure-monitor", client: new DynamoDBClient({}) });
const fault = (name: string, status: number) => new DynamoDBServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: name });
const entries = (...values: string[]) => ({ entries: { SS: values } });

describe("DynamoDB window counter: faults", () => {
  beforeEach(() => {
    dynamoMock.reset();
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [entries(`${request.at}|x`)] } });
  });
  afterEach(() => vi.useRealTimers());
  afterAll(() => dynamoMock.restore());

  it("answers from what it read (the baseline the faults below break)", async () => {
    expect((await counter().count([request])).get(request.key)).toEqual({ count: 2, raised: true });
    const read = dynamoMock.commandCalls(BatchGetItemCommand)[0]?.args[0].input;
    // Five minutes overlap (at - 120 s, at + 120 s), the windows that hold the event; all read strongly consistent, ids under the owner's prefix.
    expect(read?.RequestItems?.[TABLE]?.Keys).toHaveLength(5);
    expect(read?.RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
    expect(read?.RequestItems?.[TABLE]?.Keys?.every((key) => key.id?.S?.startsWith("trailguard-prod-failure-monitor.count."))).toBe(true);
  });

  it.each([
    ["UpdateItem", UpdateItemCommand, fault("ProvisionedThroughputExceededException", 400)],
    ["UpdateItem", UpdateItemCommand, fault("InternalServerError", 500)],
    ["BatchGetItem", BatchGetItemCommand, fault("ThrottlingException", 400)],
    ["BatchGetItem", BatchGetItemCommand, fault("ServiceUnavailable", 503)],
  ] as const)("%s failing with %s: the count throws", async (_what, command, error) => {
    dynamoMock.on(command as typeof UpdateItemCommand).rejects(error);
    await expect(counter().count([request])).rejects.toThrow(error.name);
  });

  it.each([fault("ThrottlingException", 400), fault("InternalServerError", 500)])("the claim (PutItem) failing with $name: the count throws", async (error) => {
    dynamoMock.on(PutItemCommand).rejects(error);
    await expect(counter().count([request])).rejects.toThrow(error.name);
  });

  it("the claim refused, the mark read failing: the count throws; read, it raises only for an event marked as having raised", async () => {
    const refused = new ConditionalCheckFailedException({ message: "held", $metadata: {} });
    dynamoMock.on(PutItemCommand).rejects(refused);
    dynamoMock.on(GetItemCommand).rejects(fault("ServiceUnavailable", 503));
    await expect(counter().count([request])).rejects.toThrow("ServiceUnavailable");
    dynamoMock.on(GetItemCommand).resolves({});
    expect((await counter().count([request])).get(request.key)).toEqual({ count: 2, raised: false });
    dynamoMock.on(GetItemCommand).resolves({ Item: { id: { S: "marked" } } });
    expect((await counter().count([request])).get(request.key)).toEqual({ count: 2, raised: true });
  });

  it("reads unprocessed keys again, and throws when they stay unprocessed", async () => {
    const unprocessed = { [TABLE]: { Keys: [{ id: { S: "trailguard-prod-failure-monitor.count.x.0" } }] } };
    dynamoMock
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { [TABLE]: [entries(`${request.at - 1}|y`)] }, UnprocessedKeys: unprocessed })
      .resolves({ Responses: { [TABLE]: [entries(`${request.at - 2}|z`)] } });
    expect((await counter().count([request])).get(request.key)).toEqual({ count: 3, raised: true });
    expect(dynamoMock.commandCalls(BatchGetItemCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual(unprocessed[TABLE].Keys);

    vi.useFakeTimers();
    dynamoMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: unprocessed });
    const counting = counter().count([request]);
    const outcome = expect(counting).rejects.toThrow(/still unread/);
    await vi.runAllTimersAsync();
    await outcome;
  });
});
