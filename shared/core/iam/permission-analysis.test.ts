import { describe, expect, it } from "vitest";
import { IAM_READ_ACTIONS, IAM_WRITE_ACTIONS } from "./iam-actions.generated.js";
import { analysePermissions, classifyManagedPolicyArn } from "./permission-analysis.js";
import { parsePolicyDocument } from "./policy-document.js";

function verdict(...statements: Record<string, unknown>[]) {
  const result = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
  if (!result.ok) throw new Error(result.reason);
  return analysePermissions(result.document);
}

const ACCOUNT = "111122223333";

describe("analysePermissions", () => {
  describe("an attacker cannot spell around it", () => {
    /** One prefix per first letter of every real IAM action: together they are iam:*. */
    const EVERY_IAM_BY_LETTER = [...new Set([...IAM_WRITE_ACTIONS, ...IAM_READ_ACTIONS].map((name) => `iam:${name[0]}*`))];

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['"i*:*" on "*"', { Effect: "Allow", Action: "i*:*", Resource: "*" }, /every IAM action/],
      ['"I?M:*" on "*"', { Effect: "Allow", Action: "I?M:*", Resource: "*" }, /every IAM action/],
      ['"*a*:*" on "*" (iam has an a)', { Effect: "Allow", Action: "*a*:*", Resource: "*" }, /every IAM action/],
      ['"?*:*" on "*"', { Effect: "Allow", Action: "?*:*", Resource: "*" }, /every IAM action/],
      ['"**" on "*"', { Effect: "Allow", Action: "**", Resource: "*" }, /Allow "\*\*"/],
      ['"iam:*" on "arn:aws:iam::*:*"', { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::*:*" }, /every IAM action/],
      ["iam:<letter>* for every letter, together", { Effect: "Allow", Action: EVERY_IAM_BY_LETTER, Resource: "*" }, /together/],
      ['"iam:Put*" on "*"', { Effect: "Allow", Action: "iam:Put*", Resource: "*" }, /iam:PutUserPolicy/],
      ['"iam:*Policy*" on "*"', { Effect: "Allow", Action: "iam:*Policy*", Resource: "*" }, /iam:AttachUserPolicy/],
      ['"IAM:attachuserPOLICY" on "*"', { Effect: "Allow", Action: "IAM:attachuserPOLICY", Resource: "*" }, /iam:AttachUserPolicy/],
      ["iam:AttachUserPolicy on every user of any account", { Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: "arn:aws:iam::*:user/*" }, /iam:AttachUserPolicy/],
      ["iam:AttachRolePolicy on every role", { Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/*` }, /iam:AttachRolePolicy/],
      ["iam:PutGroupPolicy on every group", { Effect: "Allow", Action: "iam:PutGroupPolicy", Resource: `arn:aws:iam::${ACCOUNT}:group/*` }, /iam:PutGroupPolicy/],
      ["iam:CreatePolicyVersion on every policy", { Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: `arn:aws:iam::${ACCOUNT}:policy/*` }, /iam:CreatePolicyVersion/],
      ["iam:SetDefaultPolicyVersion on *", { Effect: "Allow", Action: "iam:SetDefaultPolicyVersion", Resource: "*" }, /iam:SetDefaultPolicyVersion/],
      ["iam:CreateAccessKey on every user", { Effect: "Allow", Action: "iam:CreateAccessKey", Resource: `arn:aws:iam::${ACCOUNT}:user/*` }, /iam:CreateAccessKey/],
      ["iam:CreateLoginProfile on user/?* (a ? instead of a *)", { Effect: "Allow", Action: "iam:CreateLoginProfile", Resource: `arn:aws:iam::${ACCOUNT}:user/?*` }, /iam:CreateLoginProfile/],
      ["iam:UpdateLoginProfile on every IAM entity", { Effect: "Allow", Action: "iam:UpdateLoginProfile", Resource: `arn:aws:iam::${ACCOUNT}:*` }, /iam:UpdateLoginProfile/],
      ["iam:UpdateAssumeRolePolicy on every role", { Effect: "Allow", Action: "iam:UpdateAssumeRolePolicy", Resource: "arn:aws:iam::*:role/*" }, /iam:UpdateAssumeRolePolicy/],
      ["iam:AddUserToGroup on *", { Effect: "Allow", Action: "iam:AddUserToGroup", Resource: "*" }, /iam:AddUserToGroup/],
      ["iam:DeleteUserPermissionsBoundary on *", { Effect: "Allow", Action: "iam:DeleteUserPermissionsBoundary", Resource: "*" }, /iam:DeleteUserPermissionsBoundary/],
      ["iam:DeleteRolePermissionsBoundary on arn:aws:*:*:*:*", { Effect: "Allow", Action: "iam:DeleteRolePermissionsBoundary", Resource: "arn:aws:*:*:*:*" }, /iam:DeleteRolePermissionsBoundary/],
      ["iam:AttachUserPolicy on every user of the caller's account (policy variable)", { Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: "arn:aws:iam::${aws:PrincipalAccount}:user/*" }, /iam:AttachUserPolicy/],
      ["iam:PassRole on * with lambda:CreateFunction", { Effect: "Allow", Action: ["iam:PassRole", "lambda:CreateFunction"], Resource: "*" }, /lambda:CreateFunction/],
      ["iam:Pass* on every role with lambda:*", { Effect: "Allow", Action: ["iam:Pass*", "lambda:*"], Resource: "arn:aws:iam::*:role/*" }, /iam:PassRole/],
      ["NotAction that leaves IAM writes on *", { Effect: "Allow", NotAction: ["iam:Get*", "iam:List*"], Resource: "*" }, /iam:AttachUserPolicy/],
      ["iam:AttachUserPolicy on NotResource that excludes one user", { Effect: "Allow", Action: "iam:AttachUserPolicy", NotResource: `arn:aws:iam::${ACCOUNT}:user/admin` }, /iam:AttachUserPolicy/],
    ])("%s is admin-equivalent", (_label, statement, reason) => {
      const result = verdict(statement);
      expect(result.adminEquivalent).toBe(true);
      expect(result.adminReasons).toHaveLength(1);
      expect(result.adminReasons[0]).toMatch(/^statement 1: Allow/);
      expect(result.adminReasons[0]).toMatch(reason);
    });

    it("iam:PassRole on every role in one statement and ec2:RunInstances in another are admin-equivalent together", () => {
      const result = verdict(
        { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/*` },
        { Sid: "Run", Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" },
      );
      expect(result.adminEquivalent).toBe(true);
      expect(result.adminReasons).toEqual([expect.stringMatching(/^statement "Pass": .*iam:PassRole.*ec2:RunInstances.*statement "Run"/)]);
      expect(result.escalationActions).toEqual(["iam:PassRole"]);
    });

    it("lists every self-granting action in the reason", () => {
      const [reason] = verdict({ Effect: "Allow", Action: ["iam:CreateAccessKey", "iam:AttachUserPolicy", "s3:GetObject"], Resource: "*" }).adminReasons;
      expect(reason).toContain("iam:AttachUserPolicy");
      expect(reason).toContain("iam:CreateAccessKey");
    });

    it("a pattern that matches no real action grants nothing and is reported as unknown", () => {
      const result = verdict({ Effect: "Allow", Action: ["iam:CreateAccesKey", "iam:Attach*:*", "sts:AssumeRol", "iam", "s3:GetObject"], Resource: "*" });
      expect(result.adminEquivalent).toBe(false);
      expect(result.escalationActions).toEqual([]);
      expect(result.unknownActions).toEqual(["iam:CreateAccesKey", "iam:Attach*:*", "sts:AssumeRol", "iam"]);
    });

    it("stays fast on a 100 KB document of hostile wildcard patterns", () => {
      const patterns: string[] = [];
      for (let i = 0, size = 0; size < 100_000; i++) {
        const pattern = `iam:*${"a*".repeat(8)}${String.fromCharCode(97 + (i % 26))}${i}*q`;
        patterns.push(pattern);
        size += pattern.length + 3;
      }
      const resources = ["${".repeat(50_000), `arn:aws:iam::${ACCOUNT}:${"*a".repeat(50_000)}`, ...patterns.map((pattern) => `arn:aws:iam::${ACCOUNT}:user/${pattern}`)];
      const started = performance.now();
      const result = verdict(
        { Effect: "Allow", Action: patterns, Resource: "*" },
        { Effect: "Allow", NotAction: patterns, Resource: "*" },
        { Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: resources },
      );
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(result.adminReasons).toHaveLength(1);
    });
  });

  describe("benign look-alikes", () => {
    it.each<[string, Record<string, unknown>[]]>([
      ["iam:Get* and iam:List* on *", [{ Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" }]],
      ["iam:PassRole on one role with lambda:CreateFunction", [{ Effect: "Allow", Action: ["iam:PassRole", "lambda:CreateFunction"], Resource: `arn:aws:iam::${ACCOUNT}:role/lambda-exec` }, { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" }]],
      ["iam:CreateAccessKey on the caller's own user", [{ Effect: "Allow", Action: ["iam:CreateAccessKey", "iam:UpdateLoginProfile"], Resource: "arn:aws:iam::*:user/${aws:username}" }]],
      ["iam:AttachRolePolicy on roles under one prefix", [{ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/app-*` }]],
      ["iam:AttachUserPolicy on every role (not a user)", [{ Effect: "Allow", Action: "iam:AttachUserPolicy", Resource: `arn:aws:iam::${ACCOUNT}:role/*` }]],
      ['"*" on NotResource "*" (excludes everything)', [{ Effect: "Allow", Action: "*", NotResource: "*" }]],
      ['"*" on NotResource ["arn:*"] (excludes every ARN)', [{ Effect: "Allow", Action: "*", NotResource: ["arn:aws:s3:::logs/*", "arn:*"] }]],
      ["PassRole and compute on NotResource *", [{ Effect: "Allow", Action: ["iam:PassRole", "ec2:RunInstances", "iam:AttachUserPolicy"], NotResource: ["*"] }]],
    ])("%s is not admin-equivalent", (_label, statements) => {
      const result = verdict(...statements);
      expect(result.adminEquivalent).toBe(false);
      expect(result.adminReasons).toEqual([]);
      expect(result.escalationActions).toEqual([]);
    });

    it("NotResource that names a pattern matching only some ARNs stays broad", () => {
      expect(verdict({ Effect: "Allow", Action: "*", NotResource: ["arn:*:*:*:*:*:*"] }).adminEquivalent).toBe(true);
      expect(verdict({ Effect: "Allow", Action: "*", NotResource: ["ARN:*"] }).adminEquivalent).toBe(true);
      expect(verdict({ Effect: "Allow", Action: "*", NotResource: ["arn::*"] }).adminEquivalent).toBe(true);
    });

    it("iam:PassRole on * without compute is escalation, not admin", () => {
      const result = verdict({ Effect: "Allow", Action: ["iam:PassRole", "s3:*"], Resource: "*" });
      expect(result.adminEquivalent).toBe(false);
      expect(result.escalationActions).toEqual(["iam:PassRole"]);
    });

    it("NotAction that excludes every IAM write is broad, not admin, and says what remains", () => {
      const result = verdict({ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" });
      expect(result.adminEquivalent).toBe(false);
      expect(result.broadReasons).toEqual([expect.stringMatching(/^statement 1: Allow NotAction \["iam:\*"\] on "\*".*every IAM write action.*sts:AssumeRole/)]);
      expect(result.escalationActions).toEqual(["sts:AssumeRole"]);
    });

    it("NotAction that excludes everything grants nothing", () => {
      const result = verdict({ Effect: "Allow", NotAction: ["*:*"], Resource: "*" });
      expect(result.adminEquivalent).toBe(false);
      expect(result.broadReasons).toEqual([]);
      expect(result.escalationActions).toEqual([]);
    });
  });

  describe("admin-equivalent", () => {
    it.each<[string, Record<string, unknown>]>([
      ['Allow "*" on "*"', { Effect: "Allow", Action: "*", Resource: "*" }],
      ['Allow "*:*" on "*"', { Effect: "Allow", Action: "*:*", Resource: "*" }],
      ['Allow "iam:*" on "*"', { Effect: "Allow", Action: "iam:*", Resource: "*" }],
      ['Allow "IAM:*" on "*"', { Effect: "Allow", Action: "IAM:*", Resource: "*" }],
      ['Allow ["s3:GetObject", "*"] on ["*"]', { Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] }],
      ["Allow NotAction on *", { Effect: "Allow", NotAction: ["iam:DeleteUser"], Resource: "*" }],
      ['Allow "*" on NotResource', { Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::logs/*" }],
      ['Allow "*" on arn:aws:*:*:*:*', { Effect: "Allow", Action: "*", Resource: "arn:aws:*:*:*:*" }],
      ['Allow "iam:*" on arn:aws:iam::111122223333:*', { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::111122223333:*" }],
      ['Allow "*" on "arn:*"', { Effect: "Allow", Action: "*", Resource: "arn:*" }],
    ])("%s", (_label, statement) => {
      const result = verdict(statement);
      expect(result.adminEquivalent).toBe(true);
      expect(result.adminReasons).toHaveLength(1);
      expect(result.adminReasons[0]).toMatch(/^statement 1: Allow/);
    });

    it("labels reasons by Sid when present, one per offending statement", () => {
      const result = verdict({ Sid: "One", Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Allow", Action: "iam:*", Resource: "*" });
      expect(result.adminReasons).toEqual([expect.stringMatching(/^statement "One"/), expect.stringMatching(/^statement 2/)]);
    });

    it("reports conditions on an admin grant without lowering the verdict", () => {
      const result = verdict({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
      expect(result.adminEquivalent).toBe(true);
      expect(result.conditional).toBe(true);
    });
  });

  describe("not admin-equivalent", () => {
    it.each<[string, Record<string, unknown>]>([
      ["s3:* on arn:aws:s3:::*", { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" }],
      ["s3:* on *", { Effect: "Allow", Action: "s3:*", Resource: "*" }],
      ["ec2:Describe* on *", { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }],
      ["Deny * on *", { Effect: "Deny", Action: "*", Resource: "*" }],
      ["Deny NotAction on *", { Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }],
      ["* on one bucket", { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket/*" }],
      ["iam:* on one role", { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::111122223333:role/app" }],
      ["iam:Get* on *", { Effect: "Allow", Action: "iam:Get*", Resource: "*" }],
    ])("%s", (_label, statement) => {
      const result = verdict(statement);
      expect(result.adminEquivalent).toBe(false);
      expect(result.adminReasons).toEqual([]);
      expect(result.conditional).toBe(false);
    });
  });

  describe("escalation actions", () => {
    it("lists escalation actions granted on any resource (self-granting ones make the document admin-equivalent)", () => {
      const result = verdict({ Effect: "Allow", Action: ["iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole"], Resource: "*" });
      expect(result.adminEquivalent).toBe(true);
      expect([...result.escalationActions].sort()).toEqual(["iam:CreateAccessKey", "iam:PassRole", "sts:AssumeRole"]);
      const steppingStones = verdict({ Effect: "Allow", Action: ["iam:PassRole", "sts:AssumeRole", "s3:GetObject"], Resource: "*" });
      expect(steppingStones.adminEquivalent).toBe(false);
      expect([...steppingStones.escalationActions].sort()).toEqual(["iam:PassRole", "sts:AssumeRole"]);
    });

    it("expands wildcards (iam:Attach*) case-insensitively", () => {
      const result = verdict({ Effect: "Allow", Action: "IAM:attach*", Resource: "*" });
      expect([...result.escalationActions].sort()).toEqual(["iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy"]);
    });

    it("ignores escalation actions scoped to a specific resource", () => {
      expect(verdict({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/app" }).escalationActions).toEqual([]);
    });

    it("ignores denied escalation actions", () => {
      expect(verdict({ Effect: "Deny", Action: "iam:*", Resource: "*" }).escalationActions).toEqual([]);
    });

    it("NotAction that excludes IAM does not grant IAM escalation", () => {
      const result = verdict({ Effect: "Allow", NotAction: ["iam:*", "sts:*"], Resource: "*" });
      expect(result.escalationActions).toEqual([]);
    });
  });
});

describe("classifyManagedPolicyArn", () => {
  it.each<[string, string]>([
    ["arn:aws:iam::aws:policy/AdministratorAccess", "admin"],
    ["arn:aws:iam::aws:policy/IAMFullAccess", "admin"],
    ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "admin"],
    ["arn:aws:iam::aws:policy/PowerUserAccess", "broad"],
    ["arn:aws:iam::aws:policy/job-function/SystemAdministrator", "broad"],
    ["arn:aws:iam::aws:policy/ReadOnlyAccess", "other"],
    // Another case rates as the policy it spells: the higher severity when in doubt.
    ["arn:aws:iam::aws:policy/administratoraccess", "admin"],
    ["arn:aws:iam::aws:policy/POWERUSERACCESS", "broad"],
    ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "other"],
    ["arn:aws:iam::111122223333:policy/AdministratorAccess", "other"],
    ["AdministratorAccess", "other"],
  ])("%s is %s", (arn, expected) => {
    expect(classifyManagedPolicyArn(arn)).toBe(expected);
  });
});
