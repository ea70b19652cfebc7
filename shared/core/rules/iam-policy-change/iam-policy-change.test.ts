import { describe, expect, it } from "vitest";
import {
  ACCOUNT,
  analyse,
  assumedRole,
  cloudTrailRecord,
  eventBridge,
  findingOf,
  findingsOf,
  iamCall,
  iamUser,
  policyJson,
} from "../../../../test/support/records.js";

const RULE = "iam-policy-change";

const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const READ_ONLY = { Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" };

function putUserPolicy(policyDocument: unknown, overrides: Record<string, unknown> = {}) {
  return iamCall("PutUserPolicy", { userName: "bob", policyName: "inline", policyDocument }, overrides);
}

const CIS_EVENTS = [
  "DeleteGroupPolicy",
  "DeleteRolePolicy",
  "DeleteUserPolicy",
  "PutGroupPolicy",
  "PutRolePolicy",
  "PutUserPolicy",
  "CreatePolicy",
  "DeletePolicy",
  "CreatePolicyVersion",
  "DeletePolicyVersion",
  "AttachRolePolicy",
  "DetachRolePolicy",
  "AttachUserPolicy",
  "DetachUserPolicy",
  "AttachGroupPolicy",
  "DetachGroupPolicy",
];
const EXTRA_EVENTS = [
  "SetDefaultPolicyVersion",
  "PutUserPermissionsBoundary",
  "PutRolePermissionsBoundary",
  "DeleteUserPermissionsBoundary",
  "DeleteRolePermissionsBoundary",
];

describe("iam-policy-change", () => {
  describe("event coverage", () => {
    it("covers exactly the 16 CIS CloudWatch.4 event names plus 5 more", () => {
      expect(new Set(CIS_EVENTS).size).toBe(16);
    });

    it.each([...CIS_EVENTS, ...EXTRA_EVENTS])("raises a finding for iam %s", (eventName) => {
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
      const finding = findingOf(eventBridge(record), RULE);
      expect(finding.category).toBe("policy-change");
      expect(finding.summary).toContain(eventName);
    });

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

  describe("admin-equivalent documents are critical", () => {
    it.each<[string, unknown]>([
      ['Allow "*" on "*" (JSON string)', policyJson(ADMIN)],
      ['Allow "*" on "*" (object)', { Version: "2012-10-17", Statement: [ADMIN] }],
      ['Allow "*" on "*" (URL-encoded string)', encodeURIComponent(policyJson(ADMIN))],
      ["Statement as a single object", JSON.stringify({ Version: "2012-10-17", Statement: ADMIN })],
      ["Action as a list", policyJson({ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] })],
      ['Allow "iam:*" on "*"', policyJson({ Effect: "Allow", Action: "iam:*", Resource: "*" })],
      ['Allow "IAM:*" (upper case) on "*"', policyJson({ Effect: "Allow", Action: "IAM:*", Resource: "*" })],
      ['Allow "*:*" on "*"', policyJson({ Effect: "Allow", Action: "*:*", Resource: "*" })],
      ['Allow NotAction on "*"', policyJson({ Effect: "Allow", NotAction: "iam:DeleteUser", Resource: "*" })],
      ["admin statement after a harmless one", policyJson(READ_ONLY, { Sid: "Backdoor", ...ADMIN })],
    ])("%s", (_label, policyDocument) => {
      const finding = findingOf(putUserPolicy(policyDocument), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["admin-grant"]);
      expect(finding.title).toMatch(/Admin-equivalent/);
      expect(finding.reasons.join(" ")).toMatch(/Allow/);
    });

    it("names the offending statement by Sid", () => {
      const finding = findingOf(putUserPolicy(policyJson(READ_ONLY, { Sid: "Backdoor", ...ADMIN })), RULE);
      expect(finding.reasons.join(" ")).toContain('statement "Backdoor"');
    });

    it.each(["PutRolePolicy", "PutGroupPolicy", "CreatePolicyVersion"])("is critical for %s too", (eventName) => {
      const record = iamCall(eventName, {
        roleName: "app",
        groupName: "devs",
        policyName: "inline",
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/custom`,
        policyDocument: policyJson(ADMIN),
        setAsDefault: true,
      });
      expect(findingOf(record, RULE).severity).toBe("critical");
    });

    it.each(["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"])(
      "%s with AdministratorAccess is critical",
      (eventName) => {
        const record = iamCall(eventName, {
          userName: "bob",
          roleName: "app",
          groupName: "devs",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        });
        const finding = findingOf(record, RULE);
        expect(finding.severity).toBe("critical");
        expect(finding.signals).toEqual(["admin-grant"]);
        expect(finding.reasons.join(" ")).toContain("AdministratorAccess");
        expect(finding.target?.policyArn).toBe("arn:aws:iam::aws:policy/AdministratorAccess");
      },
    );

    it("AttachRolePolicy with IAMFullAccess is critical", () => {
      const record = iamCall("AttachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.target).toMatchObject({ kind: "role", name: "app" });
    });

    it("a customer policy named AdministratorAccess is not treated as the AWS one", () => {
      const record = iamCall("AttachUserPolicy", { userName: "bob", policyArn: `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` });
      expect(findingOf(record, RULE).severity).toBe("medium");
    });
  });

  describe("non-admin documents", () => {
    it("ec2:Describe* on * is medium with no actions", () => {
      const finding = findingOf(putUserPolicy(policyJson(READ_ONLY)), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.signals).toEqual([]);
      expect(finding.actions).toEqual([]);
      expect(finding.reasons).toContain("grants permissions that are not admin-equivalent");
    });

    it('s3:* on arn:aws:s3:::* is not admin', () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" })), RULE);
      expect(finding.severity).not.toBe("critical");
      expect(finding.signals).not.toContain("admin-grant");
      expect(finding.actions).toEqual([]);
    });

    it("Deny * on * is not admin", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Deny", Action: "*", Resource: "*" })), RULE);
      expect(finding.severity).not.toBe("critical");
      expect(finding.signals).not.toContain("admin-grant");
      expect(finding.actions).toEqual([]);
    });

    it("Allow * on a single bucket is not admin", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::my-bucket/*" })), RULE);
      expect(finding.severity).not.toBe("critical");
    });

    it("privilege-escalation actions on any resource are high", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*" })), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["escalation-grant"]);
      expect(finding.reasons.join(" ")).toContain("iam:PassRole");
      expect(finding.actions).toEqual([]);
    });

    it("attaching a broad managed policy (PowerUserAccess) is high, not critical", () => {
      const finding = findingOf(iamCall("AttachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" }), RULE);
      expect(finding.severity).toBe("high");
    });

    it("detaching a policy is low", () => {
      const record = iamCall("DetachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      expect(findingOf(record, RULE).severity).toBe("low");
    });
  });

  describe("containment policy and boundaries", () => {
    it.each(["TrailguardRevokeOlderSessions", "AWSRevokeOlderSessions"])("deleting inline policy %s is critical", (policyName) => {
      const record = iamCall("DeleteRolePolicy", { roleName: "app", policyName });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["revoke-policy-removed"]);
      expect(finding.reasons.join(" ")).toContain(policyName);
      expect(finding.technique.id).toBe("T1562");
    });

    it("deleting an ordinary inline policy is low", () => {
      const finding = findingOf(iamCall("DeleteUserPolicy", { userName: "bob", policyName: "scratch" }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual([]);
    });

    it.each(["DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary"])("%s is high", (eventName) => {
      const finding = findingOf(iamCall(eventName, { userName: "bob", roleName: "app" }), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["boundary-removed"]);
    });
  });

  describe("missing or broken documents", () => {
    it.each(["PutUserPolicy", "CreatePolicyVersion", "AttachRolePolicy"])("%s with requestParameters null is still a medium finding", (eventName) => {
      const finding = findingOf(iamCall(eventName, null), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons.join(" ")).toMatch(/not recorded/);
    });

    it.each<[string, unknown]>([
      ["not JSON", "{ this is not json"],
      ["no Statement", JSON.stringify({ Version: "2012-10-17" })],
      ["a number", 42],
      ["Effect missing", policyJson({ Action: "*", Resource: "*" })],
    ])("an unparseable document (%s) still yields a finding", (_label, policyDocument) => {
      const analysis = analyse(putUserPolicy(policyDocument));
      expect(analysis.kind).toBe("analysed");
      const finding = findingOf(putUserPolicy(policyDocument), RULE);
      expect(finding.reasons.length).toBeGreaterThan(0);
      expect(["medium", "high", "critical"]).toContain(finding.severity);
    });
  });

  describe("response to a critical admin grant", () => {
    /** contain-new-admin: bob, the user just granted admin, is quarantined after the actor. */
    const CONTAIN_BOB = [
      { type: "deactivate-user-keys", status: "planned", target: { kind: "user", account: ACCOUNT, userName: "bob" }, reason: expect.stringMatching(/contain the user the finding is about/) },
      { type: "attach-deny-policy", status: "planned", target: { kind: "user", account: ACCOUNT, userName: "bob" }, reason: expect.stringMatching(/contain the user the finding is about/) },
      { type: "revoke-sessions", status: "planned", target: { kind: "user", account: ACCOUNT, userName: "bob" }, reason: expect.stringMatching(/contain the user the finding is about/) },
    ];

    it("an assumed role is contained by revoking that role's sessions, and the new admin is contained", () => {
      const record = putUserPolicy(policyJson(ADMIN), { userIdentity: assumedRole("platform-admin", "sam") });
      const finding = findingOf(eventBridge(record), RULE);
      expect(finding.actions).toEqual([
        {
          type: "revoke-sessions",
          status: "planned",
          target: { kind: "role", account: ACCOUNT, roleName: "platform-admin" },
          reason: expect.stringMatching(/contain the actor/),
        },
        ...CONTAIN_BOB,
      ]);
    });

    it("an IAM user signing with an AKIA key gets that key deactivated, is quarantined and its sessions revoked; the new admin is contained", () => {
      const record = putUserPolicy(policyJson(ADMIN), { userIdentity: iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" }) });
      const finding = findingOf(record, RULE);
      const mallory = { kind: "user", account: ACCOUNT, userName: "mallory" };
      expect(finding.actions).toEqual([
        expect.objectContaining({
          type: "deactivate-access-key",
          status: "planned",
          target: { kind: "access-key", account: ACCOUNT, userName: "mallory", accessKeyId: "AKIAMALLORYKEY000001" },
        }),
        expect.objectContaining({ type: "deactivate-user-keys", status: "planned", target: mallory, reason: expect.stringMatching(/contain the actor/) }),
        expect.objectContaining({ type: "attach-deny-policy", status: "planned", target: mallory, reason: expect.stringMatching(/contain the actor/) }),
        expect.objectContaining({ type: "revoke-sessions", status: "planned", target: mallory, reason: expect.stringMatching(/contain the actor/) }),
        ...CONTAIN_BOB,
      ]);
    });

    it("an IAM user on a console session (ASIA key) is quarantined, but no key deactivation is planned for the session key", () => {
      const record = putUserPolicy(policyJson(ADMIN), { userIdentity: iamUser("mallory", { accessKeyId: "ASIAMALLORYSESSION01" }) });
      const finding = findingOf(record, RULE);
      expect(finding.actions.map((action) => [action.type, action.target.kind === "user" ? action.target.userName : action.target.kind])).toEqual([
        ["deactivate-user-keys", "mallory"],
        ["attach-deny-policy", "mallory"],
        ["revoke-sessions", "mallory"],
        ["deactivate-user-keys", "bob"],
        ["attach-deny-policy", "bob"],
        ["revoke-sessions", "bob"],
      ]);
      expect(finding.actions.every((action) => action.status === "planned")).toBe(true);
    });

    it("deleting the containment policy also contains the actor", () => {
      const record = iamCall("DeleteRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions" }, { userIdentity: assumedRole("ops", "x") });
      const finding = findingOf(record, RULE);
      expect(finding.actions).toEqual([expect.objectContaining({ type: "revoke-sessions", status: "planned" })]);
    });
  });

  describe("failed calls", () => {
    it("caps a failed admin grant at low and plans no containment", () => {
      const record = putUserPolicy(policyJson(ADMIN), { errorCode: "AccessDenied", errorMessage: "not authorized" });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons.join(" ")).toMatch(/capped at low/);
      expect(finding.actions).toEqual([]);
    });
  });

  it("is not fooled by an IAM event whose record has extra unknown fields", () => {
    const record = cloudTrailRecord({ eventName: "PutUserPolicy", requestParameters: { userName: "bob", policyName: "p", policyDocument: policyJson(ADMIN) }, tlsDetails: { tlsVersion: "TLSv1.3" } });
    expect(findingOf(record, RULE).severity).toBe("critical");
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
