import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, assumedRole, eventBridge, findingOf, findingsOf, iamCall, iamUser, root } from "../../../../test/support/records.js";

const NEW_KEY = "AKIANEWKEYEXAMPLE001";

function createKey(actorIdentity: Record<string, unknown>, userName: string | undefined, keyUser = userName ?? "alice", overrides = {}) {
  return iamCall("CreateAccessKey", userName === undefined ? null : { userName }, {
    userIdentity: actorIdentity,
    responseElements: {
      accessKey: { accessKeyId: NEW_KEY, status: "Active", userName: keyUser, createDate: "May 1, 2024 12:00:00 PM" },
    },
    ...overrides,
  });
}

describe("access-key-created", () => {
  describe("key for the caller itself", () => {
    it("is low when a user names itself", () => {
      const finding = findingOf(eventBridge(createKey(iamUser("alice"), "alice")), "access-key-created");
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual(["key-for-self"]);
      expect(finding.reasons.join(" ")).toMatch(/for itself/);
      expect(finding.actions).toEqual([]);
      expect(finding.target).toMatchObject({ kind: "access-key", accessKeyId: NEW_KEY, userName: "alice" });
    });

    it("is low when the request has no userName (the key is the caller's)", () => {
      const finding = findingOf(createKey(iamUser("alice"), undefined), "access-key-created");
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual(["key-for-self"]);
    });

    it("is low for a user with a path in its ARN naming itself", () => {
      const finding = findingOf(createKey(iamUser("carol", { path: "team/" }), "carol"), "access-key-created");
      expect(finding.actor.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/team/carol`);
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual(["key-for-self"]);
    });

    it("is low for a user with a path even when userIdentity.userName is missing", () => {
      const identity = iamUser("carol", { path: "team/" });
      delete identity.userName;
      const finding = findingOf(createKey(identity, "carol"), "access-key-created");
      expect(finding.severity).toBe("low");
    });

    it("compares user names case-insensitively (IAM user names are unique ignoring case)", () => {
      const finding = findingOf(createKey(iamUser("Alice"), "alice"), "access-key-created");
      expect(finding.severity).toBe("low");
    });
  });

  describe("key for another user", () => {
    it("is high, signals key-for-other-user and plans deactivating the NEW key", () => {
      const finding = findingOf(eventBridge(createKey(iamUser("alice"), "bob")), "access-key-created");
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["key-for-other-user"]);
      expect(finding.title).toMatch(/another user/);
      expect(finding.reasons.join(" ")).toMatch(/"alice".*not the key's user "bob"/);
      expect(finding.target).toMatchObject({ kind: "access-key", accessKeyId: NEW_KEY, userName: "bob" });
      expect(finding.actions).toEqual([
        {
          type: "deactivate-access-key",
          status: "planned",
          target: { kind: "access-key", account: ACCOUNT, userName: "bob", accessKeyId: NEW_KEY },
          reason: expect.stringMatching(/another user/),
        },
      ]);
    });

    it("does not deactivate the creator's own key (only the new one)", () => {
      const finding = findingOf(createKey(iamUser("alice", { accessKeyId: "AKIAALICEOWNKEY00001" }), "bob"), "access-key-created");
      const keys = finding.actions.map((action) => (action.target.kind === "access-key" ? action.target.accessKeyId : undefined));
      expect(keys).toEqual([NEW_KEY]);
    });

    it("uses the new key's userName from responseElements when the request omits it", () => {
      const finding = findingOf(createKey(assumedRole("deployer", "ci"), undefined, "bob"), "access-key-created");
      expect(finding.severity).toBe("high");
      expect(finding.actions).toEqual([
        expect.objectContaining({
          type: "deactivate-access-key",
          status: "planned",
          target: { kind: "access-key", account: ACCOUNT, userName: "bob", accessKeyId: NEW_KEY },
        }),
      ]);
    });

    it("is high when a role session creates a key for a user", () => {
      const finding = findingOf(createKey(assumedRole("deployer", "ci"), "bob"), "access-key-created");
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["key-for-other-user"]);
    });

    it("compares user names, not ARN suffixes: user malice creating a key for alice", () => {
      const finding = findingOf(createKey(iamUser("malice"), "alice"), "access-key-created");
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["key-for-other-user"]);
    });

    it("compares user names, not ARN paths: user bob under path alice/ creating a key for alice", () => {
      const finding = findingOf(createKey(iamUser("bob", { path: "alice/" }), "alice"), "access-key-created");
      expect(finding.severity).toBe("high");
    });

    it("compares user names, not ARN suffixes: user team/carol creating a key for a user named team", () => {
      const finding = findingOf(createKey(iamUser("carol", { path: "team/" }), "team"), "access-key-created");
      expect(finding.severity).toBe("high");
    });
  });

  describe("key created by root", () => {
    it("is critical for root's own key, and not contained", () => {
      const finding = findingOf(createKey(root({ invokedBy: "signin.amazonaws.com" }), undefined, "root"), "access-key-created");
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["key-by-root"]);
      expect(finding.title).toMatch(/Root access key created/);
      expect(finding.target).toMatchObject({ kind: "account", name: ACCOUNT });
      expect(finding.actions).toEqual([]);
    });

    it("is critical when root creates a key for an IAM user", () => {
      const finding = findingOf(createKey(root(), "bob"), "access-key-created");
      expect(finding.severity).toBe("critical");
      expect(finding.reasons).toContain("created by the root user");
      expect(finding.reasons.join(" ")).toMatch(/user "bob"/);
    });
  });

  describe("failed calls", () => {
    it("caps a failed key-for-other-user at low and skips the action", () => {
      const record = createKey(iamUser("alice"), "bob", "bob", {
        errorCode: "AccessDenied",
        errorMessage: "User: alice is not authorized to perform: iam:CreateAccessKey",
        responseElements: null,
      });
      const finding = findingOf(record, "access-key-created");
      expect(finding.severity).toBe("low");
      expect(finding.reasons.join(" ")).toMatch(/capped at low: the call failed/);
      expect(finding.actions.length).toBeGreaterThan(0);
      for (const action of finding.actions) {
        expect(action.status).toBe("skipped");
        expect(action.reason).toMatch(/call failed \(AccessDenied\)/);
      }
    });

    it("keeps a failed self key low", () => {
      const finding = findingOf(createKey(iamUser("alice"), "alice", "alice", { errorCode: "LimitExceeded" }), "access-key-created");
      expect(finding.severity).toBe("low");
    });
  });

  describe("not raised", () => {
    it("ignores other IAM events", () => {
      const record = iamCall("DeleteAccessKey", { userName: "bob", accessKeyId: "AKIAOLDKEYEXAMPLE001" });
      expect(findingsOf(analyse(record)).filter((finding) => finding.ruleId === "access-key-created")).toEqual([]);
    });

    it("ignores CreateAccessKey from a non-IAM event source", () => {
      const record = createKey(iamUser("alice"), "bob", "bob", { eventSource: "example.amazonaws.com" });
      expect(findingsOf(analyse(record))).toEqual([]);
    });
  });
});
