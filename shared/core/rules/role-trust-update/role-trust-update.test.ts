import { describe, expect, it } from "vitest";
import { ACCOUNT, OTHER_ACCOUNT, analyse, assumedRole, cloudTrailRecord, eventBridge, findingOf, findingsOf, iamCall, iamUser, policyJson } from "../../../../test/support/records.js";
import { renderPatterns } from "../../stack/event-patterns.js";
import { roleTrustUpdate } from "./role-trust-update.js";

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

const ANCHOR_ARN = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/0e3b6a1c-4f5d-4c2b-9a8e-7d6c5b4a3f21`;
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----";

/** An IAM Roles Anywhere call as CloudTrail records it (requestParameters, and the anchor echoed in responseElements). */
function rolesAnywhere(eventName: string, requestParameters: Record<string, unknown> | null, overrides: Record<string, unknown> = {}) {
  const echoed = requestParameters ? { trustAnchor: { name: "corp-ca", trustAnchorArn: ANCHOR_ARN, trustAnchorId: ANCHOR_ARN.slice(ANCHOR_ARN.lastIndexOf("/") + 1), enabled: true, source: requestParameters.source } } : null;
  return cloudTrailRecord({
    eventSource: "rolesanywhere.amazonaws.com",
    eventName,
    requestParameters,
    responseElements: echoed,
    userIdentity: assumedRole("platform-admin", "sam"),
    ...overrides,
  });
}

const CA_BUNDLE = { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: PEM } };

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
    it("UpdateAssumeRolePolicy with requestParameters null is high (a padded document is kept out of the record on purpose)", () => {
      const finding = findingOf(iamCall("UpdateAssumeRolePolicy", null), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.reasons.join(" ")).toMatch(/not recorded/);
    });

    it("CreateRole with requestParameters null and no response is high", () => {
      const finding = findingOf(iamCall("CreateRole", null), RULE);
      expect(finding.severity).toBe("high");
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

  describe("conditions judged by operator and value, not by the key's presence (attacker's look-alikes)", () => {
    it('changed: Principal "*" with StringLike aws:PrincipalArn "*" is critical, the actor contained and the role closed (before: high, as if pinned)', () => {
      const finding = findingOf(eventBridge(updateTrust(trust("*", { StringLike: { "aws:PrincipalArn": "*" } }))), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["trust-public"]);
      expect(finding.reasons.join(" ")).toMatch(/its conditions do not pin it: StringLike aws:PrincipalArn: "\*" does not name one account/);
      expect(finding.actions).toEqual([CONTAIN_ACTOR, ...CLOSE_ROLE]);
    });

    it('changed: Principal "*" with StringEqualsIfExists aws:SourceAccount (absent for direct callers) is critical (before: high)', () => {
      const finding = findingOf(updateTrust(trust("*", { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } })), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.reasons.join(" ")).toMatch(/absent.*direct caller/);
    });

    it('Principal "*" pinned to this account by aws:PrincipalAccount is low: nobody to contain', () => {
      const finding = findingOf(updateTrust(trust("*", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } })), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons.join(" ")).toContain(`to ${ACCOUNT} (this account)`);
      expect(finding.actions).toEqual([]);
    });

    it('changed: an untrusted account with Null {"sts:ExternalId": "true"} (the id must be absent) is critical and closed (before: high)', () => {
      const finding = findingOf(updateTrust(trust({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, { Null: { "sts:ExternalId": "true" } })), RULE);
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toEqual(["trust-untrusted-account"]);
      expect(finding.reasons.join(" ")).toMatch(/without an sts:ExternalId condition that requires a fixed id \(Null sts:ExternalId: requires the key to be absent\)/);
      expect(finding.actions).toEqual([CONTAIN_ACTOR, ...CLOSE_ROLE]);
    });

    it('changed: GitHub OIDC with sub "repo:*" admits every repository: high, unscoped, no containment (before: low)', () => {
      const document = trust({ Federated: GITHUB }, { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } }, "sts:AssumeRoleWithWebIdentity");
      const finding = findingOf(updateTrust(document), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual(["trust-oidc-unscoped"]);
      expect(finding.reasons.join(" ")).toMatch(/"repo:\*" names no repository owner/);
      expect(finding.actions).toEqual([]);
    });

    it('GitHub OIDC with sub "repo:example-org/*" admits one owner\'s repositories: medium, the owner named to verify', () => {
      const document = trust({ Federated: GITHUB }, { StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/*" } }, "sts:AssumeRoleWithWebIdentity");
      const finding = findingOf(updateTrust(document), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.signals).toEqual([]);
      expect(finding.reasons.join(" ")).toMatch(/GitHub owner "example-org".*verify/);
    });
  });

  describe("IAM Roles Anywhere", () => {
    it("changed: a role trusting rolesanywhere.amazonaws.com with no condition is high: any trust anchor's certificates become it (before: low, as any AWS service)", () => {
      const finding = findingOf(createRole(trust({ Service: "rolesanywhere.amazonaws.com" }, undefined, "sts:AssumeRole")), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.signals).toEqual([]);
      expect(finding.reasons.join(" ")).toMatch(/any trust anchor in the account/);
      expect(finding.actions).toEqual([]);
    });

    it("a role trusting Roles Anywhere only through one trust anchor (aws:SourceArn) is medium", () => {
      const finding = findingOf(createRole(trust({ Service: "rolesanywhere.amazonaws.com" }, { ArnEquals: { "aws:SourceArn": ANCHOR_ARN } })), RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.reasons.join(" ")).toContain(ANCHOR_ARN);
    });

    it("CreateTrustAnchor with an uploaded CA certificate is high: an outside CA can now mint credentials for roles", () => {
      const record = rolesAnywhere("CreateTrustAnchor", { name: "corp-ca", enabled: true, source: CA_BUNDLE });
      const finding = findingOf({ ...eventBridge(record), source: "aws.rolesanywhere" }, RULE);
      expect(finding.severity).toBe("high");
      expect(finding.title).toBe("IAM Roles Anywhere trust anchor created");
      expect(finding.summary).toBe('role "platform-admin" (session "sam") created IAM Roles Anywhere trust anchor "corp-ca": succeeded');
      expect(finding.reasons.join(" ")).toMatch(/CA certificate uploaded with the call \("CERTIFICATE_BUNDLE"\)/);
      expect(finding.target).toEqual({ kind: "trust-anchor", name: "corp-ca", arn: ANCHOR_ARN });
      expect(finding.technique.id).toBe("T1098.001");
      expect(finding.signals).toEqual([]);
      expect(finding.actions).toEqual([]);
      expect(finding.evidence).toBeUndefined();
    });

    it("a failed CreateTrustAnchor is medium (an attempt at persistence), never acted on", () => {
      const record = rolesAnywhere("CreateTrustAnchor", { name: "corp-ca", source: CA_BUNDLE }, { errorCode: "AccessDeniedException", responseElements: null });
      const finding = findingOf(record, RULE);
      expect(finding.severity).toBe("medium");
      expect(finding.summary).toMatch(/failed \(AccessDeniedException\)$/);
      expect(finding.reasons).toContain("capped at medium: the call failed");
      expect(finding.actions).toEqual([]);
    });

    it("a failed trust policy change stays low: failedCallCap medium is for trust anchors only", () => {
      const finding = findingOf(updateTrust(trust({ AWS: OTHER_ACCOUNT }), { errorCode: "AccessDenied" }), RULE);
      expect(finding.severity).toBe("low");
      expect(finding.reasons).toContain("capped at low: the call failed");
    });

    it("a trust anchor created disabled is still high (enabling it later is one call), and says so", () => {
      const finding = findingOf(rolesAnywhere("CreateTrustAnchor", { name: "corp-ca", enabled: false, source: CA_BUNDLE }), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.reasons.join(" ")).toMatch(/created disabled/);
    });

    it.each<[string, string, string]>([
      ["in this account", `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`, "medium"],
      ["in an untrusted account", `arn:aws:acm-pca:us-east-1:${OTHER_ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`, "high"],
      ["that is not an ARN", "not-an-arn", "high"],
    ])("CreateTrustAnchor with an AWS Private CA %s", (_label, acmPcaArn, severity) => {
      const finding = findingOf(rolesAnywhere("CreateTrustAnchor", { name: "corp-ca", source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn } } }), RULE);
      expect(finding.severity).toBe(severity);
      expect(finding.reasons.join(" ")).toContain(JSON.stringify(acmPcaArn));
    });

    it("a trust anchor whose source claims a Private CA but carries a certificate is judged by the certificate: high", () => {
      const source = { sourceType: "AWS_ACM_PCA", sourceData: { x509CertificateData: PEM } };
      expect(findingOf(rolesAnywhere("CreateTrustAnchor", { name: "corp-ca", source }), RULE).severity).toBe("high");
    });

    it("UpdateTrustAnchor replacing the CA is high; a rename alone raises nothing", () => {
      const replaced = findingOf(rolesAnywhere("UpdateTrustAnchor", { trustAnchorId: "0e3b6a1c-4f5d-4c2b-9a8e-7d6c5b4a3f21", source: CA_BUNDLE }), RULE);
      expect(replaced.severity).toBe("high");
      expect(replaced.title).toBe("IAM Roles Anywhere trust anchor's CA replaced");
      expect(replaced.target).toMatchObject({ kind: "trust-anchor", arn: ANCHOR_ARN });
      const renamed = rolesAnywhere("UpdateTrustAnchor", { trustAnchorId: "0e3b6a1c-4f5d-4c2b-9a8e-7d6c5b4a3f21", name: "corp-ca-2025" });
      expect(findingsOf(analyse(renamed))).toEqual([]);
    });

    it("a trust anchor call whose parameters were not recorded is high: the CA cannot be ruled out", () => {
      const finding = findingOf(rolesAnywhere("CreateTrustAnchor", null), RULE);
      expect(finding.severity).toBe("high");
      expect(finding.reasons.join(" ")).toMatch(/not recorded/);
      expect(findingOf(rolesAnywhere("UpdateTrustAnchor", null), RULE).severity).toBe("high");
    });

    it("ignores CreateTrustAnchor from another event source, and other Roles Anywhere calls", () => {
      expect(findingsOf(analyse(rolesAnywhere("CreateTrustAnchor", { name: "x", source: CA_BUNDLE }, { eventSource: "iam.amazonaws.com" })))).toEqual([]);
      expect(findingsOf(analyse(rolesAnywhere("CreateProfile", { name: "p", roleArns: [`arn:aws:iam::${ACCOUNT}:role/app`] })))).toEqual([]);
      expect(findingsOf(analyse(updateTrust(trust("*"), { eventSource: "rolesanywhere.amazonaws.com" })))).toEqual([]);
    });

    it("routes the Roles Anywhere calls through the rule's metadata, so the rendered EventBridge pattern carries them", () => {
      expect(roleTrustUpdate.eventNames).toEqual(expect.arrayContaining(["CreateTrustAnchor", "UpdateTrustAnchor"]));
      expect(roleTrustUpdate.eventSources).toEqual(expect.arrayContaining(["iam.amazonaws.com", "rolesanywhere.amazonaws.com"]));
      const [calls] = renderPatterns([roleTrustUpdate], []);
      expect(calls?.pattern).toMatchObject({
        detail: {
          eventSource: ["iam.amazonaws.com", "rolesanywhere.amazonaws.com"],
          eventName: ["CreateRole", "CreateTrustAnchor", "UpdateAssumeRolePolicy", "UpdateTrustAnchor"],
        },
      });
    });
  });
});
