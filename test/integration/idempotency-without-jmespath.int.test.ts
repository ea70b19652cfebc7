import { createHash } from "node:crypto";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { describe, expect, it, vi } from "vitest";
import { dynamoDbIdempotency } from "../../shared/edges/aws/idempotency.js";
import { createTrailguardTable, useMoto } from "./moto-aws.js";

/**
 * The Lambda bundles replace Powertools' JMESPath engine by a stub that throws
 * (deploy/no-jmespath.mjs, serverless.yml `alias`). This proves, against DynamoDB on moto_server,
 * that exactly-once steps never evaluate JMESPath, and that their keys are the ones the previous
 * `eventKeyJmesPath: "key"` wrote, so an upgrade does not run a step twice.
 */
vi.mock("@aws-lambda-powertools/jmespath", async () => {
  const stub = await import("../../deploy/no-jmespath.mjs");
  return { search: vi.fn(stub.search) };
});

const endpoint = useMoto();

describe.skipIf(!endpoint)("idempotency without JMESPath (DynamoDB on moto_server)", () => {
  it("runs a step once per finding, never evaluates JMESPath, and keys it as before", async () => {
    const jmespath = await import("@aws-lambda-powertools/jmespath");
    const table = await createTrailguardTable("trailguard-no-jmespath");
    const steps = dynamoDbIdempotency({ tableName: table, owner: "trailguard-prod-iam-responder", expiresAfterSeconds: 3600 });
    let runs = 0;
    const run = async () => {
      runs++;
      return [];
    };
    expect(await steps.respond("event-1/access-key-created", run)).toEqual([]);
    expect(await steps.respond("event-1/access-key-created", run)).toEqual([]);
    expect(runs).toBe(1);
    await steps.respond("event-2/access-key-created", run);
    expect(runs).toBe(2);
    expect(vi.mocked(jmespath.search)).not.toHaveBeenCalled();
    const { Items } = await new DynamoDBClient({}).send(new ScanCommand({ TableName: table }));
    const expectedKey = `trailguard-prod-iam-responder.respond#${createHash("md5").update(JSON.stringify("event-1/access-key-created")).digest("base64")}`;
    expect(Items?.map((item) => item.id?.S)).toContain(expectedKey);
  });

  it("the stub stands in for Powertools' own import here (the test above is not vacuous), and fails loudly if asked to evaluate", async () => {
    const table = await createTrailguardTable("trailguard-jmespath-asked");
    const asksForJmesPath = makeIdempotent(async (_payload: { key: string }) => "ran", {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: table }),
      config: new IdempotencyConfig({ eventKeyJmesPath: "key", throwOnNoIdempotencyKey: true }),
    });
    await expect(asksForJmesPath({ key: "k" })).rejects.toThrow(/JMESPath is not bundled|idempotency store/);
    const jmespath = await import("@aws-lambda-powertools/jmespath");
    expect(vi.mocked(jmespath.search)).toHaveBeenCalledWith("key", expect.anything(), expect.anything());
  });
});
