import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, findingOf, findingsOf, iamCall } from "../../../../test/support/records.js";

const RULE = "permissions-boundary-change";

describe("permissions-boundary-change", () => {
  it.each(["DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary"])("%s is high", (eventName) => {
    const finding = findingOf(iamCall(eventName, { userName: "bob", roleName: "app" }), RULE);
    expect(finding.severity).toBe("high");
    expect(finding.signals).toEqual(["boundary-removed"]);
  });

  it("a boundary set to an admin-equivalent managed policy caps nothing: high, as good as removed", () => {
    const finding = findingOf(iamCall("PutRolePermissionsBoundary", { roleName: "app", permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess" }), RULE);
    expect(finding.severity).toBe("high");
    expect(finding.signals).toEqual(["boundary-removed"]);
    expect(finding.reasons.join(" ")).toMatch(/caps nothing/);
    expect(finding.target).toMatchObject({ kind: "role", name: "app", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
  });

  it("any other boundary is medium, with no signal", () => {
    const finding = findingOf(iamCall("PutUserPermissionsBoundary", { userName: "bob", permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/boundary` }), RULE);
    expect(finding.severity).toBe("medium");
    expect(finding.signals).toEqual([]);
    expect(finding.actions).toEqual([]);
  });

  it("ignores IAM Identity Center's permission-set boundaries (not IAM)", () => {
    const record = iamCall("DeletePermissionsBoundaryFromPermissionSet", { instanceArn: "arn:aws:sso:::instance/ssoins-1" }, { eventSource: "sso.amazonaws.com" });
    expect(findingsOf(analyse(record))).toEqual([]);
  });
});
