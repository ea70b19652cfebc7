import { randomUUID } from "node:crypto";
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import type { CountRequest } from "../../shared/core/model/window-counts.js";
import { defineRule } from "../../shared/core/rules/rule.js";
import { MINUTE_CAP, dynamoDbWindowCounter } from "../../shared/edges/aws/window-counter.js";
import { createAlertRuntime } from "../../shared/edges/lambda/create-alert-runtime.js";
import { powertoolsLogger, silentLogger } from "../../shared/edges/log/log.js";
import { describeWindowCounter } from "../support/window-counter-contract.js";
import { eventBridge, iamCall, iamUser } from "../support/records.js";
import { MOTO_ACCOUNT, createAlertSink, createTrailguardTable, uniqueName, useMoto } from "./moto-aws.js";

/**
 * The DynamoDB window counter against moto_server: the same contract as the in-memory counter
 * (replay's), concurrent writers, hostile keys, a full time bucket, and the Lambda runtime
 * counting a burst delivered as EventBridge events.
 */
const endpoint = useMoto();

describe.skipIf(!endpoint)("window counter (DynamoDB on moto_server)", () => {
  const dynamoDb = new DynamoDBClient({});
  let table = "";
  beforeAll(async () => {
    table = await createTrailguardTable("trailguard-counts");
  });

  // Each test its own owner: a fresh, empty counter in the shared table.
  const fresh = (owner = uniqueName("trailguard-prod-failure-monitor")) => dynamoDbWindowCounter({ tableName: table, owner });
  describeWindowCounter("DynamoDB", () => fresh());

  const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 600_000 + 59_900;
  const burst = (key: string, occurrence: string, at: number): CountRequest => ({ key, occurrence, at, windowSeconds: 300, threshold: 5, quietSeconds: 3600 });

  it("raises exactly once when events 5 and 6 of a burst are counted at the same time", async () => {
    const owner = uniqueName("trailguard-prod-failure-monitor");
    // Two containers of the same function.
    const [one, other] = [fresh(owner), fresh(owner)];
    const raisedPerRun: number[] = [];
    for (let run = 0; run < 12; run++) {
      const key = `denied-calls|run-${run}`;
      for (let event = 1; event <= 4; event++) await one.count([burst(key, `e${event}`, T0 + event * 100)]);
      // Counted at once: across runs, either may write, read or claim first.
      const [fifth, sixth] = (await Promise.all([one.count([burst(key, "e5", T0 + 500)]), other.count([burst(key, "e6", T0 + 600)])])).map((answer) => answer.get(key));
      // Each sees the other unless it read before the other was written (windows after an event count too).
      expect([5, 6], `run ${run}`).toContain(fifth?.count);
      expect([5, 6], `run ${run}`).toContain(sixth?.count);
      raisedPerRun.push([fifth, sixth].filter((count) => count?.raised).length);
    }
    expect(raisedPerRun).toEqual(Array(12).fill(1));
  }, 60_000);

  it("a raising event retried after a later burst took the key raises again; no other event of the first burst does", async () => {
    const counter = fresh();
    const key = "denied-calls|retried";
    const later = T0 + 2 * 3_600_000;
    for (let event = 1; event <= 5; event++) expect((await counter.count([burst(key, `a${event}`, T0 + event)])).get(key)?.raised, `a${event}`).toBe(event === 5);
    for (let event = 1; event <= 5; event++) expect((await counter.count([burst(key, `b${event}`, later + event)])).get(key)?.raised, `b${event}`).toBe(event === 5);
    // a5's first delivery failed after its claim (say, the alert): its retry still raises, a4's does not.
    expect((await counter.count([burst(key, "a5", T0 + 5)])).get(key)).toEqual({ count: 5, raised: true });
    expect((await counter.count([burst(key, "a4", T0 + 4)])).get(key)).toEqual({ count: 5, raised: false });
    expect((await counter.count([burst(key, "b5", later + 5)])).get(key)).toEqual({ count: 5, raised: true });
  }, 60_000);

  it("keys any string, quotes, unicode and 512 characters, into fixed ids under the owner's prefix, each apart", async () => {
    const owner = uniqueName("trailguard-prod-failure-monitor");
    const counter = fresh(owner);
    const hostile = [
      `sign-in-failures|user|${MOTO_ACCOUNT}|"'; DROP TABLE x; --`,
      "sign-in-failures|user|111122223333|ålice\u202e\u0000😈",
      "k".repeat(512),
      `${"k".repeat(511)}K`,
      "#id = :me OR attribute_exists(id)",
    ];
    for (const [index, key] of hostile.entries()) {
      for (let event = 1; event <= 5; event++) {
        const answer = (await counter.count([burst(key, `"${event}" ${"\u{1F600}".repeat(300)}`, T0 + index * 10 + event)])).get(key);
        expect(answer, `${index}/${event}`).toEqual({ count: event, raised: event === 5 });
      }
    }
    const { Items } = await dynamoDb.send(new ScanCommand({ TableName: table }));
    const ids = (Items ?? []).map((item) => item.id?.S ?? "").filter((id) => id.startsWith(`${owner}.`));
    // One holder per key, and one bucket (or two, where a key's events straddle a minute).
    expect(ids.filter((id) => id.endsWith(".holder"))).toHaveLength(hostile.length);
    // And a mark per event that raised (a fixed-size digest of its occurrence).
    expect(ids.filter((id) => /\.raised\.[0-9a-f]{32}$/.test(id))).toHaveLength(hostile.length);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${owner}\\.count\\.[0-9a-f]{64}\\.(holder|raised\\.[0-9a-f]{32}|\\d+)$`));
  }, 60_000);

  it("still counts and raises when the event's minute is full (an item at DynamoDB's 400 KB): the flood is over any threshold", async () => {
    const owner = uniqueName("trailguard-prod-failure-monitor");
    const counter = fresh(owner);
    const key = "denied-calls|flood";
    // Four events counted, then their minute filled up to the limit.
    for (let event = 1; event <= 4; event++) await counter.count([burst(key, `e${event}`, T0 + event)]);
    const { Items } = await dynamoDb.send(new ScanCommand({ TableName: table }));
    const bucket = (Items ?? []).find((item) => item.id?.S?.startsWith(`${owner}.count.`) && !item.id.S.endsWith(".holder"));
    expect(bucket?.entries?.SS).toHaveLength(4);
    // Filled to a few bytes under moto's limit (405,000 bytes of names and values; DynamoDB's is 400 KB): no entry fits.
    const size = Object.entries(bucket ?? {}).reduce((total, [name, value]) => total + name.length + [value.S ?? value.N ?? "", ...(value.SS ?? [])].join("").length, 0);
    await dynamoDb.send(new PutItemCommand({ TableName: table, Item: { ...bucket, padding: { S: "x".repeat(405_000 - size - "padding".length - 8) } } }));

    expect((await counter.count([burst(key, "e5", T0 + 5)])).get(key)).toEqual({ count: 5, raised: true });
    expect((await counter.count([burst(key, "e6", T0 + 6)])).get(key)).toEqual({ count: 5, raised: false });
    expect((await counter.count([burst(key, "e5", T0 + 5)])).get(key)).toEqual({ count: 5, raised: true });
    // The full minute took nothing.
    const after = await dynamoDb.send(new ScanCommand({ TableName: table }));
    expect(after.Items?.find((item) => item.id?.S === bucket?.id?.S)?.entries?.SS).toHaveLength(4);
    // The next minute is a new item: its events are kept as usual (e5 and e6 were not).
    expect((await counter.count([burst(key, "e7", T0 + 60_000)])).get(key)).toEqual({ count: 5, raised: false });
    expect((await counter.count([burst(key, "e8", T0 + 60_001)])).get(key)).toEqual({ count: 6, raised: false });
  }, 60_000);

  it("keeps at most MINUTE_CAP events a minute, so a flood's writes stay small, and still raises once", async () => {
    const owner = uniqueName("trailguard-prod-failure-monitor");
    const counter = fresh(owner);
    const key = "denied-calls|capped";
    const flood = (n: number): CountRequest => ({ key, occurrence: `f${n}`, at: T0 - 59_000 + n, windowSeconds: 300, threshold: 10, quietSeconds: 3600 });
    const raised: number[] = [];
    // Up to past the threshold one at a time: moto_server does not serialise conditional writes to
    // one item as DynamoDB does, so two claims racing there can both succeed (concurrent claims
    // are the subject of "raises exactly once when events 5 and 6…" above); then in parallel.
    for (let n = 0; n < 16; n++) if ((await counter.count([flood(n)])).get(key)?.raised) raised.push(n);
    for (let n = 16; n < MINUTE_CAP + 20; n += 8) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, k) => counter.count([flood(n + k)])));
      answers.forEach((answer, k) => answer.get(key)?.raised && raised.push(n + k));
    }
    expect(raised).toHaveLength(1);
    const { Items } = await dynamoDb.send(new ScanCommand({ TableName: table }));
    const minute = (Items ?? []).find((item) => item.id?.S?.startsWith(`${owner}.count.`) && !item.id.S.endsWith(".holder"));
    expect(minute?.entries?.SS).toHaveLength(MINUTE_CAP);
    // Past the cap an event is still counted against the minute (and itself).
    expect((await counter.count([flood(MINUTE_CAP + 100)])).get(key)?.count).toBe(MINUTE_CAP + 1);
  }, 120_000);

  it("throws when the table cannot be written (missing): never a silent zero", async () => {
    const counter = dynamoDbWindowCounter({ tableName: uniqueName("missing"), owner: "trailguard-prod-failure-monitor" });
    await expect(counter.count([burst("k", "e1", T0)])).rejects.toThrow(/not found|ResourceNotFound/i);
  });
});

describe.skipIf(!endpoint)("the runtime counts bursts on DynamoDB (moto_server)", () => {
  /** A rule that counts refused DeleteUser calls per caller: five in five minutes raise, once an hour. */
  const burstRule = defineRule({
    id: "test-denied-burst",
    title: "Refused calls in a burst (test rule)",
    category: "repeated-failures",
    technique: { id: "T1580", name: "Cloud Infrastructure Discovery" },
    runbook: "test",
    eventNames: ["DeleteUser"],
    eventSources: ["iam.amazonaws.com"],
    failedCallCap: "high",
    signals: [],
    counts: ({ actor, event }) => [{ key: `test-denied-burst|${actor.arn}`, occurrence: event.eventId, at: Date.parse(event.eventTime ?? ""), windowSeconds: 300, threshold: 5, quietSeconds: 3600 }],
    evaluate: ({ actor, counts }) => {
      const count = counts.get(`test-denied-burst|${actor.arn}`);
      if (!count?.raised) return undefined;
      return { severity: "high", summary: `${count.count} refused calls`, whyItMatters: "test", reasons: [`${count.count} in 5 minutes`], signals: [], target: undefined };
    },
  });

  const refused = (user: string, index: number) =>
    eventBridge(
      iamCall("DeleteUser", { userName: "victim" }, {
        eventID: randomUUID(),
        eventTime: new Date(Date.parse("2026-11-20T10:00:00Z") + index * 7_000).toISOString(),
        errorCode: "AccessDenied",
        errorMessage: "not authorized",
        recipientAccountId: MOTO_ACCOUNT,
        userIdentity: iamUser(user, { account: MOTO_ACCOUNT }),
      }),
    );

  it("a burst of refused calls delivered as EventBridge events (some twice) raises one finding and one alert", async () => {
    const table = await createTrailguardTable("trailguard-runtime-counts");
    const sink = await createAlertSink();
    const runtime = createAlertRuntime({
      rules: [burstRule],
      config: parseConfig({ alertTopicArn: sink.topicArn, idempotencyTable: table }, "test"),
      env: { AWS_LAMBDA_FUNCTION_NAME: "trailguard-prod-failure-monitor" },
      logger: silentLogger,
    });
    const user = uniqueName("intruder");
    const events = Array.from({ length: 12 }, (_, index) => refused(user, index));
    const findings: string[] = [];
    for (const event of [...events, events[4], events[2], events[9]]) findings.push(...(await runtime.handle(event)).findings.map((finding) => finding.eventId));
    // The fifth event raised; its redelivery found its stored alert (one page); a repeat of another raised nothing.
    const fifth = (events[4] as { detail: { eventID: string } }).detail.eventID;
    expect(findings).toEqual([fifth, fifth]);
    const alerts = await sink.receive(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.Subject).toMatch(new RegExp(`^\\[HIGH\\] ${user} tried to call DeleteUser \\(AccessDenied\\) in ${MOTO_ACCOUNT}`));
    const { Items } = await new DynamoDBClient({}).send(new ScanCommand({ TableName: table }));
    // Its own records, and the incident the alert joined (shared by the stack's functions).
    const ids = (Items ?? []).map((item) => item.id?.S ?? "");
    expect(ids.every((id) => id.startsWith("trailguard-prod-failure-monitor.") || /^incident\.[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(ids.filter((id) => id.startsWith("incident."))).toHaveLength(1);
  }, 60_000);

  it("a counter that fails is logged as the store failing (it pages) and the event is retried, nothing published", async () => {
    const lines: string[] = [];
    const runtime = createAlertRuntime({
      rules: [burstRule],
      config: parseConfig({ idempotencyTable: uniqueName("deleted") }, "test"),
      env: { AWS_LAMBDA_FUNCTION_NAME: "trailguard-prod-failure-monitor" },
      logger: powertoolsLogger({ write: (line) => lines.push(line) }),
      publish: false,
    });
    await expect(runtime.handle(refused("mallory", 0))).rejects.toThrow();
    const failures = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.windowCounterFailed === 1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: "ERROR", idempotencyStoreFailed: 1, windowCounterFailed: 1, requests: 1 });
  });

  it("keeps no count where no rule counts: the table is not touched", async () => {
    const runtime = createAlertRuntime({
      rules: [{ ...burstRule, counts: undefined }],
      config: parseConfig({ idempotencyTable: uniqueName("deleted") }, "test"),
      logger: silentLogger,
      publish: false,
    });
    await expect(runtime.handle(refused("mallory", 0))).resolves.toMatchObject({ status: "analysed", findings: [] });
  });
});
