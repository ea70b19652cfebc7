import { describe, expect, it } from "vitest";
import type { ResponseAction } from "../model/action.js";
import { ACCOUNT, assumedRole, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";

/**
 * Containment closes the door that was opened, on the right principal (issue #13): the actor is
 * quarantined, the backdoor contained, a person never hit for what a service did, Identity
 * Center sessions pointed to where they can be revoked, allowlist entries matched as IAM names.
 */
const ADMIN_DOC = policyJson({ Effect: "Allow", Action: "*", Resource: "*" });
const OPEN_TRUST = policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" });

const summary = (actions: readonly ResponseAction[]) =>
  actions.map((action) => {
    const target = action.target;
    const who = target.kind === "role" ? `role:${target.roleName}` : target.kind === "user" ? `user:${target.userName}` : target.kind === "access-key" ? `key:${target.userName}/${target.accessKeyId}` : target.kind;
    return `${action.type} ${who} ${action.status}`;
  });

function attachAdmin(userName: string, identity: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return iamCall("AttachUserPolicy", { userName, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { userIdentity: identity, ...extra });
}

function openTrust(roleName: string, identity: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return iamCall("UpdateAssumeRolePolicy", { roleName, policyDocument: OPEN_TRUST }, { userIdentity: identity, ...extra });
}

describe("containment planning", () => {
  it("quarantines an IAM user actor (every key, the deny policy, sessions) and contains the user it made admin", () => {
    const finding = findingOf(attachAdmin("newadmin", iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" })), "managed-policy-attached");
    expect(summary(finding.actions)).toEqual([
      "deactivate-access-key key:mallory/AKIAMALLORYKEY000001 planned",
      "deactivate-user-keys user:mallory planned",
      "attach-deny-policy user:mallory planned",
      "revoke-sessions user:mallory planned",
      "deactivate-user-keys user:newadmin planned",
      "attach-deny-policy user:newadmin planned",
      "revoke-sessions user:newadmin planned",
    ]);
  });

  it("a user making itself admin is contained once, not twice", () => {
    const finding = findingOf(attachAdmin("mallory", iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" })), "managed-policy-attached");
    expect(summary(finding.actions)).toHaveLength(4);
  });

  it("closes a role opened to everyone: the actor's sessions and the opened role's sessions and use", () => {
    const finding = findingOf(openTrust("payments", assumedRole("ci-deployer", "run-7")), "role-trust-update");
    expect(summary(finding.actions)).toEqual([
      "revoke-sessions role:ci-deployer planned",
      "revoke-sessions role:payments planned",
      "attach-deny-policy role:payments planned",
    ]);
  });

  it("never contains the engineer for what CloudFormation did on their behalf, and says why", () => {
    const engineer = { ...iamUser("engineer", { accessKeyId: "AKIAENGINEERKEY00001" }), invokedBy: "cloudformation.amazonaws.com" };
    const finding = findingOf(attachAdmin("deploy-bot", engineer), "managed-policy-attached");
    expect(finding.severity).toBe("critical");
    expect(finding.actions.length).toBeGreaterThan(0);
    for (const action of finding.actions) {
      expect(action.status).toBe("skipped");
      expect(action.reason).toMatch(/cloudformation\.amazonaws\.com made this call on the actor's behalf/);
    }
    // contain-new-admin is for direct grants only: the stack's own user is not quarantined.
    expect(finding.actions.some((action) => "userName" in action.target && action.target.userName === "deploy-bot")).toBe(false);
  });

  it("Service Catalog and 'AWS Internal' are services acting for someone too", () => {
    for (const invokedBy of ["servicecatalog.amazonaws.com", "AWS Internal"]) {
      const engineer = { ...iamUser("engineer", { accessKeyId: "AKIAENGINEERKEY00001" }), invokedBy };
      const finding = findingOf(attachAdmin("deploy-bot", engineer), "managed-policy-attached");
      expect(finding.actions.every((action) => action.status === "skipped")).toBe(true);
    }
  });

  it("a role opened to everyone by a stack is still closed (the door is open whoever opened it), the engineer is not touched", () => {
    const engineer = { ...iamUser("engineer", { accessKeyId: "AKIAENGINEERKEY00001" }), invokedBy: "cloudformation.amazonaws.com" };
    const finding = findingOf(openTrust("payments", engineer), "role-trust-update");
    expect(summary(finding.actions)).toEqual([
      "deactivate-access-key key:engineer/AKIAENGINEERKEY00001 skipped",
      "deactivate-user-keys user:engineer skipped",
      "attach-deny-policy user:engineer skipped",
      "revoke-sessions user:engineer skipped",
      "revoke-sessions role:payments planned",
      "attach-deny-policy role:payments planned",
    ]);
  });

  it("an Identity Center session gets no IAM action and the reason says how to revoke it in Identity Center", () => {
    const sso = assumedRole("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "mallory@example.com", {
      path: "aws-reserved/sso.amazonaws.com/eu-west-1/",
    });
    const finding = findingOf(attachAdmin("newadmin", sso), "managed-policy-attached");
    const [actorAction] = finding.actions;
    expect(actorAction).toMatchObject({ type: "revoke-sessions", status: "skipped", target: { kind: "role" } });
    expect(actorAction?.reason).toMatch(/IAM Identity Center session \(user "mallory@example.com"/);
    expect(actorAction?.reason).toMatch(/Active sessions/);
    expect(actorAction?.reason).toMatch(/aws:userid/);
    // The user it made admin is still contained.
    expect(summary(finding.actions.slice(1))).toEqual([
      "deactivate-user-keys user:newadmin planned",
      "attach-deny-policy user:newadmin planned",
      "revoke-sessions user:newadmin planned",
    ]);
  });

  it("recognises an Identity Center role by name when the record has no session issuer", () => {
    const sso = assumedRole("AWSReservedSSO_PowerUser_0123456789abcdef", "mallory", { issuer: false });
    const finding = findingOf(attachAdmin("newadmin", sso), "managed-policy-attached");
    expect(finding.actions[0]?.reason).toMatch(/IAM Identity Center session/);
  });

  it("never plans an IAM change on a role whose recorded ARN is under an AWS-managed path", () => {
    const record = iamCall("CreateRole", { roleName: "AWSServiceRoleForSupport", assumeRolePolicyDocument: OPEN_TRUST }, {
      userIdentity: assumedRole("ci-deployer", "run-7"),
      responseElements: { role: { roleName: "AWSServiceRoleForSupport", arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport` } },
    });
    const onTarget = findingOf(record, "role-trust-update").actions.filter((action) => action.target.kind === "role" && action.target.roleName === "AWSServiceRoleForSupport");
    expect(onTarget.length).toBe(2);
    for (const action of onTarget) expect(action).toMatchObject({ status: "skipped", reason: expect.stringMatching(/service-linked roles are managed by AWS/) });
  });

  it("a name is not a path: a role anyone could call AWSReservedSSO_… or AWSServiceRoleFor… at path / is contained", () => {
    for (const name of ["AWSReservedSSO_Backdoor_1", "AWSServiceRoleForBackdoor"]) {
      const record = iamCall("CreateRole", { roleName: name, assumeRolePolicyDocument: OPEN_TRUST }, {
        userIdentity: assumedRole("ci-deployer", "run-7"),
        responseElements: { role: { roleName: name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` } },
      });
      const onTarget = findingOf(record, "role-trust-update").actions.filter((action) => action.target.kind === "role" && action.target.roleName === name);
      expect(onTarget.map((action) => action.status)).toEqual(["planned", "planned"]);
      // As an actor with its issuer recorded at "/", it is an ordinary role too.
      const asActor = findingOf(openTrust("payments", assumedRole(name, "x")), "role-trust-update").actions[0];
      expect(asActor).toMatchObject({ type: "revoke-sessions", status: "planned", target: { roleName: name } });
    }
  });

  it("a group made admin is not contained wholesale: the reason says what to do by hand", () => {
    const finding = findingOf(
      iamCall("AttachGroupPolicy", { groupName: "devs", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { userIdentity: assumedRole("ci", "x") }),
      "managed-policy-attached",
    );
    const onGroup = finding.actions.find((action) => action.target.kind === "unknown");
    expect(onGroup).toMatchObject({ status: "skipped", reason: expect.stringMatching(/does not contain groups.*"devs"/) });
  });

  it("a failed call contains nobody", () => {
    const finding = findingOf(attachAdmin("newadmin", iamUser("mallory"), { errorCode: "AccessDenied", errorMessage: "no" }), "managed-policy-attached");
    for (const action of finding.actions) expect(action.reason).toMatch(/call failed/);
  });

  describe("allowlist entries are matched as IAM matches names", () => {
    const breakglass = iamUser("breakglass", { path: "admins/", accessKeyId: "AKIABREAKGLASSKEY001" });

    it("a full ARN with a path exempts the user as actor and as target (events name targets without their path)", () => {
      const config = { allowlist: [`arn:aws:iam::${ACCOUNT}:user/admins/breakglass`] };
      const asActor = findingOf(attachAdmin("newadmin", breakglass), "managed-policy-attached", config);
      for (const action of asActor.actions) expect(action.reason).toMatch(/allowlisted \(arn:aws:iam::111122223333:user\/admins\/breakglass\)/);
      const asTarget = findingOf(attachAdmin("breakglass", iamUser("mallory")), "managed-policy-attached", config);
      const onBreakglass = asTarget.actions.filter((action) => "userName" in action.target && action.target.userName === "breakglass");
      expect(onBreakglass).toHaveLength(3);
      for (const action of onBreakglass) expect(action.reason).toMatch(/target is allowlisted/);
    });

    it("the name is compared without regard to case, as IAM does (a request may spell it BreakGlass)", () => {
      const config = { allowlist: [`arn:aws:iam::${ACCOUNT}:user/admins/breakglass`] };
      const asTarget = findingOf(attachAdmin("BreakGlass", iamUser("mallory")), "managed-policy-attached", config);
      const onBreakglass = asTarget.actions.filter((action) => "userName" in action.target && action.target.userName === "BreakGlass");
      for (const action of onBreakglass) expect(action.reason).toMatch(/target is allowlisted/);
    });

    it("an entry without the path names the same user", () => {
      const config = { allowlist: [`arn:aws:iam::${ACCOUNT}:user/breakglass`] };
      const finding = findingOf(attachAdmin("newadmin", breakglass), "managed-policy-attached", config);
      for (const action of finding.actions) expect(action.reason).toMatch(/actor is allowlisted/);
    });

    it("a wildcard over a path matches the actor's full ARN, and nobody outside the path", () => {
      const config = { allowlist: [`arn:aws:iam::${ACCOUNT}:user/admins/*`] };
      const inside = findingOf(attachAdmin("newadmin", breakglass), "managed-policy-attached", config);
      for (const action of inside.actions) expect(action.reason).toMatch(/actor is allowlisted/);
      const outside = findingOf(attachAdmin("newadmin", iamUser("breakglass", { accessKeyId: "AKIABREAKGLASSKEY001" })), "managed-policy-attached", config);
      expect(outside.actions.some((action) => action.status === "planned")).toBe(true);
    });

    it("the same name in another account is another principal", () => {
      const config = { allowlist: ["arn:aws:iam::444455556666:user/admins/breakglass"] };
      const finding = findingOf(attachAdmin("newadmin", breakglass), "managed-policy-attached", config);
      expect(finding.actions.some((action) => action.status === "planned")).toBe(true);
    });
  });
});
