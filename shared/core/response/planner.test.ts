import { describe, expect, it } from "vitest";
import type { ResponseAction } from "../model/action.js";
import {
  ACCOUNT,
  assumedRole,
  eventBridge,
  findingOf,
  iamCall,
  iamUser,
  policyJson,
  root,
} from "../../../test/support/records.js";

const ADMIN_DOC = policyJson({ Effect: "Allow", Action: "*", Resource: "*" });
const KEY = "AKIABOBOLDKEYEXAMPL1";

/** An admin-equivalent inline policy for bob: contains the actor by default. */
function adminGrant(identity: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return iamCall("PutUserPolicy", { userName: "bob", policyName: "p", policyDocument: ADMIN_DOC }, { userIdentity: identity, ...overrides });
}

/** A reactivated key: deactivates the key by default. */
function reactivate(params: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return iamCall("UpdateAccessKey", { accessKeyId: KEY, status: "Active", userName: "bob", ...params }, overrides);
}

/** The actions on the actor side of an admin grant to bob (bob, the new admin, is contained too). */
function actorSide(actions: readonly ResponseAction[]): ResponseAction[] {
  return actions.filter((action) => !("userName" in action.target && action.target.userName === "bob"));
}

function onlyAction(actions: readonly ResponseAction[]): ResponseAction {
  expect(actions).toHaveLength(1);
  return actions[0] as ResponseAction;
}

