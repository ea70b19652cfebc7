import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, assumedRole, cloudTrailRecord, eventBridge, findingOf, findingsOf, iamCall, iamUser, policyJson } from "../../../../test/support/records.js";

const RULE = "policy-document-grant";

const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const READ_ONLY = { Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" };

function putUserPolicy(policyDocument: unknown, overrides: Record<string, unknown> = {}) {
  return iamCall("PutUserPolicy", { userName: "bob", policyName: "inline", policyDocument }, overrides);
}

describe("policy-document-grant", () => {
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
      // Spellings of "every IAM action", and grants that let the holder grant itself the rest.
      ['Allow "i*:*" on "*"', policyJson({ Effect: "Allow", Action: "i*:*", Resource: "*" })],
      ['Allow "I?M:*" on "*"', policyJson({ Effect: "Allow", Action: "I?M:*", Resource: "*" })],
      ['Allow "iam:Put*" on "*"', policyJson({ Effect: "Allow", Action: "iam:Put*", Resource: "*" })],
      ['Allow "iam:*Policy*" on "*"', policyJson({ Effect: "Allow", Action: "iam:*Policy*", Resource: "*" })],
      ["iam:AttachUserPolicy on every user", policyJson({ Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: "arn:aws:iam::*:user/*" })],
      ["iam:CreateAccessKey on every user", policyJson({ Effect: "Allow", Action: "iam:CreateAccessKey", Resource: `arn:aws:iam::${ACCOUNT}:user/*` })],
      ["iam:UpdateAssumeRolePolicy on every role", policyJson({ Effect: "Allow", Action: "iam:UpdateAssumeRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/*` })],
      ["iam:PassRole on * with ec2:RunInstances", policyJson({ Effect: "Allow", Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*" })],
      ["NotAction that leaves IAM writes", policyJson({ Effect: "Allow", NotAction: ["iam:Get*", "iam:List*"], Resource: "*" })],
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

    it("a new managed policy or a version not yet default says so", () => {
      const created = findingOf(iamCall("CreatePolicy", { policyName: "wide", policyDocument: policyJson(ADMIN) }), RULE);
      expect(created.severity).toBe("critical");
      expect(created.reasons).toContain("new managed policy is not attached to anyone yet");
      expect(created.target).toMatchObject({ kind: "policy", name: "wide" });
      const version = findingOf(iamCall("CreatePolicyVersion", { policyArn: `arn:aws:iam::${ACCOUNT}:policy/custom`, policyDocument: policyJson(ADMIN) }), RULE);
      expect(version.reasons).toContain("new version is not set as default yet");
    });
  });

  describe("non-admin documents", () => {
    it("ec2:Describe* on * is low (read-only metadata), says why, and plans nothing", () => {
      const finding = findingOf(putUserPolicy(policyJson(READ_ONLY)), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual([]);
      expect(finding.actions).toEqual([]);
      expect(finding.reasons).toEqual(["grants only read-only metadata actions (ec2:Describe*)"]);
      expect(finding.whyItMatters).toMatch(/read-only metadata actions or telemetry writes/);
      expect(finding.evidence?.policyDocument).toContain("ec2:Describe*");
    });

    it.each<[string, string, unknown, string[]]>([
      ["PutRolePolicy", "ec2:DescribeInstances", policyJson({ Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" }), ["grants only read-only metadata actions (ec2:DescribeInstances)"]],
      [
        "PutRolePolicy",
        "CloudWatch Logs writing",
        policyJson({ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"], Resource: "*" }),
        ["grants only read-only metadata actions (logs:DescribeLogGroups, logs:DescribeLogStreams) and telemetry writes (logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents)"],
      ],
      ["CreatePolicy", "ec2:DescribeInstances, not attached yet", policyJson({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }), ["grants only read-only metadata actions (ec2:DescribeInstances)", "new managed policy is not attached to anyone yet"]],
      ["PutUserPolicy", "iam:Get* and iam:List* (IAM returns no secret)", policyJson({ Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" }), ["grants only read-only metadata actions (iam:Get*, iam:List*)"]],
      ["PutGroupPolicy", "metrics and traces", policyJson({ Effect: "Allow", Action: ["cloudwatch:PutMetricData", "xray:PutTraceSegments"], Resource: "*" }), ["grants only telemetry writes (cloudwatch:PutMetricData, xray:PutTraceSegments)"]],
    ])("%s granting %s is low", (eventName, _label, policyDocument, reasons) => {
      const finding = findingOf(iamCall(eventName, { userName: "bob", roleName: "app", groupName: "devs", policyName: "p", policyDocument }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons).toEqual(reasons);
      expect(finding.actions).toEqual([]);
    });

    // What an attacker who knows the low rule would write: each reaches a secret, data or a write, so stays medium.
    it.each<[string, unknown]>([
      ["ec2:Get* (GetPasswordData)", policyJson({ Effect: "Allow", Action: "ec2:Get*", Resource: "*" })],
      ["secretsmanager:*", policyJson({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" })],
      ["s3:Get* (objects)", policyJson({ Effect: "Allow", Action: "s3:Get*", Resource: "*" })],
      ["ssm:GetParameter*", policyJson({ Effect: "Allow", Action: "ssm:GetParameter*", Resource: "*" })],
      ["*:Describe* (every service, reviewed or not)", policyJson({ Effect: "Allow", Action: "*:Describe*", Resource: "*" })],
      ["ec2:Describe* plus one write", policyJson({ Effect: "Allow", Action: ["ec2:Describe*", "ec2:StopInstances"], Resource: "*" })],
      ["ec2:Describe* plus a write in another statement", policyJson(READ_ONLY, { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" })],
      ["ec2:DescribeInstanceAttribute (user data, named)", policyJson({ Effect: "Allow", Action: "ec2:DescribeInstanceAttribute", Resource: "*" })],
      ["NotAction", policyJson({ Effect: "Allow", NotAction: ["ec2:Describe*"], Resource: "arn:aws:s3:::b/*" })],
      ["a mixed list: metadata and a data read", policyJson({ Effect: "Allow", Action: ["ec2:DescribeInstances", "dynamodb:GetItem"], Resource: "*" })],
      ["logs:Create* (export tasks)", policyJson({ Effect: "Allow", Action: "logs:Create*", Resource: "*" })],
      ["s3:GetObject under a condition (a condition does not narrow a grant)", policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })],
    ])("%s stays medium", (_label, policyDocument) => {
      const finding = findingOf(putUserPolicy(policyDocument), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons).toContain("grants permissions that are not admin-equivalent");
    });

    it.each<[string, unknown]>([
      ['Effect "allow" in lower case (IAM refuses it; trailguard cannot read it)', JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "allow", Action: "ec2:Describe*", Resource: "*" }] })],
      ["a document that does not parse", '{"Statement": [{"Effect": "Allow", "Action": "ec2:Describe*"'],
    ])("%s is high, never low", (_label, policyDocument) => {
      expect(findingOf(putUserPolicy(policyDocument), RULE).severity).toBe("high");
    });

    it("a narrow grant that failed is still low (the cap changes nothing)", () => {
      const finding = findingOf(putUserPolicy(policyJson(READ_ONLY), { errorCode: "AccessDenied", errorMessage: "no" }), RULE);
      expect(finding.severity).toBe("low");
    });

    it("s3:* on arn:aws:s3:::* is not admin", () => {
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

    it("iam:PassRole on any role without compute to pass it to is high (one step from admin)", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: ["iam:PassRole", "s3:*"], Resource: "*" })), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["escalation-grant"]);
      expect(finding.reasons.join(" ")).toContain("iam:PassRole");
      expect(finding.actions).toEqual([]);
    });

    it("self-granting actions on a broad resource are critical and named in the reasons", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: ["iam:CreateAccessKey", "iam:AttachUserPolicy"], Resource: "*" })), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["admin-grant"]);
      expect(finding.reasons.join(" ")).toMatch(/iam:AttachUserPolicy.*iam:CreateAccessKey|iam:CreateAccessKey.*iam:AttachUserPolicy/);
    });

    it("NotAction that excludes every IAM write is high and says what remains", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", NotAction: ["iam:*", "sts:*", "organizations:*"], Resource: "*" })), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual([]);
      expect(finding.reasons.join(" ")).toMatch(/excludes every IAM write action; what remains: no IAM action, no STS action, every action of other services/);
      expect(finding.actions).toEqual([]);
    });

    it.each<[string, unknown]>([
      [
        "iam:PassRole on one role, with lambda:CreateFunction",
        policyJson({ Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/lambda-exec` }, { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" }),
      ],
      ["iam:CreateAccessKey on the caller's own user", policyJson({ Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::*:user/${aws:username}" })],
      ['Allow "*" on NotResource "*" (grants nothing)', policyJson({ Effect: "Allow", Action: "*", NotResource: "*" })],
      ['Allow "*" on NotResource "arn:*" (no ARN left)', policyJson({ Effect: "Allow", Action: "*", NotResource: ["arn:*"] })],
    ])("%s is medium", (_label, policyDocument) => {
      const finding = findingOf(putUserPolicy(policyDocument), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.signals).toEqual([]);
      expect(finding.actions).toEqual([]);
    });

    it("an action that does not exist grants nothing: reported, not raised", () => {
      const finding = findingOf(putUserPolicy(policyJson({ Effect: "Allow", Action: ["iam:CreateAccesKey", "iam:AttachUserPolicies"], Resource: "*" })), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons).toContain('names actions that do not exist, which grant nothing: "iam:CreateAccesKey", "iam:AttachUserPolicies"');
    });
  });

  describe("missing or broken documents", () => {
    it.each(["PutUserPolicy", "CreatePolicyVersion"])("%s with requestParameters null is high: a whitespace-padded document is how an attacker keeps it unrecorded", (eventName) => {
      const finding = findingOf(iamCall(eventName, null), RULE);
      expect(finding.severity).toBe("high");
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

  describe("the revoke-sessions name is containment-policy-tampering's", () => {
    it.each(["PutUserPolicy", "PutRolePolicy"])("%s under a revoke-sessions name raises no finding of this rule", (eventName) => {
      for (const policyName of ["TrailguardRevokeOlderSessions", "AWSRevokeOlderSessions", "awsrevokeoldersessions"]) {
        const record = iamCall(eventName, { userName: "bob", roleName: "app", policyName, policyDocument: policyJson(ADMIN) });
        expect(findingsOf(analyse(record)).map((finding) => finding.ruleId), policyName).toEqual(["containment-policy-tampering"]);
      }
    });

    it("a group's inline policy under that name is judged as any document (containment never writes group policies)", () => {
      const finding = findingOf(iamCall("PutGroupPolicy", { groupName: "devs", policyName: "AWSRevokeOlderSessions", policyDocument: policyJson(ADMIN) }), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["admin-grant"]);
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

describe("self-granting actions on the grantee itself (the event names it)", () => {
  it.each<[string, string, Record<string, string>, string]>([
    ["PutUserPolicy to bob: iam:AttachUserPolicy on user/bob", "PutUserPolicy", { userName: "bob" }, `arn:aws:iam::${ACCOUNT}:user/bob`],
    ["PutUserPolicy to bob: iam:PutUserPolicy on user/${aws:username}", "PutUserPolicy", { userName: "bob" }, "arn:aws:iam::*:user/${aws:username}"],
    ["PutRolePolicy to app-deployer: iam:AttachRolePolicy on role/app-*", "PutRolePolicy", { roleName: "app-deployer" }, `arn:aws:iam::${ACCOUNT}:role/app-*`],
    ["PutGroupPolicy to devs: iam:AttachGroupPolicy on group/devs", "PutGroupPolicy", { groupName: "devs" }, `arn:aws:iam::${ACCOUNT}:group/devs`],
  ])("%s is admin-equivalent", (_name, eventName, who, resource) => {
    const action = eventName === "PutUserPolicy" ? (resource.includes("username") ? "iam:PutUserPolicy" : "iam:AttachUserPolicy") : eventName === "PutRolePolicy" ? "iam:AttachRolePolicy" : "iam:AttachGroupPolicy";
    const finding = findingOf(iamCall(eventName, { ...who, policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: action, Resource: resource }) }), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(["admin-grant"]);
  });

  it("a key or password for oneself, or a policy on someone else, is not", () => {
    const own = findingOf(iamCall("PutUserPolicy", { userName: "bob", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::*:user/${aws:username}" }) }), RULE);
    expect(own.severity).toBe("medium");
    const other = findingOf(iamCall("PutUserPolicy", { userName: "bob", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: `arn:aws:iam::${ACCOUNT}:user/alice` }) }), RULE);
    expect(other.severity).toBe("medium");
  });
});

describe("iam:PassRole on every role with compute of any kind", () => {
  it.each(["states:CreateStateMachine", "scheduler:CreateSchedule", "batch:RegisterJobDefinition", "elasticmapreduce:RunJobFlow", "events:PutTargets", "codepipeline:CreatePipeline"])("with %s is admin-equivalent", (compute) => {
    const finding = findingOf(iamCall("PutUserPolicy", { userName: "ci", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: ["iam:PassRole", compute], Resource: "*" }) }), RULE);
    expect(finding.severity).toBe("critical");
  });
});
