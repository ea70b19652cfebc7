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

  describe("known narrow AWS managed policies are low, by their exact ARN", () => {
    it.each<[string, string, string]>([
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaBasicExecutionRole: a Lambda function's log writing"],
      ["AttachUserPolicy", "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", "AWSXrayWriteOnlyAccess: X-Ray trace uploads and sampling reads"],
      ["AttachRolePolicy", "arn:aws-us-gov:iam::aws:policy/AWSXRayDaemonWriteAccess", "AWSXRayDaemonWriteAccess: the X-Ray daemon's trace uploads and sampling reads"],
    ])("%s %s", (eventName, policyArn, reason) => {
      const finding = findingOf(iamCall(eventName, { userName: "bob", roleName: "app", policyArn }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons.join(" ")).toContain(reason);
      expect(finding.signals).toEqual([]);
      expect(finding.actions).toEqual([]);
    });

    it.each<[string, string, RegExp]>([
      // The SSM agent's policy: every SSM parameter readable by whoever holds it; on a role too,
      // since the event does not show whether a person can assume the role.
      ["AttachUserPolicy", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", /meant for an instance's role: it reads every SSM parameter/],
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", /a role someone can assume/],
      ["AttachGroupPolicy", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", /meant for an instance's role/],
      // A customer policy of the same name could grant anything: judged by its document (not read here).
      ["AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:policy/AmazonSSMManagedInstanceCore`, /its document was not read/],
      // Not AWS's spelling, not AWS's path: not vouched for.
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/amazonssmmanagedinstancecore", /its document was not read/],
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole", /its document was not read/],
      // Left out on purpose: logs:PutRetentionPolicy on every log group.
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", /its document was not read/],
      ["AttachRolePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess", /its document was not read/],
    ])("%s %s stays medium", (eventName, policyArn, reason) => {
      const finding = findingOf(iamCall(eventName, { userName: "bob", roleName: "app", groupName: "devs", policyArn }), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons.join(" ")).toMatch(reason);
    });

    it("AdministratorAccess spelled in another case is still critical", () => {
      expect(findingOf(iamCall("AttachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/administratoraccess" }), RULE).severity).toBe("critical");
    });
  });

  it("detaching is not this rule's", () => {
    const record = iamCall("DetachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    expect(findingsOf(analyse(record)).map((finding) => finding.ruleId)).toEqual(["policy-permissions-removed"]);
  });
});
