import { describe, expect, it } from "vitest";
import { analysePermissions, classifyManagedPolicyArn } from "./permission-analysis.js";
import { parsePolicyDocument } from "./policy-document.js";

function verdict(...statements: Record<string, unknown>[]) {
  const result = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
  if (!result.ok) throw new Error(result.reason);
  return analysePermissions(result.document);
}

describe("analysePermissions", () => {
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
    it("lists escalation actions granted on any resource", () => {
      const result = verdict({ Effect: "Allow", Action: ["iam:PassRole", "iam:CreateAccessKey", "ec2:RunInstances"], Resource: "*" });
      expect(result.adminEquivalent).toBe(false);
      expect([...result.escalationActions].sort()).toEqual(["iam:CreateAccessKey", "iam:PassRole"]);
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
    ["arn:aws:iam::111122223333:policy/AdministratorAccess", "other"],
    ["AdministratorAccess", "other"],
  ])("%s is %s", (arn, expected) => {
    expect(classifyManagedPolicyArn(arn)).toBe(expected);
  });
});
