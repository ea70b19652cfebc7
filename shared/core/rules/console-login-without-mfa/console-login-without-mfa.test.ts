import { describe, expect, it } from "vitest";
import { assumedRole, cloudTrailRecord, eventBridge, findingsOf, analyse, iamUser, root } from "../../../../test/support/records.js";

const RULE = "console-login-without-mfa";

function signIn(userIdentity: unknown, mfaUsed: string | undefined, outcome: "Success" | "Failure" = "Success") {
  return eventBridge(
    cloudTrailRecord({
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      userIdentity,
      responseElements: { ConsoleLogin: outcome },
      ...(outcome === "Failure" ? { errorMessage: "Failed authentication" } : {}),
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", ...(mfaUsed === undefined ? {} : { MFAUsed: mfaUsed }) },
    }),
    "AWS Console Sign In via CloudTrail",
  );
}
const raised = (input: unknown) => findingsOf(analyse(input)).filter((finding) => finding.ruleId === RULE);

describe("console-login-without-mfa (CIS CloudWatch.3 for IAM users)", () => {
  it("an IAM user's successful sign-in without MFA is medium, names the user, and contains nobody", () => {
    const [finding, ...rest] = raised(signIn(iamUser("bob"), "No"));
    expect(rest).toEqual([]);
    expect(finding?.severity).toBe("medium");
    expect(finding?.target).toMatchObject({ kind: "user", name: "bob" });
    expect(finding?.signals).toEqual(["no-mfa-sign-in"]);
    expect(finding?.actions).toEqual([]);
  });

  it.each([
    ["with MFA", signIn(iamUser("bob"), "Yes")],
    ["MFA use not recorded", signIn(iamUser("bob"), undefined)],
    ["a failed sign-in (CIS .6's, counted elsewhere)", signIn(iamUser("bob"), "No", "Failure")],
    ["Identity Center or SAML through an assumed role (MFA is the identity provider's)", signIn(assumedRole("AWSReservedSSO_Admin_0123456789abcdef", "alice@example.com"), "No")],
    ["a SAML user", signIn({ type: "SAMLUser", principalId: "x", userName: "alice" }, "No")],
  ])("%s raises nothing", (_what, input) => {
    expect(raised(input)).toEqual([]);
  });

  it("root is root-console-login's alone: one finding, not two", () => {
    const ruleIds = findingsOf(analyse(signIn(root(), "No"))).map((finding) => finding.ruleId);
    expect(ruleIds).toEqual(["root-console-login"]);
  });

  it("the same event name from another source is not a sign-in", () => {
    const forged = cloudTrailRecord({ eventSource: "iam.amazonaws.com", eventName: "ConsoleLogin", userIdentity: iamUser("bob"), additionalEventData: { MFAUsed: "No" } });
    expect(raised(forged)).toEqual([]);
  });
});
