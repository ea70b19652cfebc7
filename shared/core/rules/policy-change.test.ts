import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, eventBridge, findingsOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { CIS_POLICY_EVENTS, POLICY_CHANGE_EVENTS } from "./policy-change.js";
import { RULES } from "./registry.js";

/**
 * The policy-change rules split CIS CloudWatch.4's events (and a few more) between them: each
 * IAM call named in POLICY_CHANGE_EVENTS raises exactly one of their findings, by the rule
 * named for what it is; look-alikes from other services and read-only calls raise none.
 */
const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const READ_ONLY = { Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" };

function putUserPolicy(policyDocument: unknown, overrides: Record<string, unknown> = {}) {
  return iamCall("PutUserPolicy", { userName: "bob", policyName: "inline", policyDocument }, overrides);
}

/** Which rule judges each event (an ordinary policy name, not the revoke-sessions one). */
const RULE_FOR_EVENT: Record<string, string> = {
  PutUserPolicy: "policy-document-grant",
  PutRolePolicy: "policy-document-grant",
  PutGroupPolicy: "policy-document-grant",
  CreatePolicy: "policy-document-grant",
  CreatePolicyVersion: "policy-document-grant",
  AttachUserPolicy: "managed-policy-attached",
  AttachRolePolicy: "managed-policy-attached",
  AttachGroupPolicy: "managed-policy-attached",
  PutUserPermissionsBoundary: "permissions-boundary-change",
  PutRolePermissionsBoundary: "permissions-boundary-change",
  DeleteUserPermissionsBoundary: "permissions-boundary-change",
  DeleteRolePermissionsBoundary: "permissions-boundary-change",
  SetDefaultPolicyVersion: "policy-default-version-set",
  DetachUserPolicy: "policy-permissions-removed",
  DetachRolePolicy: "policy-permissions-removed",
  DetachGroupPolicy: "policy-permissions-removed",
  DeleteUserPolicy: "policy-permissions-removed",
  DeleteRolePolicy: "policy-permissions-removed",
  DeleteGroupPolicy: "policy-permissions-removed",
  DeletePolicy: "policy-permissions-removed",
  DeletePolicyVersion: "policy-permissions-removed",
};
/** The policy-change rules that split CIS CloudWatch.4's events (group membership is policy-change too, but no CIS .4 event). */
const POLICY_RULES = RULES.filter((rule) => rule.category === "policy-change" && rule.id !== "group-membership-added");

const policyFindings = (input: unknown) => findingsOf(analyse(input)).filter((finding) => finding.category === "policy-change");

describe("policy-change rules: event coverage", () => {
  it("covers exactly the 16 CIS CloudWatch.4 event names plus 5 more", () => {
    expect(new Set(CIS_POLICY_EVENTS).size).toBe(16);
    expect(new Set(POLICY_CHANGE_EVENTS).size).toBe(21);
    expect(POLICY_CHANGE_EVENTS.filter((name) => !(CIS_POLICY_EVENTS as readonly string[]).includes(name)).sort()).toEqual([
      "DeleteRolePermissionsBoundary",
      "DeleteUserPermissionsBoundary",
      "PutRolePermissionsBoundary",
      "PutUserPermissionsBoundary",
      "SetDefaultPolicyVersion",
    ]);
  });

  it("the policy-change rules declare exactly those event names between them, IAM's only", () => {
    expect([...new Set(POLICY_RULES.flatMap((rule) => rule.eventNames ?? []))].sort()).toEqual([...POLICY_CHANGE_EVENTS].sort());
    expect(Object.keys(RULE_FOR_EVENT).sort()).toEqual([...POLICY_CHANGE_EVENTS].sort());
    for (const rule of POLICY_RULES) expect(rule.eventSources, rule.id).toEqual(["iam.amazonaws.com"]);
  });

  it.each(POLICY_CHANGE_EVENTS)("raises exactly one finding for iam %s, by the rule for it", (eventName) => {
    const record = iamCall(eventName, {
      userName: "bob",
      roleName: "app",
      groupName: "devs",
      policyName: "inline",
      policyArn: `arn:aws:iam::${ACCOUNT}:policy/custom`,
      policyDocument: policyJson(READ_ONLY),
      permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
      versionId: "v2",
    });
    const findings = policyFindings(eventBridge(record));
    expect(findings.map((finding) => finding.ruleId)).toEqual([RULE_FOR_EVENT[eventName]]);
    expect(findings[0]?.category).toBe("policy-change");
    expect(findings[0]?.summary).toContain(eventName);
  });

  it.each(["DeleteUserPolicy", "DeleteRolePolicy", "DeleteGroupPolicy", "PutUserPolicy", "PutRolePolicy", "PutGroupPolicy"])(
    "%s under a revoke-sessions name raises exactly one finding",
    (eventName) => {
      for (const policyName of ["TrailguardRevokeOlderSessions", "AWSRevokeOlderSessions"]) {
        const record = iamCall(eventName, { userName: "bob", roleName: "app", groupName: "devs", policyName, policyDocument: policyJson(ADMIN) });
        const expected = eventName === "PutGroupPolicy" ? "policy-document-grant" : "containment-policy-tampering";
        expect(policyFindings(record).map((finding) => finding.ruleId), policyName).toEqual([expected]);
      }
    },
  );

  it("ignores organizations CreatePolicy (not IAM)", () => {
    const record = iamCall(
      "CreatePolicy",
      { content: policyJson(ADMIN), name: "scp", type: "SERVICE_CONTROL_POLICY" },
      { eventSource: "organizations.amazonaws.com" },
    );
    expect(findingsOf(analyse(record))).toEqual([]);
  });

  it("ignores autoscaling DeletePolicy (not IAM)", () => {
    const record = iamCall("DeletePolicy", { autoScalingGroupName: "web", policyName: "scale-out" }, { eventSource: "autoscaling.amazonaws.com" });
    expect(findingsOf(analyse(record))).toEqual([]);
  });

  it("ignores read-only IAM calls (GetPolicy)", () => {
    const record = iamCall("GetPolicy", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { readOnly: true });
    expect(findingsOf(analyse(eventBridge(record)))).toEqual([]);
  });

  it("ignores unrelated IAM writes (CreateUser)", () => {
    expect(findingsOf(analyse(iamCall("CreateUser", { userName: "bob" })))).toEqual([]);
  });
});

describe("pipeline input handling (exercised with IAM events)", () => {
  it("reports userIdentity.type that is a number as malformed, with no findings", () => {
    const record = putUserPolicy(policyJson(ADMIN), { userIdentity: { ...iamUser("bob"), type: 7 } });
    const analysis = analyse(eventBridge(record));
    expect(analysis.kind).toBe("malformed");
    if (analysis.kind === "malformed") expect(analysis.reason).toMatch(/userIdentity\.type/);
    expect(analysis).not.toHaveProperty("findings");
  });

  it("reports a record without eventName as malformed", () => {
    const analysis = analyse(eventBridge(putUserPolicy(policyJson(ADMIN), { eventName: undefined })));
    expect(analysis).toEqual({ kind: "malformed", reason: expect.stringMatching(/eventName/) });
  });

  it("reports a raw record without eventName as malformed", () => {
    const analysis = analyse(putUserPolicy(policyJson(ADMIN), { eventName: undefined }));
    expect(analysis).toEqual({ kind: "malformed", reason: expect.stringMatching(/eventName/) });
  });

  it.each<[string, unknown]>([
    ["a string", "PutUserPolicy"],
    ["null", null],
    ["an array", [putUserPolicy(policyJson(ADMIN))]],
  ])("reports an EventBridge detail that is %s as malformed", (_label, detail) => {
    const analysis = analyse(eventBridge(detail));
    expect(analysis).toEqual({ kind: "malformed", reason: expect.stringMatching(/not a JSON object/) });
  });

  it("reports requestParameters of the wrong type as malformed", () => {
    const analysis = analyse(iamCall("PutUserPolicy", null, { requestParameters: "policy" }));
    expect(analysis.kind).toBe("malformed");
  });

  it("treats a non-CloudTrail EventBridge event as unsupported", () => {
    const analysis = analyse(eventBridge({ "instance-id": "i-0123456789abcdef0", state: "running" }, "EC2 Instance State-change Notification"));
    expect(analysis).toEqual({ kind: "unsupported", reason: expect.stringMatching(/not a CloudTrail event/) });
  });

  it("treats input that is not an object as malformed", () => {
    expect(analyse("PutUserPolicy").kind).toBe("malformed");
  });
});
