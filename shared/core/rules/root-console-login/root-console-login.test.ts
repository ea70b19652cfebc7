import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, cloudTrailRecord, eventBridge, findingOf, findingsOf, iamUser, root, ruleIds } from "../../../../test/support/records.js";

function consoleLogin(overrides: Record<string, unknown> = {}) {
  return cloudTrailRecord({
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    eventType: "AwsConsoleSignIn",
    userIdentity: root(),
    responseElements: { ConsoleLogin: "Success" },
    additionalEventData: { LoginTo: "https://console.aws.amazon.com/", MobileVersion: "No", MFAUsed: "No" },
    readOnly: false,
    ...overrides,
  });
}

const SIGN_IN = "AWS Console Sign In via CloudTrail";

describe("root-console-login", () => {
  it("raises a critical finding for a successful root sign-in without MFA", () => {
    const finding = findingOf(eventBridge(consoleLogin(), SIGN_IN), "root-console-login");
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(expect.arrayContaining(["root-signin", "no-mfa"]));
    expect(finding.reasons).toContain("successful root sign-in");
    expect(finding.reasons).toContain("no MFA was used");
    expect(finding.title).toMatch(/without MFA/);
    expect(finding.target).toEqual({ kind: "account", name: ACCOUNT });
    expect(finding.category).toBe("root-activity");
  });

  it("raises a high finding for a successful root sign-in with MFA", () => {
    const record = consoleLogin({ additionalEventData: { MFAUsed: "Yes" } });
    const finding = findingOf(eventBridge(record, SIGN_IN), "root-console-login");
    expect(finding.severity).toBe("high");
    expect(finding.signals).toEqual(["root-signin"]);
    expect(finding.signals).not.toContain("no-mfa");
    expect(finding.reasons).toContain("MFA was used");
  });

  it("treats a sign-in whose MFA use is not recorded as unprotected (critical)", () => {
    const finding = findingOf(consoleLogin({ additionalEventData: undefined }), "root-console-login");
    expect(finding.severity).toBe("critical");
    expect(finding.reasons.join(" ")).toMatch(/MFA use not recorded/);
  });

  it("raises a medium finding for a failed root sign-in, with the error message", () => {
    const record = consoleLogin({
      responseElements: { ConsoleLogin: "Failure" },
      errorMessage: "Failed authentication",
    });
    const finding = findingOf(eventBridge(record, SIGN_IN), "root-console-login");
    expect(finding.severity).toBe("medium");
    expect(finding.event.failed).toBe(true);
    expect(finding.title).toMatch(/Failed root/);
    expect(finding.summary).toContain("Failed authentication");
    expect(finding.signals).toEqual(["root-signin"]);
    expect(finding.actions).toEqual([]);
  });

  it("treats responseElements.ConsoleLogin Failure alone as a failed sign-in (medium)", () => {
    const finding = findingOf(consoleLogin({ responseElements: { ConsoleLogin: "Failure" } }), "root-console-login");
    expect(finding.severity).toBe("medium");
  });

  it("never plans an automatic response to a root sign-in", () => {
    expect(findingOf(consoleLogin(), "root-console-login").actions).toEqual([]);
  });

  it("is not double-reported by root-activity", () => {
    expect(ruleIds(consoleLogin())).toEqual(["root-console-login"]);
  });

  it("ignores console sign-ins by IAM users (without MFA, console-login-without-mfa's)", () => {
    const record = consoleLogin({ userIdentity: iamUser("alice", { accessKeyId: "" }) });
    expect(findingsOf(analyse(eventBridge(record, SIGN_IN))).filter((finding) => finding.ruleId === "root-console-login")).toEqual([]);
  });

  it("ignores a failed console sign-in by an IAM user", () => {
    const record = consoleLogin({ userIdentity: iamUser("alice"), responseElements: { ConsoleLogin: "Failure" } });
    expect(findingsOf(analyse(record))).toEqual([]);
  });

  it("ignores root events from other sign-in event names", () => {
    const record = consoleLogin({ eventName: "CheckMfa", responseElements: { CheckMfa: "Success" } });
    expect(ruleIds(record)).not.toContain("root-console-login");
  });
});
