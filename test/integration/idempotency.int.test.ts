import { randomUUID } from "node:crypto";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import { REVOKE_POLICY_NAME } from "../../shared/core/iam/revoke-sessions-policy.js";
import type { ResponseAction } from "../../shared/core/model/action.js";
import { AlertDeliveryError } from "../../shared/core/engine/handle-event.js";
import { createAlertRuntime } from "../../shared/edges/lambda/create-alert-runtime.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { OUTSIDE_LAMBDA_LEASE_MS, dynamoDbIdempotency } from "../../shared/edges/aws/idempotency.js";
import { assumedRole, eventBridge, iamCall, policyJson } from "../support/records.js";
import { type Logger, silentLogger } from "../../shared/edges/log/log.js";
import { MOTO_ACCOUNT, createAlertSink, createTrailguardTable, uniqueName, useMoto } from "./moto-aws.js";
import { RULES } from "../../shared/core/rules/registry.js";

/**
 * Exactly once per event under duplicate delivery, against DynamoDB on moto_server: the stack's
 * idempotency table, conditional writes and all.
 */
const endpoint = useMoto();

describe.skipIf(!endpoint)("idempotency (DynamoDB on moto_server)", () => {
  const iam = new IAMClient({ region: "us-east-1" });
  let table: string;

  beforeAll(async () => {
    table = await createTrailguardTable("trailguard-idempotency");
  });

  async function roleGrantingAdmin(): Promise<{ roleName: string; event: unknown }> {
    const roleName = uniqueName("ci");
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policyJson({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }) }));
    const event = eventBridge(
      iamCall(
        "PutRolePolicy",
        { roleName: "victim", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) },
        { eventID: randomUUID(), recipientAccountId: MOTO_ACCOUNT, userIdentity: assumedRole(roleName, "s", { account: MOTO_ACCOUNT }) },
      ),
    );
    return { roleName, event };
  }

  async function revokeCutoff(roleName: string): Promise<string> {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    return (JSON.parse(decodeURIComponent(PolicyDocument ?? "")) as { Statement: Array<{ Condition: { DateLessThan: Record<string, string> } }> }).Statement[0]?.Condition
      .DateLessThan["aws:TokenIssueTime"] as string;
  }

  /** A clock that moves one minute per call: a repeated action would leave a later cut-off. */
  function advancingClock(start: string): () => Date {
    let minutes = 0;
    return () => new Date(Date.parse(start) + 60_000 * minutes++);
  }

  function runtime(topicArn: string, now: () => Date) {
    return createRuntime({ rules: RULES, config: parseConfig({ mode: "enforce", alertTopicArn: topicArn, idempotencyTable: table }, "test"), logger: silentLogger, now });
  }

  it("the same event delivered 100 times: one set of actions, one alert", async () => {
    const sink = await createAlertSink();
    const { roleName, event } = await roleGrantingAdmin();
    const handler = runtime(sink.topicArn, advancingClock("2026-11-23T01:00:00.000Z"));
    const outcomes = [];
    for (let delivery = 0; delivery < 100; delivery++) outcomes.push(await handler.handle(event));

    expect(await revokeCutoff(roleName)).toBe("2026-11-23T01:00:00.000Z");
    expect(outcomes.every((outcome) => outcome.findings[0]?.actions[0]?.status === "done")).toBe(true);
    expect(outcomes[99]?.findings[0]?.actions).toEqual(outcomes[0]?.findings[0]?.actions);
    const alerts = await sink.receive(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.Subject).toMatch(/^\[CRITICAL\] \S+ put inline policy \S+ on role /);
  }, 120_000);

  it("SNS unavailable: the invocation fails, and the retry publishes without repeating the action", async () => {
    const sink = await createAlertSink();
    const { roleName, event } = await roleGrantingAdmin();
    const missingTopic = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:${uniqueName("gone")}`;
    await expect(runtime(missingTopic, () => new Date("2026-11-23T02:00:00.000Z")).handle(event)).rejects.toBeInstanceOf(AlertDeliveryError);
    expect(await revokeCutoff(roleName)).toBe("2026-11-23T02:00:00.000Z");

    const retried = await runtime(sink.topicArn, () => new Date("2026-11-23T02:05:00.000Z")).handle(event);
    expect(retried.published).toBe(1);
    expect(await revokeCutoff(roleName)).toBe("2026-11-23T02:00:00.000Z");
    expect(await sink.receive(1)).toHaveLength(1);
  }, 60_000);

  it("a step that failed or timed out is run again by the retry; a completed one is not", async () => {
    const steps = dynamoDbIdempotency({ tableName: table, expiresAfterSeconds: 3600 });
    const done: ResponseAction[] = [{ type: "deactivate-access-key", target: { kind: "user", account: MOTO_ACCOUNT, userName: "bob" }, status: "done", reason: "ok" }];
    let runs = 0;

    // A crash inside the step: its record is removed, so the retry acts.
    const crashed = randomUUID();
    await expect(steps.respond(crashed, async () => Promise.reject(new Error("boom")))).rejects.toThrow();
    expect(await steps.respond(crashed, async () => (runs++, done))).toEqual(done);
    expect(runs).toBe(1);

    // A Lambda timeout mid-step: the in-progress record expires with the invocation's time.
    steps.registerContext({ getRemainingTimeInMillis: () => 300 } as unknown as Context);
    const timedOut = randomUUID();
    void steps.respond(timedOut, () => new Promise<readonly ResponseAction[]>(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(steps.respond(timedOut, async () => (runs++, done))).rejects.toThrow(/in progress/i);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await steps.respond(timedOut, async () => (runs++, done))).toEqual(done);
    expect(runs).toBe(2);

    // Completed: stored result, not run again.
    expect(await steps.respond(timedOut, async () => (runs++, []))).toEqual(done);
    expect(runs).toBe(2);
  }, 30_000);

  it("an in-progress step expires with the Lambda invocation; outside Lambda, after a fixed lease, never a previous invocation's time", async () => {
    const own = await createTrailguardTable("trailguard-lease");
    const steps = dynamoDbIdempotency({ tableName: own, expiresAfterSeconds: 3600 });
    const warn = vi.spyOn(console, "warn");
    const seen = new Set<string>();
    /** Starts a step that never finishes; returns when its in-progress record is written, with its expiry (ms). */
    const inProgressExpiry = async (): Promise<number> => {
      void steps.respond(randomUUID(), () => new Promise<readonly ResponseAction[]>(() => undefined));
      for (let attempt = 0; attempt < 50; attempt++) {
        const { Items = [] } = await new DynamoDBClient({}).send(new ScanCommand({ TableName: own }));
        const added = Items.find((item) => !seen.has(item.id?.S ?? ""));
        if (added) {
          seen.add(added.id?.S ?? "");
          return Number(added.in_progress_expiration?.N);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("no in-progress record was written");
    };
    /** The step's in-progress record expires `ms` after it started. */
    const expiresAfter = async (ms: number) => {
      const before = Date.now();
      const expiry = await inProgressExpiry();
      expect(expiry).toBeGreaterThanOrEqual(before + ms);
      expect(expiry).toBeLessThanOrEqual(Date.now() + ms);
    };
    try {
      // The replay CLI and the tests: no Lambda context, a lease.
      steps.registerContext(undefined);
      await expiresAfter(OUTSIDE_LAMBDA_LEASE_MS);
      // In Lambda: the invocation's remaining time.
      steps.registerContext({ getRemainingTimeInMillis: () => 5_000 } as unknown as Context);
      await expiresAfter(5_000);
      // A later call without a context does not inherit that invocation's deadline.
      steps.registerContext(undefined);
      await expiresAfter(OUTSIDE_LAMBDA_LEASE_MS);
      expect(warn.mock.calls.flat().join("\n")).not.toContain("registerLambdaContext");
    } finally {
      warn.mockRestore();
    }
  }, 30_000);

  it("a forged event carrying a real eventID cannot pre-empt the real one (keys include the record's content)", async () => {
    const sink = await createAlertSink();
    const { roleName, event } = await roleGrantingAdmin();
    const real = event as { detail: Record<string, unknown> };
    // Same eventID, harmless content: delivered first, it must not use up the real event's steps.
    const forged = { ...real, detail: { ...real.detail, requestParameters: { roleName: "victim", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) } } };
    const handler = runtime(sink.topicArn, () => new Date("2026-11-23T04:00:00.000Z"));
    const first = await handler.handle(forged);
    expect(first.findings[0]?.severity).toBe("medium");
    const second = await handler.handle(event);
    expect(second.findings[0]?.actions[0]?.status).toBe("done");
    expect(await revokeCutoff(roleName)).toBe("2026-11-23T04:00:00.000Z");
    expect((await sink.receive(2)).map((alert) => alert.Subject?.slice(0, 10))).toEqual(["[MEDIUM] c", "[CRITICAL]"]);
  }, 60_000);

  it("alert-only functions still page when the idempotency store is gone, and say so for the alarm", async () => {
    const sink = await createAlertSink();
    const lines: Array<Record<string, unknown>> = [];
    const logger: Logger = { log: (level, message, fields) => lines.push({ level, message, ...fields }) };
    const monitor = createAlertRuntime({ rules: RULES,
      config: parseConfig({ alertTopicArn: sink.topicArn, idempotencyTable: uniqueName("deleted-table") }, "test"),
      logger,
    });
    const stop = eventBridge(iamCall("StopLogging", { name: "org-trail" }, { eventSource: "cloudtrail.amazonaws.com", eventID: randomUUID() }));
    const outcome = await monitor.handle(stop);
    expect(outcome.published).toBe(1);
    expect((await sink.receive(1)).map((alert) => alert.Subject?.slice(0, 10))).toEqual(["[CRITICAL]"]);
    // The table serves the exactly-once step and the incidents: both failures are logged for the alarm.
    expect(lines.filter((line) => line.idempotencyStoreFailed === 1).map((line) => line.message)).toEqual([
      "idempotency store failed: publishing without deduplication",
      "incident store failed: paging without grouping",
    ]);
  }, 60_000);

  it("DynamoDB unreachable: fails closed (no action, no alert) so the platform retries", async () => {
    const sink = await createAlertSink();
    const { roleName, event } = await roleGrantingAdmin();
    const lines: Array<Record<string, unknown>> = [];
    const unreachable = createRuntime({ rules: RULES,
      config: parseConfig({ mode: "enforce", alertTopicArn: sink.topicArn, idempotencyTable: table }, "test"),
      logger: { log: (level, message, fields) => lines.push({ level, message, ...fields }) },
      dynamoDb: new DynamoDBClient({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 }),
    });
    await expect(unreachable.handle(event)).rejects.toThrow();
    expect(lines.filter((line) => line.idempotencyStoreFailed === 1)).toHaveLength(1);
    await expect(iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }))).rejects.toThrow(/cannot be found|not attached|NoSuchEntity/);
    expect(await sink.receive(0)).toEqual([]);
  }, 60_000);
});
