import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, assumedRole, findingOf, findingsOf, iamCall, policyJson } from "../../../../test/support/records.js";

/** How documents written under the containment names are judged: test/self-defence/revoke-name-cover.test.ts. */
const RULE = "containment-policy-tampering";

describe("containment-policy-tampering", () => {
  it.each(["TrailguardRevokeOlderSessions", "AWSRevokeOlderSessions"])("deleting inline policy %s is critical", (policyName) => {
    const record = iamCall("DeleteRolePolicy", { roleName: "app", policyName });
    const finding = findingOf(record, RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.signals).toEqual(["revoke-policy-removed"]);
    expect(finding.reasons.join(" ")).toContain(policyName);
    expect(finding.technique.id).toBe("T1562");
  });

  it.each(["DeleteUserPolicy", "DeleteGroupPolicy"])("%s of the containment policy (any case) is critical too", (eventName) => {
    const finding = findingOf(iamCall(eventName, { userName: "bob", groupName: "devs", policyName: "trailguardrevokeoldersessions" }), RULE);
    expect(finding.severity).toBe("critical");
    expect(finding.title).toBe("Containment policy removed");
  });

  it("deleting the containment policy also contains the actor", () => {
    const record = iamCall("DeleteRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions" }, { userIdentity: assumedRole("ops", "x") });
    const finding = findingOf(record, RULE);
    expect(finding.actions).toEqual([expect.objectContaining({ type: "revoke-sessions", status: "planned" })]);
  });

  it("a write under the containment name raises this finding and no document finding beside it", () => {
    const record = iamCall("PutUserPolicy", { userName: "bob", policyName: "AWSRevokeOlderSessions", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) });
    const findings = findingsOf(analyse(record));
    expect(findings.map((finding) => finding.ruleId)).toEqual([RULE]);
    expect(findings[0]?.signals).toEqual(["admin-grant", "revoke-policy-removed"]);
    // An admin grant hidden under the name is a backdoor first: its technique says so.
    expect(findings[0]?.technique.id).toBe("T1098.003");
    expect(findings[0]?.actions.map((action) => action.target.kind === "user" ? action.target.userName : action.target.kind)).toContain("bob");
  });

  it("a failed deletion is capped at low and contains nobody", () => {
    const finding = findingOf(iamCall("DeleteRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions" }, { errorCode: "AccessDenied", errorMessage: "no" }), RULE);
    expect(finding.severity).toBe("low");
    expect(finding.actions).toEqual([]);
  });

  it("ordinary inline policy names, and other calls, are not this rule's", () => {
    expect(findingsOf(analyse(iamCall("DeleteUserPolicy", { userName: "bob", policyName: "scratch" }))).map((finding) => finding.ruleId)).toEqual(["policy-permissions-removed"]);
    const attach = iamCall("AttachRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions", policyArn: `arn:aws:iam::${ACCOUNT}:policy/TrailguardRevokeOlderSessions` });
    expect(findingsOf(analyse(attach)).map((finding) => finding.ruleId)).toEqual(["managed-policy-attached"]);
  });

  describe("detaching a quarantine policy lifts containment", () => {
    it.each([
      ["DetachUserPolicy", { userName: "bob" }, "arn:aws:iam::aws:policy/AWSDenyAll"],
      ["DetachRolePolicy", { roleName: "app" }, "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"],
      ["DetachUserPolicy", { userName: "bob" }, "arn:aws:iam::aws:policy/awsdenyall"],
      ["DetachGroupPolicy", { groupName: "devs" }, "arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV2"],
      ["DetachUserPolicy", { userName: "bob" }, "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine"],
    ] as const)("%s of %s is critical, and the only policy finding", (eventName, target, policyArn) => {
      const findings = findingsOf(analyse(iamCall(eventName, { ...target, policyArn })));
      expect(findings.map((finding) => finding.ruleId)).toEqual([RULE]);
      expect(findings[0]?.severity).toBe("critical");
      expect(findings[0]?.title).toBe("Quarantine policy detached");
      expect(findings[0]?.signals).toEqual(["quarantine-removed"]);
    });

    it("alerts but contains nobody by default: a detach cannot be aimed at an innocent principal, and a planned one contains no operator", () => {
      // Attach AWSDenyAll to the CEO, detach it again: a restoring response would quarantine the CEO for the attacker.
      const record = iamCall("DetachUserPolicy", { userName: "ceo", policyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }, { userIdentity: assumedRole("ops", "x") });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.actions).toEqual([]);
    });

    it("a team that wants the detacher contained says so in its response policy (policy is data)", () => {
      const config = { responsePolicy: { version: 1 as const, statements: [{ id: "contain-quarantine-lifter", match: { signals: ["quarantine-removed"] }, actions: ["contain-actor" as const] }] } };
      const record = iamCall("DetachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }, { userIdentity: assumedRole("ops", "x") });
      const finding = findingsOf(analyse(record, config)).find((candidate) => candidate.ruleId === RULE);
      expect(finding?.actions.map((action) => `${action.type}:${action.status}`)).toEqual(["revoke-sessions:planned"]);
    });

    it("a look-alike is not quarantine: a customer policy named AWSDenyAll, or another AWS managed policy, is an ordinary removal", () => {
      for (const policyArn of [`arn:aws:iam::${ACCOUNT}:policy/AWSDenyAll`, "arn:aws:iam::aws:policy/AWSDenyAllButOne", "arn:aws:iam::aws:policy/ReadOnlyAccess"]) {
        const findings = findingsOf(analyse(iamCall("DetachUserPolicy", { userName: "bob", policyArn })));
        expect(findings.map((finding) => `${finding.ruleId}:${finding.severity}`), policyArn).toEqual(["policy-permissions-removed:low"]);
      }
    });

    it("a failed detach is capped at low and contains nobody", () => {
      const finding = findingOf(iamCall("DetachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/AWSDenyAll" }, { errorCode: "AccessDenied", errorMessage: "no" }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.actions.every((action) => action.status === "skipped")).toBe(true);
    });
  });
});
