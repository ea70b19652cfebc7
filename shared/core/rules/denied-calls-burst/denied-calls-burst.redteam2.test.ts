import { describe, expect, it } from "vitest";
import { ACCOUNT, OTHER_ACCOUNT, assumedRole, cloudTrailRecord, eventBridge, findingsOf } from "../../../../test/support/records.js";
import { parseConfig } from "../../config/config.js";
import { createAnalyser } from "../../engine/analyse.js";
import { memoryWindowCounter } from "../../state/memory-window-counter.js";
import { RULES } from "../registry.js";

/**
 * Red team 2: a caller from another account, refused by this account's resource policies (S3,
 * KMS, SQS, sts:AssumeRole into this account). This account's record of such a call carries the
 * caller's session ARN or principal id (`AROA…:<session name>`) and a per-session ASIA key,
 * but often no sessionContext.sessionIssuer. principalOf then falls back to the session ARN,
 * the access key id or the principal id: all three change with every AssumeRole, so an
 * attacker who opens a session per call (free: sts:AssumeRole on their own role) never makes
 * ten refused calls under one key.
 */
const T0 = Date.parse("2024-05-01T12:00:00Z");
let serial = 0;
const refused = (identity: unknown, seconds: number) =>
  eventBridge(
    cloudTrailRecord({
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      eventTime: new Date(T0 + seconds * 1000).toISOString().replace(/\.000Z$/, "Z"),
      eventID: `00000000-0000-4000-9000-${String(++serial).padStart(12, "0")}`,
      userIdentity: identity,
      recipientAccountId: ACCOUNT,
      sourceIPAddress: "203.0.113.9",
      errorCode: "AccessDenied",
      errorMessage: "Access Denied",
      readOnly: true,
    }),
  );

async function raised(identities: (n: number) => unknown): Promise<number> {
  const analyser = createAnalyser(parseConfig({}, "test"), RULES);
  const counter = memoryWindowCounter();
  let findings = 0;
  for (let n = 0; n < 30; n++) {
    const input = refused(identities(n), n * 2);
    const requests = analyser.countsFor(input);
    findings += findingsOf(analyser.analyse(input, requests.length > 0 ? { counts: await counter.count(requests) } : {})).filter((f) => f.ruleId === "denied-calls-burst").length;
  }
  return findings;
}

describe("red team 2: denied-calls-burst, another account's role sessions", () => {
  it("control: thirty refused calls by one cross-account session raise once", async () => {
    expect(await raised(() => assumedRole("prober", "s", { account: OTHER_ACCOUNT, issuer: false, accessKeyId: "ASIAOTHERSESSION0001" }))).toBe(1);
  });

  it("a session per call (session ARN, no sessionIssuer) does not split a burst", async () => {
    expect(await raised((n) => assumedRole("prober", `s${n}`, { account: OTHER_ACCOUNT, issuer: false, accessKeyId: `ASIAOTHERSESSION${String(n).padStart(4, "0")}` }))).toBe(1);
  });

  it("a session per call (AWSAccount: principal id AROA…:session, per-session key) does not split a burst", async () => {
    expect(
      await raised((n) => ({ type: "AWSAccount", principalId: `AROAOTHERROLEID00001:s${n}`, accountId: OTHER_ACCOUNT, accessKeyId: `ASIAOTHERSESSION${String(n).padStart(4, "0")}` })),
    ).toBe(1);
  });
});
