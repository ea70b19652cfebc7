import { describe, expect, it } from "vitest";
import { ACCOUNT, OTHER_ACCOUNT, analyse, assumedRole, eventBridge, findingOf, findingsOf, iamCall, iamUser, policyJson } from "../../../../test/support/records.js";

const RULE = "role-trust-update";
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

function trust(principal: unknown, condition?: Record<string, unknown>, action = "sts:AssumeRole") {
  return policyJson({ Effect: "Allow", Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) });
}

function updateTrust(policyDocument: unknown, overrides: Record<string, unknown> = {}) {
  return iamCall("UpdateAssumeRolePolicy", { roleName: "app", policyDocument }, { userIdentity: assumedRole("platform-admin", "sam"), ...overrides });
}

function createRole(assumeRolePolicyDocument: unknown, overrides: Record<string, unknown> = {}) {
  return iamCall("CreateRole", { roleName: "app", assumeRolePolicyDocument }, { userIdentity: assumedRole("platform-admin", "sam"), ...overrides });
}

const CONTAIN_ACTOR = {
  type: "revoke-sessions",
  status: "planned",
  target: { kind: "role", account: ACCOUNT, roleName: "platform-admin" },
  reason: expect.stringMatching(/contain the actor/),
};

/** close-opened-role: the opened role itself has its sessions revoked and the deny policy attached, after the actor. */
const CLOSE_ROLE = [
  {
    type: "revoke-sessions",
    status: "planned",
    target: { kind: "role", account: ACCOUNT, roleName: "app" },
    reason: expect.stringMatching(/contain the role the finding is about/),
  },
  {
    type: "attach-deny-policy",
    status: "planned",
    target: { kind: "role", account: ACCOUNT, roleName: "app" },
    reason: expect.stringMatching(/contain the role the finding is about/),
  },
];

