import { describe, expect, it } from "vitest";
import { revokeSessionsPolicyDocument } from "../../shared/core/iam/revoke-sessions-policy.js";
import { ACCOUNT, assumedRole, findingOf, iamCall, policyJson } from "../support/records.js";

/**
 * #10.1: a name proves nothing. A document written under a containment policy name
 * (TrailguardRevokeOlderSessions, AWSRevokeOlderSessions) is benign only when it is exactly the
 * revoking deny with a cut-off at the time of the call; anything else is critical.
 */
const RULE = "containment-policy-tampering";
/** The same documents under any other name are the document rule's. */
const DOCUMENT_RULE = "policy-document-grant";
const CALL_TIME = "2026-11-23T03:04:05Z";
const revokeDeny = (cutoff: string) => ({ Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } } });

function put(eventName: "PutUserPolicy" | "PutRolePolicy", policyName: string, policyDocument: unknown) {
  const target = eventName === "PutUserPolicy" ? { userName: "mallory" } : { roleName: "app" };
  return iamCall(eventName, { ...target, policyName, policyDocument }, { eventTime: CALL_TIME, userIdentity: assumedRole("ops", "attacker") });
}

describe("an admin grant cannot hide under the containment policy's name", () => {
  it.each([
    ["PutUserPolicy", "TrailguardRevokeOlderSessions"],
    ["PutRolePolicy", "AWSRevokeOlderSessions"],
    ["PutUserPolicy", "trailguardrevokeoldersessions"],
  ] as const)("%s %s with [Deny before 2000, Allow *:*] is a critical admin grant and contains the actor and the new admin", (eventName, name) => {
    const finding = findingOf(put(eventName, name, policyJson(revokeDeny("2000-01-01T00:00:00Z"), { Effect: "Allow", Action: "*:*", Resource: "*" })), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(expect.arrayContaining(["admin-grant", "revoke-policy-removed"]));
    expect(finding.reasons.join(" ")).toContain("*:*");
    // The actor first, then the principal just granted admin (a user is quarantined, a role's sessions revoked).
    const mallory = { kind: "user", account: ACCOUNT, userName: "mallory" };
    const onTarget =
      eventName === "PutUserPolicy"
        ? [
            expect.objectContaining({ type: "deactivate-user-keys", status: "planned", target: mallory }),
            expect.objectContaining({ type: "attach-deny-policy", status: "planned", target: mallory }),
            expect.objectContaining({ type: "revoke-sessions", status: "planned", target: mallory }),
          ]
        : [expect.objectContaining({ type: "revoke-sessions", status: "planned", target: { kind: "role", account: ACCOUNT, roleName: "app" } })];
    expect(finding.actions).toEqual([
      expect.objectContaining({ type: "revoke-sessions", status: "planned", target: { kind: "role", account: ACCOUNT, roleName: "ops" } }),
      ...onTarget,
    ]);
  });

  it("a fresh revoking deny plus an Allow of privilege-escalation actions is still critical", () => {
    const document = policyJson(revokeDeny(CALL_TIME), { Effect: "Allow", Action: ["iam:PassRole"], Resource: "*" });
    const finding = findingOf(put("PutRolePolicy", "TrailguardRevokeOlderSessions", document), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(expect.arrayContaining(["escalation-grant", "revoke-policy-removed"]));
  });

  it("a fresh revoking deny plus a self-granting action on every user hides an admin-equivalent grant", () => {
    const document = policyJson(revokeDeny(CALL_TIME), { Effect: "Allow", Action: ["iam:PassRole", "iam:CreateAccessKey"], Resource: "*" });
    const finding = findingOf(put("PutRolePolicy", "TrailguardRevokeOlderSessions", document), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(expect.arrayContaining(["admin-grant", "revoke-policy-removed"]));
  });

  it("moving an existing cut-off into the past is critical tampering, not info", () => {
    const finding = findingOf(put("PutRolePolicy", "TrailguardRevokeOlderSessions", policyJson(revokeDeny("2000-01-01T00:00:00Z"))), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.title).toBe("Containment policy tampered with");
    expect(finding.reasons.join(" ")).toMatch(/before the call/);
  });

  it.each<[string, unknown]>([
    ["a narrower deny (Action s3:*)", policyJson({ ...revokeDeny(CALL_TIME), Action: "s3:*" })],
    ["a NotAction deny", policyJson({ Effect: "Deny", NotAction: "iam:*", Resource: "*", Condition: { DateLessThan: { "aws:TokenIssueTime": CALL_TIME } } })],
    ["a second condition that never holds", policyJson({ ...revokeDeny(CALL_TIME), Condition: { DateLessThan: { "aws:TokenIssueTime": CALL_TIME }, StringEquals: { "aws:username": "nobody" } } })],
    ["two cut-off values", policyJson({ ...revokeDeny(CALL_TIME), Condition: { DateLessThan: { "aws:TokenIssueTime": [CALL_TIME, "2000-01-01T00:00:00Z"] } } })],
    ["an epoch cut-off", policyJson(revokeDeny("946684800"))],
    ["a cut-off far in the future", policyJson(revokeDeny("2099-01-01T00:00:00Z"))],
    ["a Principal element", policyJson({ ...revokeDeny(CALL_TIME), NotPrincipal: { AWS: "arn:aws:iam::111122223333:role/ops" } })],
    ["a document that does not parse", "{not json"],
    ["no recorded document", null],
  ])("%s under the containment name is critical", (_label, document) => {
    const finding = findingOf(put("PutUserPolicy", "AWSRevokeOlderSessions", document), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toContain("revoke-policy-removed");
  });

  it("the IAM console's own Revoke active sessions stays quiet (info)", () => {
    const consoleDocument = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: ["*"], Resource: ["*"], Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-23T03:04:04.512Z" } } }],
    });
    const finding = findingOf(put("PutRolePolicy", "AWSRevokeOlderSessions", consoleDocument), RULE);
    expect(finding.severity).toBe("info");
    expect(finding.signals).toEqual(["revoke-policy-applied"]);
    expect(finding.actions).toEqual([]);
  });

  it("trailguard's own document, as the responder writes it, is info", () => {
    const document = revokeSessionsPolicyDocument(new Date("2026-11-23T03:04:03.000Z"));
    expect(findingOf(put("PutRolePolicy", "TrailguardRevokeOlderSessions", document), RULE).severity).toBe("info");
  });

  it("the same admin document under any other name was and stays critical", () => {
    const finding = findingOf(put("PutUserPolicy", "Scratch", policyJson(revokeDeny("2000-01-01T00:00:00Z"), { Effect: "Allow", Action: "*:*", Resource: "*" })), DOCUMENT_RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(["admin-grant"]);
  });
});

describe("a document cannot say two things at once", () => {
  it("a statement with two Effect keys (Allow, then Deny) is not read as the last one wins", () => {
    const twoFaced = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Effect":"Deny","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${CALL_TIME}"}}}]}`;
    const underRevokeName = findingOf(put("PutRolePolicy", "TrailguardRevokeOlderSessions", twoFaced), RULE);
    expect(underRevokeName.severity).toBe("critical");
    expect(underRevokeName.reasons.join(" ")).toMatch(/repeats the key "Effect"/);
    const elsewhere = findingOf(put("PutUserPolicy", "Scratch", `{"Statement":{"Effect":"Deny","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`), DOCUMENT_RULE);
    expect(elsewhere.severity).toBe("high");
  });

  it("equal keys in different objects, and keys that look alike inside strings, are fine", () => {
    const document = policyJson(
      { Sid: "a", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/\"Effect\":x" },
      { Sid: "b", Effect: "Allow", Action: "s3:ListBucket", Resource: "*", Condition: { StringEquals: { "s3:prefix": ["Effect", "Effect"] } } },
    );
    expect(findingOf(put("PutUserPolicy", "Scratch", document), DOCUMENT_RULE).severity).toBe("medium");
  });
});
