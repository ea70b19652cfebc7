import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, findingOf, findingsOf, iamCall } from "../../../../test/support/records.js";

const RULE = "managed-policy-attached";

describe("managed-policy-attached", () => {
  it.each(["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"])("%s with AdministratorAccess is critical", (eventName) => {
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
  });

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

  it("attaching a broad managed policy (PowerUserAccess) is high, not critical", () => {
    const finding = findingOf(iamCall("AttachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" }), RULE);
    expect(finding.severity).toBe("high");
  });

  it("AttachRolePolicy with requestParameters null is still a medium finding", () => {
    const finding = findingOf(iamCall("AttachRolePolicy", null), RULE);
    expect(finding.severity).toBe("medium");
    expect(finding.reasons.join(" ")).toMatch(/not recorded/);
  });

  it("detaching is not this rule's", () => {
    const record = iamCall("DetachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    expect(findingsOf(analyse(record)).map((finding) => finding.ruleId)).toEqual(["policy-permissions-removed"]);
  });
});