describe("response planning through the analyser", () => {
  describe("planned", () => {
    it("plans deactivating a reactivated key with a human-readable reason", () => {
      const action = onlyAction(findingOf(eventBridge(reactivate({})), "access-key-reactivated").actions);
      expect(action).toEqual({
        type: "deactivate-access-key",
        status: "planned",
        target: { kind: "access-key", account: ACCOUNT, userName: "bob", accessKeyId: KEY },
        reason: expect.stringMatching(/\S/),
      });
    });

    it("plans revoking sessions of an assumed role that granted admin", () => {
      const action = onlyAction(actorSide(findingOf(adminGrant(assumedRole("deployer", "sam")), "policy-document-grant").actions));
      expect(action).toMatchObject({ type: "revoke-sessions", status: "planned", target: { kind: "role", account: ACCOUNT, roleName: "deployer" } });
    });

    it("names the role without its path (IAM role names are unique per account)", () => {
      const action = onlyAction(actorSide(findingOf(adminGrant(assumedRole("deployer", "sam", { path: "ci/" })), "policy-document-grant").actions));
      expect(action).toMatchObject({ status: "planned", target: { kind: "role", roleName: "deployer" } });
    });

    it("does not plan anything for findings no response statement matches", () => {
      const record = iamCall("PutUserPolicy", { userName: "bob", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) });
      expect(findingOf(record, "policy-document-grant").actions).toEqual([]);
    });

    it("follows a custom response policy", () => {
      const config = {
        responsePolicy: {
          version: 1 as const,
          statements: [{ id: "contain-any-key-creation", match: { rules: ["access-key-created"] }, actions: ["contain-actor" as const] }],
        },
      };
      const record = iamCall("CreateAccessKey", { userName: "alice" }, {
        userIdentity: iamUser("alice", { accessKeyId: "AKIAALICEKEY00000001" }),
        responseElements: { accessKey: { accessKeyId: "AKIAALICENEWKEY00001", userName: "alice", status: "Active" } },
      });
      const finding = findingOf(record, "access-key-created", config);
      expect(finding.actions.map((action) => [action.type, action.status])).toEqual([
        ["deactivate-access-key", "planned"],
        ["deactivate-user-keys", "planned"],
        ["attach-deny-policy", "planned"],
        ["revoke-sessions", "planned"],
      ]);
    });

    it("plans nothing with an empty response policy", () => {
      const config = { responsePolicy: { version: 1 as const, statements: [] } };
      expect(findingOf(reactivate({}), "access-key-reactivated", config).actions).toEqual([]);
    });
  });

  describe("skipped, with the reason", () => {
    it("skips when the call failed", () => {
      const action = onlyAction(findingOf(reactivate({}, { errorCode: "AccessDenied", errorMessage: "denied" }), "access-key-reactivated").actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/call failed \(AccessDenied\)/);
    });

    it("skips when the actor matches an allowlist ARN pattern", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:user/automation-*"] };
      const finding = findingOf(reactivate({}, { userIdentity: iamUser("automation-rotator") }), "access-key-reactivated", config);
      const action = onlyAction(finding.actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/actor is allowlisted/);
      expect(action.reason).toContain("arn:aws:iam::111122223333:user/automation-*");
    });

    it("allowlist patterns are case-sensitive ARNs: a differently-cased user is not covered", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:user/automation-*"] };
      const finding = findingOf(reactivate({}, { userIdentity: iamUser("Automation-rotator") }), "access-key-reactivated", config);
      expect(onlyAction(finding.actions).status).toBe("planned");
    });

    it("skips for every session of an allowlisted role (by role ARN)", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:role/deployer"] };
      for (const session of ["sam", "github-run-42", "i-0abc"]) {
        const finding = findingOf(adminGrant(assumedRole("deployer", session)), "policy-document-grant", config);
        const action = onlyAction(actorSide(finding.actions));
        expect(action.status).toBe("skipped");
        expect(action.reason).toMatch(/actor is allowlisted \(arn:aws:iam::111122223333:role\/deployer\)/);
      }
    });

    it("skips for a session of an allowlisted role whose ARN has a path", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:role/ci/deployer"] };
      const finding = findingOf(adminGrant(assumedRole("deployer", "sam", { path: "ci/" })), "policy-document-grant", config);
      expect(onlyAction(actorSide(finding.actions)).reason).toMatch(/allowlisted/);
    });

    it("skips for a session of an allowlisted role even when the record has no sessionIssuer", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:role/deployer"] };
      const finding = findingOf(adminGrant(assumedRole("deployer", "sam", { issuer: false })), "policy-document-grant", config);
      const action = onlyAction(actorSide(finding.actions));
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/allowlisted \(arn:aws:iam::111122223333:role\/deployer\)/);
    });

    it("does not exempt other roles whose name merely starts like an allowlisted one", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:role/deployer"] };
      const finding = findingOf(adminGrant(assumedRole("deployer-evil", "sam")), "policy-document-grant", config);
      expect(onlyAction(actorSide(finding.actions)).status).toBe("planned");
    });

    it("never turns containment on trailguard's own role (exact ARN), even when that identity grants admin", () => {
      const config = { responderRoleArns: ["arn:aws:iam::111122223333:role/trailguard-responder"] };
      const finding = findingOf(adminGrant(assumedRole("trailguard-responder", "containment")), "policy-document-grant", config);
      const action = onlyAction(actorSide(finding.actions));
      expect(action.status).toBe("skipped");
      expect(action.reason).toBe("the target is trailguard's own responder");
    });

    it("recognises the responder role from the session ARN alone (as the target of containment)", () => {
      const config = { responderRoleArns: ["arn:aws:iam::111122223333:role/trailguard-responder"] };
      const finding = findingOf(adminGrant(assumedRole("trailguard-responder", "x", { issuer: false })), "policy-document-grant", config);
      expect(onlyAction(actorSide(finding.actions)).reason).toMatch(/own responder/);
    });

    it("does not protect a look-alike of the responder role", () => {
      const config = { responderRoleArns: ["arn:aws:iam::111122223333:role/trailguard-responder"] };
      for (const role of ["trailguard-responder2", "Trailguard-Responder-copy"]) {
        const finding = findingOf(adminGrant(assumedRole(role, "x")), "policy-document-grant", config);
        expect(onlyAction(actorSide(finding.actions)).status).toBe("planned");
      }
    });

    it("does not protect the responder role name in another account", () => {
      const config = { responderRoleArns: ["arn:aws:iam::111122223333:role/trailguard-responder"] };
      const identity = assumedRole("trailguard-responder", "x", { account: "444455556666" });
      const finding = findingOf(adminGrant(identity), "policy-document-grant", config);
      expect(onlyAction(actorSide(finding.actions))).toMatchObject({ status: "planned", target: { kind: "role", account: "444455556666", roleName: "trailguard-responder" } });
    });

    it("skips containment of the root user", () => {
      const finding = findingOf(adminGrant(root()), "policy-document-grant");
      expect(finding.severity).toBe("critical");
      const action = onlyAction(actorSide(finding.actions));
      expect(action).toMatchObject({ type: "revoke-sessions", status: "skipped", target: { kind: "root" } });
      expect(action.reason).toMatch(/root user/);
    });

    it("still closes the door root opened: a key root reactivated is deactivated again (only root itself is beyond IAM)", () => {
      const action = onlyAction(findingOf(reactivate({}, { userIdentity: root() }), "access-key-reactivated").actions);
      expect(action).toMatchObject({ status: "planned", target: { kind: "access-key", userName: "bob", accessKeyId: KEY } });
    });

    it("skips a service-linked role session", () => {
      const identity = assumedRole("AWSServiceRoleForAutoScaling", "AutoScaling", { path: "aws-service-role/autoscaling.amazonaws.com/" });
      const finding = findingOf(adminGrant(identity), "policy-document-grant");
      const action = onlyAction(actorSide(finding.actions));
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/service-linked role/);
    });

    it("skips a user name that is not a valid IAM name", () => {
      const action = onlyAction(findingOf(reactivate({ userName: "bob; rm -rf" }), "access-key-reactivated").actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/user name .*bob; rm -rf.* is not a valid IAM user name/);
    });

    it("skips a session key id (ASIA…), which UpdateAccessKey cannot deactivate", () => {
      const action = onlyAction(findingOf(reactivate({ accessKeyId: "ASIAEXAMPLESESSION01" }), "access-key-reactivated").actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/ASIAEXAMPLESESSION01.*not a long-term key id/);
    });

    it("skips a missing key id", () => {
      const record = iamCall("CreateAccessKey", { userName: "bob" }, { responseElements: null });
      const action = onlyAction(findingOf(record, "access-key-created").actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/access key id \(unknown\)/);
    });

    it("skips an invalid role name taken from the actor", () => {
      const identity = { ...assumedRole("deployer", "x"), sessionContext: { sessionIssuer: { type: "Role", userName: "bad name!", arn: "arn:aws:iam::111122223333:role/deployer" } } };
      const action = onlyAction(actorSide(findingOf(adminGrant(identity), "policy-document-grant").actions));
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/role name .* is not a valid IAM role name/);
    });

    it("skips when the event's account is not a 12-digit id", () => {
      const identity = { ...iamUser("alice"), accountId: "not-an-account" };
      const record = reactivate({}, { recipientAccountId: "12345", userIdentity: identity });
      const action = onlyAction(findingOf(record, "access-key-reactivated").actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/not a 12-digit account id/);
    });

    it("skips when the target user is allowlisted", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:user/break-glass"] };
      const action = onlyAction(findingOf(reactivate({ userName: "break-glass" }), "access-key-reactivated", config).actions);
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/target is allowlisted \(arn:aws:iam::111122223333:user\/break-glass\)/);
    });

    it("never contains the responder, even under a policy that contains every policy-change actor", () => {
      const config = {
        allowlist: [],
        responderRoleArns: ["arn:aws:iam::111122223333:role/trailguard-responder"],
        responsePolicy: {
          version: 1 as const,
          statements: [{ id: "contain", match: { rules: ["policy-document-grant"] }, actions: ["contain-actor" as const] }],
        },
      };
      const finding = findingOf(adminGrant(assumedRole("trailguard-responder", "x")), "policy-document-grant", config);
      expect(onlyAction(actorSide(finding.actions)).reason).toMatch(/responder/);
    });

    it("applies the actor gate to every action of the finding", () => {
      const config = { allowlist: ["arn:aws:iam::111122223333:user/mallory"] };
      const finding = findingOf(adminGrant(iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" })), "policy-document-grant", config);
      expect(finding.actions.length).toBeGreaterThanOrEqual(4);
      for (const action of finding.actions) {
        expect(action.status).toBe("skipped");
        expect(action.reason).toMatch(/allowlisted/);
      }
    });
  });
});
