import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it, onTestFinished } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import { handleQueueInvocation } from "../../shared/edges/lambda/queue-handler.js";
import { createAlertRuntime } from "../../shared/edges/lambda/create-alert-runtime.js";
import { METRICS } from "../../shared/core/stack/stack-model.js";
import { assumedRole, cloudTrailRecord, eventBridge, iamCall } from "../support/records.js";
import { powertoolsLogger } from "../../shared/edges/log/log.js";
import { HEARTBEAT, SELF_CONFIG } from "../support/self-config.js";
import { RULES } from "../../shared/core/rules/registry.js";

/**
 * #10.4: the alarms count log lines through CloudWatch Logs metric filters. A filter that no
 * line matches is an alarm that never fires, so each is run against the lines the code writes.
 */
function matches(filter: string, line: string): boolean {
  const parsed = /^\{ \$\.(\w+) = (.+) \}$/.exec(filter);
  if (!parsed) throw new Error(`unsupported filter ${filter}`);
  const [, field = "", literal = ""] = parsed;
  return (JSON.parse(line) as Record<string, unknown>)[field] === JSON.parse(literal);
}

function capture() {
  const lines: string[] = [];
  // The deployed logger (Powertools), writing here instead of stdout: the lines the filters read.
  return { lines, logger: powertoolsLogger({ write: (line) => lines.push(line) }) };
}

describe("metric filters match what the code logs", () => {
  it("InputRejected counts each refused record", async () => {
    const { lines, logger } = capture();
    const input = { receive: async () => [{ kind: "rejected" as const, messageId: undefined, reason: "direct invocation" }] };
    await handleQueueInvocation({}, { input, handle: async () => undefined, logger });
    expect(lines.filter((line) => matches(METRICS.inputRejected.filter, line))).toHaveLength(1);
  });

  it("HeartbeatsSeen counts the heartbeat finding and nothing else", async () => {
    const { lines, logger } = capture();
    const runtime = createAlertRuntime({ rules: RULES, config: parseConfig(SELF_CONFIG, "test"), logger, publish: false });
    await runtime.handle(eventBridge(iamCall("TagRole", { roleName: HEARTBEAT, tags: [{ key: "trailguard-heartbeat", value: "2024-05-01T12:00:00Z" }] }, { userIdentity: assumedRole(HEARTBEAT, HEARTBEAT) })));
    await runtime.handle(eventBridge(cloudTrailRecord({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name: "t" } })));
    expect(lines.filter((line) => matches(METRICS.heartbeats.filter, line))).toHaveLength(1);
  });

  it("IdempotencyStoreFailures counts a failing store", async () => {
    const { lines, logger } = capture();
    // Nothing leaves the machine: SNS is pointed at a closed local port too.
    const previous = process.env.AWS_ENDPOINT_URL_SNS;
    process.env.AWS_ENDPOINT_URL_SNS = "http://127.0.0.1:9";
    onTestFinished(() => {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SNS;
      else process.env.AWS_ENDPOINT_URL_SNS = previous;
    });
    const runtime = createAlertRuntime({ rules: RULES,
      config: parseConfig({ ...SELF_CONFIG, alertTopicArn: "arn:aws:sns:us-east-1:111122223333:trailguard-prod-alerts", idempotencyTable: "trailguard-prod-idempotency" }, "test"),
      logger,
      env: { AWS_REGION: "us-east-1" },
      dynamoDb: new DynamoDBClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", maxAttempts: 1, credentials: { accessKeyId: "x", secretAccessKey: "y" } }),
    });
    // Publishing then fails too (no SNS here): what matters is the line the store failure wrote.
    await runtime.handle(eventBridge(cloudTrailRecord({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name: "t" } }))).catch(() => undefined);
    // The table is down for both of its uses in this event: the alert's exactly-once step and the
    // incident it would join (which then pages on its own); each failure is counted.
    const counted = lines.filter((line) => matches(METRICS.storeFailures.filter, line)).map((line) => (JSON.parse(line) as { message: string }).message);
    expect(counted).toEqual(["idempotency store failed: publishing without deduplication", "incident store failed: paging without grouping"]);
  });
});
