import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, assumedRole, eventBridge, findingOf, findingsOf, iamCall, iamUser, root } from "../../../../test/support/records.js";

const KEY = "AKIABOBOLDKEYEXAMPL1";

function updateKey(status: string, overrides: Record<string, unknown> = {}, params: Record<string, unknown> = { userName: "bob" }) {
  return iamCall("UpdateAccessKey", { accessKeyId: KEY, status, ...params }, overrides);
}

describe("access-key-reactivated", () => {
  it("raises a high finding and plans deactivating the reactivated key", () => {
    const finding = findingOf(eventBridge(updateKey("Active")), "access-key-reactivated");
    expect(finding.severity).toBe("high");
    expect(finding.signals).toEqual(["key-reactivated"]);
    expect(finding.reasons).toContain("access key status set to Active");
    expect(finding.target).toMatchObject({ kind: "access-key", accessKeyId: KEY, userName: "bob" });
    expect(finding.actions).toEqual([
      {
        type: "deactivate-access-key",
        status: "planned",
        target: { kind: "access-key", account: ACCOUNT, userName: "bob", accessKeyId: KEY },
        reason: expect.any(String),
      },
    ]);
  });

  it("uses the caller's user name when the request omits userName", () => {
    const finding = findingOf(updateKey("Active", { userIdentity: iamUser("bob") }, {}), "access-key-reactivated");
    expect(finding.actions).toEqual([
      expect.objectContaining({ status: "planned", target: { kind: "access-key", account: ACCOUNT, userName: "bob", accessKeyId: KEY } }),
    ]);
  });

  it("is raised when a role session reactivates a user's key", () => {
    const finding = findingOf(updateKey("Active", { userIdentity: assumedRole("ops", "eve") }), "access-key-reactivated");
    expect(finding.severity).toBe("high");
    expect(finding.actions[0]?.status).toBe("planned");
  });

  it("accepts the status case-insensitively", () => {
    expect(findingOf(updateKey("active"), "access-key-reactivated").severity).toBe("high");
  });

  it("is capped at low with the action skipped when the call failed", () => {
    const finding = findingOf(updateKey("Active", { errorCode: "NoSuchEntity" }), "access-key-reactivated");
    expect(finding.severity).toBe("low");
    expect(finding.actions).toEqual([expect.objectContaining({ status: "skipped", reason: expect.stringMatching(/call failed/) })]);
  });

  it("is raised for root reactivating its own key, with the action skipped", () => {
    const finding = findingOf(updateKey("Active", { userIdentity: root() }, {}), "access-key-reactivated");
    expect(finding.severity).toBe("high");
    expect(finding.target).toMatchObject({ kind: "account" });
    expect(finding.actions.every((action) => action.status === "skipped")).toBe(true);
  });

  it("ignores deactivation (status Inactive)", () => {
    expect(findingsOf(analyse(updateKey("Inactive")))).toEqual([]);
  });

  it("ignores an UpdateAccessKey without a status", () => {
    expect(findingsOf(analyse(iamCall("UpdateAccessKey", { accessKeyId: KEY, userName: "bob" })))).toEqual([]);
  });

  it("ignores other access-key events", () => {
    expect(findingsOf(analyse(iamCall("DeleteAccessKey", { accessKeyId: KEY, userName: "bob" })))).toEqual([]);
  });
});
