import { describe, expect, it } from "vitest";
import type { Finding } from "../../shared/core/model/finding.js";
import { type Json, analyse, eventBridge, findingsOf, iamCall, iamUser, policyJson } from "../support/records.js";
import { RESPONDER, SELF_CONFIG } from "../support/self-config.js";

/**
 * #10.3: tampering with trailguard or with CloudTrail is critical and paged. The rules' own cases
 * live in their packs (shared/core/rules/trailguard-tampering/, cloudtrail-tampering/,
 * trailguard-heartbeat/); here are the ones across rules and the envelope: forged sources, and
 * what one rule leaves to another.
 */
const admin = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });

function finding(record: Json, ruleId: string): Finding | undefined {
  return findingsOf(analyse(record, SELF_CONFIG)).find((candidate) => candidate.ruleId === ruleId);
}
const tamper = (record: Json) => finding(record, "trailguard-tampering");

describe("changes to trailguard's own resources", () => {
  it("the role trust rule alone rated the responder's trust change low; tampering makes it critical", () => {
    const record = iamCall("UpdateAssumeRolePolicy", { roleName: RESPONDER, policyDocument: policyJson({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { userIdentity: admin });
    expect(finding(record, "role-trust-update")?.severity).toBe("low");
    expect(tamper(record)?.severity).toBe("critical");
  });
});

describe("attacks found by review (each failed before its fix)", () => {
  it("a CloudTrail-shaped event published under a custom source (events:PutEvents) is not CloudTrail", () => {
    const forged = { ...eventBridge(iamCall("PutRolePolicy", { roleName: "x", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) })), source: "com.attacker" };
    expect(analyse(forged, SELF_CONFIG).kind).toBe("unsupported");
    expect(findingsOf(analyse({ ...forged, source: "aws.iam" }, SELF_CONFIG)).length).toBeGreaterThan(0);
  });

  it("a hidden, case-twinned condition key cannot pass for the revoking deny", () => {
    const twin = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2000-01-01T00:00:00Z","AWS:TokenIssueTime":"2024-05-01T12:00:00Z"}}}]}`;
    const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions", policyDocument: twin }, { userIdentity: admin });
    expect(finding(record, "containment-policy-tampering")?.severity).toBe("critical");
  });
});

describe("hostile envelopes", () => {
  it("a source that is not a string (even an object with no prototype) is refused, not thrown on", () => {
    const record = iamCall("CreateAccessKey", { userName: "admin" });
    for (const source of [Object.create(null) as unknown, { toString: 1 }, 42, null]) {
      expect(analyse({ ...eventBridge(record), source }, SELF_CONFIG).kind).toBe("unsupported");
    }
  });
});

describe("attacks found by a second review (each failed before its fix)", () => {
  it.each<[string, string]>([
    ["an impossible date that Date.parse rolls over", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-04-31T12:00:00Z"}}}]}`],
    ["a zoneless time", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-05-01T12:00:00"}}}]}`],
    ["a Kelvin-sign look-alike key", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:To\\u212AenIssueTime":"2024-05-01T12:00:00Z"}}}]}`],
    ["a nested array value", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":[["2024-05-01T12:00:00Z"]]}}}]}`],
  ])("a revoke deny with %s is not the revoking deny", (_label, document) => {
    const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions", policyDocument: document }, { userIdentity: admin });
    expect(finding(record, "containment-policy-tampering")?.severity).toBe("critical");
  });

  it("an EventBridge source outside aws.<service> (a partner bus) is not CloudTrail", () => {
    const record = iamCall("CreateAccessKey", { userName: "admin" });
    expect(analyse({ ...eventBridge(record), source: "aws.partner/evil.com/123/x" }, SELF_CONFIG).kind).toBe("unsupported");
  });
});
