import { describe, expect, it } from "vitest";
import { assumedRole, findingOf, iamCall, iamUser, root, ruleIds } from "../../../../test/support/records.js";

const RULE = "credential-for-other-user";

describe("credential-for-other-user", () => {
  it.each(["CreateLoginProfile", "UpdateLoginProfile", "UploadSSHPublicKey", "CreateServiceSpecificCredential", "UploadSigningCertificate"])(
    "%s for another user by an IAM user is high, alert only",
    (eventName) => {
      const finding = findingOf(iamCall(eventName, { userName: "bob" }, { userIdentity: iamUser("mallory") }), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["credential-for-other-user"]);
      expect(finding.target).toMatchObject({ kind: "user", userName: "bob" });
      expect(finding.actions).toEqual([]);
    },
  );

  it("a console password made by a role session for any user is high", () => {
    expect(findingOf(iamCall("CreateLoginProfile", { userName: "admin", passwordResetRequired: false }, { userIdentity: assumedRole("ci", "x") }), RULE).severity).toBe("high");
  });

  it("the root user making one for a user is high (and root activity says the rest)", () => {
    const record = iamCall("CreateLoginProfile", { userName: "admin" }, { userIdentity: root() });
    expect(findingOf(record, RULE).severity).toBe("high");
    expect(ruleIds(record)).toContain("root-activity");
  });

  it.each([
    ["the user itself, named", { userName: "Alice" }],
    ["the user itself, unnamed (the caller's own)", {}],
  ])("for %s it is low", (_label, parameters) => {
    const finding = findingOf(iamCall("UploadSSHPublicKey", parameters, { userIdentity: iamUser("alice") }), RULE);
    expect(finding.severity).toBe("low");
    expect(finding.signals).toEqual(["credential-for-self"]);
  });

  it("a path in the caller's ARN does not make its own user someone else (names are compared)", () => {
    expect(findingOf(iamCall("UpdateLoginProfile", { userName: "alice" }, { userIdentity: iamUser("alice", { path: "team/" }) }), RULE).severity).toBe("low");
  });

  it("a failed attempt is at most low and never acted on", () => {
    const finding = findingOf(iamCall("CreateLoginProfile", { userName: "bob" }, { userIdentity: iamUser("mallory"), errorCode: "AccessDenied" }), RULE);
    expect(finding.severity).toBe("low");
    expect(finding.actions).toEqual([]);
  });

  it("deleting a login profile or reading one raises nothing here", () => {
    expect(ruleIds(iamCall("DeleteLoginProfile", { userName: "bob" }, { userIdentity: iamUser("mallory") }))).toEqual([]);
    expect(ruleIds(iamCall("GetLoginProfile", { userName: "bob" }, { userIdentity: iamUser("mallory"), readOnly: true }))).toEqual([]);
  });
});
