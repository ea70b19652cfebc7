import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { dynamoDbIncidentStore } from "../../shared/edges/aws/incident-store.js";
import { CONTRACT_POLICY, describeIncidentTracker } from "../support/incident-tracker-contract.js";
import { createTrailguardTable, uniqueName, useMoto } from "./moto-aws.js";

/**
 * The DynamoDB incident store against moto_server: the same contract as replay's memory
 * tracker, two "functions" (stores) recording one principal at once, and a damaged item.
 */
const endpoint = useMoto();

describe.skipIf(!endpoint)("incident store (DynamoDB on moto_server)", () => {
  const dynamoDb = new DynamoDBClient({});
  let table = "";
  beforeAll(async () => {
    table = await createTrailguardTable("trailguard-incidents");
  });
  const store = (prefix = uniqueName("trailguard-prod")) => dynamoDbIncidentStore({ tableName: table, keyPrefix: `${prefix}.`, policy: CONTRACT_POLICY, client: dynamoDb });

  describeIncidentTracker("DynamoDB", () => store(), { timeout: 60_000 });

  it("two functions of one stack recording the same principal at once page once between them", async () => {
    const prefix = uniqueName("trailguard-prod");
    const [rootMonitor, responder] = [store(prefix), store(prefix)];
    const at = Date.now() - 60_000;
    const entry = (findingId: string) => ({
      at,
      entry: { at: new Date(at).toISOString(), eventId: "root-create-key", eventName: "CreateAccessKey", findingIds: [findingId], ruleIds: [findingId.split("/")[1]!], severity: "critical" as const, headline: "root created an access key" },
    });
    const outcomes = await Promise.all([rootMonitor.record("root|111122223333", entry("root-create-key/root-activity")), responder.record("root|111122223333", entry("root-create-key/access-key-created"))]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(["page", "update"]);
    expect(outcomes[0]!.incident.id).toBe(outcomes[1]!.incident.id);
    const item = await dynamoDb.send(new GetItemCommand({ TableName: table, Key: { id: { S: `${prefix}.incident.${createHash("sha256").update("root|111122223333").digest("hex")}` } } }));
    expect(item.Item?.version?.N).toBe("2");
    expect(Number(item.Item?.expiration?.N)).toBeGreaterThan(Date.now() / 1000);
  }, 60_000);

  it("a damaged item is no incident: the next finding pages, and the item is repaired", async () => {
    const prefix = uniqueName("trailguard-prod");
    const key = "user|aws|111122223333|mallory";
    const id = `${prefix}.incident.${createHash("sha256").update(key).digest("hex")}`;
    await dynamoDb.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, state: { S: '{"key":"user|aws|111122223333|mallory","pagedSeverity":"critical"}' }, version: { N: "7" } } }));
    const at = Date.now() - 60_000;
    const outcome = await store(prefix).record(key, { at, entry: { at: new Date(at).toISOString(), eventId: "e1", eventName: "X", findingIds: ["e1/r"], ruleIds: ["r"], severity: "medium", headline: "x" } });
    expect(outcome.kind).toBe("page");
    const item = await dynamoDb.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    expect(item.Item?.version?.N).toBe("8");
    expect(JSON.parse(item.Item?.state?.S ?? "{}").events).toBe(1);
  }, 60_000);
});
