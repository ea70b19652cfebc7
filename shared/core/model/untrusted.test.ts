import { describe, expect, it } from "vitest";
import { buildAlertMessage } from "../report/alert-message.js";
import { alertOf } from "../../../test/support/alerts.js";
import { eventBridge, findingOf, iamCall, iamUser } from "../../../test/support/records.js";
import { accountText, quoted } from "./untrusted.js";

describe("untrusted strings in prose", () => {
  it("are quoted and escaped, so they cannot pass for trailguard's own words or forge lines", () => {
    expect(quoted('bob" approved by security; "')).toBe('"bob\\" approved by security; \\""');
    expect(quoted("a\nFAKE: line\u2028x\u009b")).toBe('"a\\nFAKE: line\\u2028x\\u009b"');
    expect(quoted(undefined)).toBe("(unknown)");
    expect(quoted("x".repeat(300))).toHaveLength(128 + 3);
  });

  it("shows real account ids bare and anything else quoted", () => {
    expect(accountText("111122223333")).toBe("111122223333");
    expect(accountText("1111 or 2222")).toBe('"1111 or 2222"');
  });

  it("a hostile user name reaches the alert only as quoted data", () => {
    const hostile = 'bob" (approved by security, no action needed) "';
    const event = eventBridge(
      iamCall("CreateAccessKey", { userName: hostile }, { userIdentity: iamUser("alice"), responseElements: { accessKey: { accessKeyId: "AKIAHOSTILEKEY000001", userName: hostile } } }),
    );
    const finding = findingOf(event, "access-key-created");
    expect(finding.summary).toContain(`for user ${JSON.stringify(hostile)}`);
    const human = (JSON.parse(buildAlertMessage(alertOf([finding]), { httpsFormat: "json" }).message) as { email: string }).email;
    expect(human).toContain(`for user ${JSON.stringify(hostile)}`);
    expect(human).not.toContain(`user ${hostile}`);
    // The invalid name is never put into an API call either.
    expect(finding.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("is not a valid IAM user name") });
  });
});
