import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, eventBridge, iamCall, ruleIds } from "../../../test/support/records.js";

/** A CloudTrail Insights record as CloudTrail writes it: no eventName of its own, the call it is about inside insightDetails. */
const insight = {
  eventVersion: "1.07",
  eventTime: "2026-11-20T10:00:00Z",
  awsRegion: "us-east-1",
  eventID: "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  eventType: "AwsCloudTrailInsight",
  recipientAccountId: ACCOUNT,
  sharedEventID: "6b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
  insightDetails: {
    state: "Start",
    eventSource: "iam.amazonaws.com",
    eventName: "CreateAccessKey",
    insightType: "ApiCallRateInsight",
    insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 5 } } },
  },
  eventCategory: "Insight",
};

describe("CloudTrail Insights records are valid input: skipped quietly, never an error", () => {
  it("raw, as in an archive, and as EventBridge delivers it", () => {
    expect(analyse(insight)).toEqual({ kind: "analysed", eventId: undefined, findings: [] });
    expect(analyse(eventBridge(insight, "AWS Insight via CloudTrail"))).toEqual({ kind: "analysed", eventId: undefined, findings: [] });
  });

  it("only the shape CloudTrail writes: a call calling itself an insight is still judged as the call it is", () => {
    const forged = { ...iamCall("CreateAccessKey", { userName: "bob" }), eventType: "AwsCloudTrailInsight" };
    expect(ruleIds(forged)).toEqual(["access-key-created"]);
  });

  it("a record with neither an eventName nor the insight type is still malformed", () => {
    const { eventType: _dropped, ...noType } = insight;
    expect(analyse(noType).kind).toBe("malformed");
  });
});

describe("a rule whose counts or lookups throw", () => {
  it("costs its own answer, never the event: countsFor and lookupsFor return nothing, analyse judges the rest", async () => {
    const { createAnalyser } = await import("./analyse.js");
    const { DEFAULT_CONFIG } = await import("../config/config.js");
    const { defineRule } = await import("../rules/rule.js");
    const broken = defineRule({
      id: "managed-policy-attached",
      title: "broken",
      category: "policy-change",
      technique: { id: "T1098", name: "x" },
      runbook: "x".repeat(60),
      eventNames: ["AttachUserPolicy"],
      eventSources: ["iam.amazonaws.com"],
      signals: [],
      counts: () => {
        throw new Error("counts bug");
      },
      lookups: () => {
        throw new Error("lookups bug");
      },
      evaluate: ({ counts, lookups }) => ({
        severity: "low",
        summary: `counted ${String(counts.get("k"))}, looked up ${String(lookups.policyDocument(ACCOUNT, "arn:aws:iam::111122223333:policy/p"))}`,
        whyItMatters: "x",
        reasons: [],
        signals: [],
        target: undefined,
      }),
    });
    const analyser = createAnalyser(DEFAULT_CONFIG, [broken]);
    const record = iamCall("AttachUserPolicy", { userName: "bob", policyArn: `arn:aws:iam::${ACCOUNT}:policy/p` });
    expect(analyser.countsFor(record)).toEqual([]);
    expect(analyser.lookupsFor(record)).toEqual([]);
    const analysis = analyser.analyse(record);
    expect(analysis.kind).toBe("analysed");
    expect(analysis.kind === "analysed" && analysis.findings[0]?.summary).toBe("counted undefined, looked up undefined");
  });
});
