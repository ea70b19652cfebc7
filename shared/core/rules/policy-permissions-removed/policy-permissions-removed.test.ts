import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, findingOf, findingsOf, iamCall } from "../../../../test/support/records.js";

const RULE = "policy-permissions-removed";

describe("policy-permissions-removed", () => {
  it("detaching a policy is low", () => {
    const record = iamCall("DetachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    expect(findingOf(record, RULE).severity).toBe("low");
  });

  it("deleting an ordinary inline policy is low", () => {
    const finding = findingOf(iamCall("DeleteUserPolicy", { userName: "bob", policyName: "scratch" }), RULE);
    expect(finding.severity).toBe("low");
    expect(finding.signals).toEqual([]);
  });

  it.each(["DeletePolicy", "DeletePolicyVersion"])("%s of a managed policy is low, on the policy", (eventName) => {
    const finding = findingOf(iamCall(eventName, { policyArn: `arn:aws:iam::${ACCOUNT}:policy/custom`, versionId: "v2" }), RULE);
    expect(finding.severity).toBe("low");
    expect(finding.reasons).toEqual(["permissions removed"]);
    expect(finding.target).toMatchObject({ kind: "policy", policyArn: `arn:aws:iam::${ACCOUNT}:policy/custom` });
  });

  it("deleting the revoke-sessions policy is not a routine removal: containment-policy-tampering raises it instead", () => {
    const record = iamCall("DeleteRolePolicy", { roleName: "app", policyName: "AWSRevokeOlderSessions" });
    expect(findingsOf(analyse(record)).map((finding) => finding.ruleId)).toEqual(["containment-policy-tampering"]);
  });
});