describe("role-trust-update", () => {
  describe("public principals", () => {
    it.each<[string, unknown]>([
      ['Principal "*"', "*"],
      ['Principal {"AWS": "*"}', { AWS: "*" }],
      ['Principal {"AWS": ["*"]}', { AWS: ["*"] }],
    ])("%s is critical, the actor's sessions are revoked and the role is closed", (_label, principal) => {
      const finding = findingOf(eventBridge(updateTrust(trust(principal))), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toContain("trust-public");
      expect(finding.reasons.join(" ")).toMatch(/Principal "\*"/);
      expect(finding.target).toMatchObject({ kind: "role", name: "app" });
      expect(finding.actions).toEqual([CONTAIN_ACTOR, ...CLOSE_ROLE]);
    });

    it("is critical on CreateRole too", () => {
      const finding = findingOf(createRole(trust("*")), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.summary).toMatch(/created role "app"/);
      expect(finding.actions).toEqual([CONTAIN_ACTOR, ...CLOSE_ROLE]);
    });

    it('Principal "*" pinned by aws:PrincipalOrgID is not critical', () => {
      const finding = findingOf(updateTrust(trust("*", { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } })), RULE);
      expect(finding.severity).not.toBe("critical");
      expect(finding.signals).not.toContain("trust-public");
      expect(finding.reasons.join(" ")).toMatch(/aws:principalorgid/i);
      expect(finding.actions).toEqual([]);
    });

    it("NotPrincipal is treated as public", () => {
      const document = policyJson({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" });
      expect(findingOf(updateTrust(document), RULE).severity).toBe("critical");
    });
  });

  describe("account principals", () => {
    it.each([
      ["a bare account id", OTHER_ACCOUNT],
      ["a root ARN", `arn:aws:iam::${OTHER_ACCOUNT}:root`],
      ["a role ARN", `arn:aws:iam::${OTHER_ACCOUNT}:role/attacker`],
    ])("an untrusted account as %s without sts:ExternalId is critical, the actor contained and the role closed", (_label, principal) => {
      const finding = findingOf(updateTrust(trust({ AWS: principal })), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["trust-untrusted-account"]);
      expect(finding.reasons.join(" ")).toContain(`untrusted account ${OTHER_ACCOUNT}`);
      expect(finding.reasons.join(" ")).toMatch(/without an sts:ExternalId/);
      expect(finding.actions).toEqual([CONTAIN_ACTOR, ...CLOSE_ROLE]);
    });

    it.each([OTHER_ACCOUNT, `arn:aws:iam::${OTHER_ACCOUNT}:root`])(
      "an untrusted account (%s) with sts:ExternalId is high, with no containment",
      (principal) => {
        const finding = findingOf(updateTrust(trust({ AWS: principal }, { StringEquals: { "sts:ExternalId": "vendor-42" } })), RULE);
        expect(finding.severity).toBe("high");
        expect(finding.signals).toEqual(["trust-untrusted-account"]);
        expect(finding.reasons.join(" ")).toMatch(/with an sts:ExternalId/);
        expect(finding.actions).toEqual([]);
      },
    );

    it.each([OTHER_ACCOUNT, `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`])("an account in trustedAccounts (%s) is low", (principal) => {
      const finding = findingOf(updateTrust(trust({ AWS: principal })), RULE, { trustedAccounts: [OTHER_ACCOUNT] });
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual([]);
      expect(finding.reasons.join(" ")).toMatch(/trusted account/);
      expect(finding.actions).toEqual([]);
    });

    it.each([ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/ci`])("the event's own account (%s) is low", (principal) => {
      const finding = findingOf(updateTrust(trust({ AWS: principal })), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons.join(" ")).toMatch(/this account/);
    });

    it("the own account is the event's recipientAccountId, not the caller's account", () => {
      const record = updateTrust(trust({ AWS: OTHER_ACCOUNT }), { userIdentity: assumedRole("admin", "x", { account: OTHER_ACCOUNT }) });
      expect(findingOf(record, RULE).severity).toBe("critical");
    });

    it("the worst principal wins when several are listed", () => {
      const finding = findingOf(updateTrust(trust({ AWS: [ACCOUNT, OTHER_ACCOUNT] })), RULE);
      expect(finding.severity).toBe("critical");
    });
  });

  describe("federated and service principals", () => {
    it("GitHub OIDC without a sub condition is high", () => {
      const document = trust({ Federated: GITHUB }, { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }, "sts:AssumeRoleWithWebIdentity");
      const finding = findingOf(updateTrust(document), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["trust-oidc-unscoped"]);
      expect(finding.reasons.join(" ")).toContain("token.actions.githubusercontent.com:sub");
      expect(finding.actions).toEqual([]);
    });

    it("GitHub OIDC with a sub condition is low", () => {
      const document = trust(
        { Federated: GITHUB },
        {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/app:ref:refs/heads/main" },
        },
        "sts:AssumeRoleWithWebIdentity",
      );
      const finding = findingOf(updateTrust(document), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual([]);
    });

    it("a service principal only is low", () => {
      const finding = findingOf(createRole(trust({ Service: "lambda.amazonaws.com" })), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.signals).toEqual([]);
      expect(finding.reasons.join(" ")).toContain("lambda.amazonaws.com");
      expect(finding.actions).toEqual([]);
    });
  });

  describe("document shapes and absence", () => {
    it("UpdateAssumeRolePolicy with requestParameters null is still a finding", () => {
      const finding = findingOf(iamCall("UpdateAssumeRolePolicy", null), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons.join(" ")).toMatch(/not recorded/);
    });

    it("CreateRole with requestParameters null and no response is still a finding", () => {
      const finding = findingOf(iamCall("CreateRole", null), RULE);
      expect(finding.severity).toBe("medium");
    });

    it("CreateRole whose document only appears URL-encoded in responseElements is analysed", () => {
      const record = iamCall("CreateRole", null, {
        userIdentity: assumedRole("platform-admin", "sam"),
        responseElements: {
          role: {
            roleName: "app",
            path: "/",
            arn: `arn:aws:iam::${ACCOUNT}:role/app`,
            assumeRolePolicyDocument: encodeURIComponent(trust({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` })),
          },
        },
      });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["trust-untrusted-account"]);
      expect(finding.target).toMatchObject({ kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/app` });
    });

    it("accepts the document as an object", () => {
      const finding = findingOf(updateTrust({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" } }), RULE);
      expect(finding.severity).toBe("critical");
    });

    it("an unparseable trust document still yields a finding", () => {
      const finding = findingOf(updateTrust("not json at all"), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.reasons.join(" ")).toMatch(/not valid JSON/);
    });
  });

  describe("failed and unrelated calls", () => {
    it("caps a failed public-trust change at low, with no containment", () => {
      const finding = findingOf(updateTrust(trust("*"), { errorCode: "MalformedPolicyDocument" }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.actions).toEqual([]);
    });

    it("an IAM user making the role public gets its key deactivated, is quarantined and its sessions revoked; the role is closed", () => {
      const finding = findingOf(updateTrust(trust("*"), { userIdentity: iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" }) }), RULE);
      const mallory = { kind: "user", account: ACCOUNT, userName: "mallory" };
      expect(finding.actions).toEqual([
        expect.objectContaining({
          type: "deactivate-access-key",
          status: "planned",
          target: { kind: "access-key", account: ACCOUNT, userName: "mallory", accessKeyId: "AKIAMALLORYKEY000001" },
        }),
        expect.objectContaining({ type: "deactivate-user-keys", status: "planned", target: mallory }),
        expect.objectContaining({ type: "attach-deny-policy", status: "planned", target: mallory }),
        expect.objectContaining({ type: "revoke-sessions", status: "planned", target: mallory }),
        ...CLOSE_ROLE,
      ]);
    });

    it("ignores other role events (UpdateRole, AttachRolePolicy)", () => {
      expect(findingsOf(analyse(iamCall("UpdateRole", { roleName: "app", description: "x" })))).toEqual([]);
      const attach = iamCall("AttachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
      expect(findingsOf(analyse(attach)).map((finding) => finding.ruleId)).not.toContain(RULE);
    });

    it("ignores UpdateAssumeRolePolicy from another event source", () => {
      const record = updateTrust(trust("*"), { eventSource: "example.amazonaws.com" });
      expect(findingsOf(analyse(record))).toEqual([]);
    });
  });
});
