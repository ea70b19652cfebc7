import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "./policy-document.js";
import { analyseTrust } from "./trust-analysis.js";

const OWN = "111122223333";
const OTHER = "444455556666";
const PARTNER = "777788889999";
const GITHUB = `arn:aws:iam::${OWN}:oidc-provider/token.actions.githubusercontent.com`;

function judge(statements: Record<string, unknown>[], trusted: string[] = []) {
  const result = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
  if (!result.ok) throw new Error(result.reason);
  return analyseTrust(result.document, OWN, new Set(trusted));
}

function allow(principal: unknown, condition?: Record<string, unknown>) {
  return { Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) };
}

describe("analyseTrust", () => {
  it.each<[string, unknown]>([
    ['"*"', "*"],
    ['{"AWS": "*"}', { AWS: "*" }],
  ])("Principal %s is critical and public", (_label, principal) => {
    const verdict = judge([allow(principal)]);
    expect(verdict.severity).toBe("critical");
    expect(verdict.signals).toEqual(["trust-public"]);
  });

  it.each(["aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:SourceArn"])('Principal "*" pinned by %s is high, not public', (key) => {
    const verdict = judge([allow("*", { StringEquals: { [key]: "x" } })]);
    expect(verdict.severity).toBe("high");
    expect(verdict.signals).toEqual([]);
  });

  it('Principal "*" with only sts:ExternalId stays critical (ExternalId does not pin an account)', () => {
    expect(judge([allow("*", { StringEquals: { "sts:ExternalId": "x" } })]).severity).toBe("critical");
  });

  it("NotPrincipal in an Allow is critical", () => {
    expect(judge([{ Effect: "Allow", NotPrincipal: { AWS: OWN }, Action: "sts:AssumeRole" }]).severity).toBe("critical");
  });

  it.each([OTHER, `arn:aws:iam::${OTHER}:root`, `arn:aws:iam::${OTHER}:user/x`, `arn:aws:sts::${OTHER}:assumed-role/r/s`])(
    "untrusted account principal %s without ExternalId is critical",
    (principal) => {
      const verdict = judge([allow({ AWS: principal })]);
      expect(verdict.severity).toBe("critical");
      expect(verdict.signals).toEqual(["trust-untrusted-account"]);
      expect(verdict.findings[0]?.reason).toContain(OTHER);
    },
  );

  it("untrusted account with sts:ExternalId is high", () => {
    const verdict = judge([allow({ AWS: `arn:aws:iam::${OTHER}:root` }, { StringEquals: { "sts:ExternalId": "abc" } })]);
    expect(verdict.severity).toBe("high");
    expect(verdict.signals).toEqual(["trust-untrusted-account"]);
  });

  it("own account and trusted accounts are low", () => {
    const verdict = judge([allow({ AWS: [OWN, `arn:aws:iam::${PARTNER}:role/ci`] })], [PARTNER]);
    expect(verdict.severity).toBe("low");
    expect(verdict.signals).toEqual([]);
    expect(verdict.findings.map((finding) => finding.reason).join(" ")).toMatch(/this account.*trusted account/);
  });

  it("an AWS principal that is neither account nor ARN is medium", () => {
    expect(judge([allow({ AWS: "AIDAEXAMPLEUNIQUEID" })]).severity).toBe("medium");
  });

  it("an ARN with wildcards in its resource still names its account", () => {
    expect(judge([allow({ AWS: `arn:aws-us-gov:iam::${OTHER}:role/*` })]).signals).toEqual(["trust-untrusted-account"]);
  });

  it.each([`arn:aws:iam::${OTHER}:`, `arn:awsX:iam::${OTHER}:root`])(
    "changed: %s (no resource, or no real partition) is not an ARN trailguard can check, as IAM would refuse it (before: its account was judged)",
    (principal) => {
      const verdict = judge([allow({ AWS: principal })]);
      expect(verdict.severity).toBe("medium");
      expect(verdict.findings[0]?.reason).toMatch(/not an account or ARN trailguard can check/);
    },
  );

  it("changed: GitHub OIDC without sub is high; with a sub naming one repository (the key in any case) is low (before: any sub under any operator was low)", () => {
    const aud = { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } };
    expect(judge([allow({ Federated: GITHUB }, aud)])).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
    const sub = { ...aud, StringLike: { "Token.Actions.GithubUserContent.com:SUB": "repo:org/app:*" } };
    expect(judge([allow({ Federated: GITHUB }, sub)])).toMatchObject({ severity: "low", signals: [] });
  });

  it("a SAML provider is low", () => {
    expect(judge([allow({ Federated: `arn:aws:iam::${OWN}:saml-provider/okta` })]).severity).toBe("low");
  });

  it("a service principal is low", () => {
    expect(judge([allow({ Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] })])).toMatchObject({ severity: "low", signals: [] });
  });

  it("ignores Deny statements, and a policy without Allow is low", () => {
    const verdict = judge([{ Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }]);
    expect(verdict.severity).toBe("low");
    expect(verdict.signals).toEqual([]);
  });

  it("takes the worst principal and sorts findings worst first", () => {
    const verdict = judge([allow({ Service: "ec2.amazonaws.com" }), allow({ AWS: OTHER })]);
    expect(verdict.severity).toBe("critical");
    expect(verdict.findings.map((finding) => finding.severity)).toEqual(["critical", "low"]);
  });

  it("treats the trusted set as exact account ids", () => {
    expect(judge([allow({ AWS: OTHER })], [PARTNER]).severity).toBe("critical");
  });

  it("an unknown own account does not make every account trusted", () => {
    const result = parsePolicyDocument({ Statement: allow({ AWS: OTHER }) });
    if (!result.ok) throw new Error(result.reason);
    expect(analyseTrust(result.document, undefined, new Set()).severity).toBe("critical");
  });

  describe("conditions are judged by operator and value, not by the key's presence (attacker's look-alikes first)", () => {
    const ANCHOR = `arn:aws:rolesanywhere:us-east-1:${OWN}:trust-anchor/0e3b6a1c-4f5d-4c2b-9a8e-7d6c5b4a3f21`;

    it.each<[string, Record<string, unknown>]>([
      ['StringLike aws:PrincipalArn "*"', { StringLike: { "aws:PrincipalArn": "*" } }],
      ['StringLike aws:PrincipalArn "arn:aws:iam::*:*"', { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:*" } }],
      ['ArnLike aws:PrincipalArn "arn:aws:iam::*:root"', { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" } }],
      ['ArnLike aws:PrincipalArn "arn:*"', { ArnLike: { "aws:PrincipalArn": "arn:*" } }],
      ['StringLike aws:PrincipalOrgID "o-*"', { StringLike: { "aws:PrincipalOrgID": "o-*" } }],
      ['StringLike aws:PrincipalAccount "????????????"', { StringLike: { "aws:PrincipalAccount": "????????????" } }],
      ["StringLike aws:PrincipalAccount with one concrete value and a wildcard", { StringLike: { "aws:PrincipalAccount": [OWN, "*"] } }],
      ['StringLike aws:PrincipalOrgPaths "*/r-ab12/*"', { StringLike: { "aws:PrincipalOrgPaths": "*/r-ab12/*" } }],
      ["StringEquals aws:PrincipalAccount with a policy variable (always the caller's own)", { StringEquals: { "aws:PrincipalAccount": "${aws:PrincipalAccount}" } }],
      ["StringNotEquals aws:PrincipalOrgID (everyone outside that organization)", { StringNotEquals: { "aws:PrincipalOrgID": "o-abc123def4" } }],
      ["StringNotLike aws:PrincipalArn", { StringNotLike: { "aws:PrincipalArn": `arn:aws:iam::${OTHER}:*` } }],
      ["ArnNotEquals aws:SourceArn", { ArnNotEquals: { "aws:SourceArn": `arn:aws:s3:::${OTHER}-bucket` } }],
      ['Null {"aws:PrincipalOrgID": "false"} (some organization, any)', { Null: { "aws:PrincipalOrgID": "false" } }],
      ["StringEqualsIfExists aws:SourceAccount (absent for direct callers)", { StringEqualsIfExists: { "aws:SourceAccount": OWN } }],
      ["StringEqualsIfExists aws:PrincipalOrgID (absent outside any organization)", { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123def4" } }],
      ["ForAllValues:StringEquals aws:PrincipalOrgID (true when the key is absent)", { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123def4" } }],
      ["an operator IAM does not spell that way (stringequals)", { stringequals: { "aws:PrincipalOrgID": "o-abc123def4" } }],
      ["an empty list of values", { StringEquals: { "aws:PrincipalOrgID": [] } }],
    ])('Principal "*" with %s is not pinned: critical and public', (_label, condition) => {
      const verdict = judge([allow("*", condition)]);
      expect(verdict.severity).toBe("critical");
      expect(verdict.signals).toEqual(["trust-public"]);
      expect(verdict.findings[0]?.reason).toMatch(/Principal "\*": any AWS identity in any account may assume the role; its conditions do not pin it: /);
    });

    it('explains why a condition does not pin, with the attacker\'s text quoted', () => {
      const reason = judge([allow("*", { StringLike: { "aws:PrincipalArn": "*" }, 'StringEquals"\n': { "aws:PrincipalOrgID": "o-abc123def4" } })]).findings[0]?.reason ?? "";
      expect(reason).toContain('StringLike aws:PrincipalArn: "*" does not name one account');
      expect(reason).toContain('"StringEquals\\"\\n" aws:PrincipalOrgID: not one of the operators that pin (StringEquals, StringLike, ArnEquals, ArnLike)');
      expect(reason).not.toContain("\n");
    });

    it.each<[string, Record<string, unknown>, string]>([
      ["StringEquals aws:PrincipalOrgID", { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } }, '"o-abc123def4"'],
      ["ForAnyValue:StringEquals aws:PrincipalOrgID", { "ForAnyValue:StringEquals": { "aws:PrincipalOrgID": "o-abc123def4" } }, '"o-abc123def4"'],
      ["StringLike aws:PrincipalOrgPaths fixed to one organization", { StringLike: { "aws:PrincipalOrgPaths": "o-abc123def4/r-ab12/ou-ab12-11111111/*" } }, '"o-abc123def4"'],
      ["StringEquals aws:SourceOrgID", { StringEquals: { "aws:SourceOrgID": "o-abc123def4" } }, '"o-abc123def4"'],
    ])('Principal "*" pinned by %s to an organization is high ("verify"), not public', (_label, condition, named) => {
      const verdict = judge([allow("*", condition)]);
      expect(verdict.severity).toBe("high");
      expect(verdict.signals).toEqual([]);
      expect(verdict.findings[0]?.reason).toContain(`organization ${named}`);
      expect(verdict.findings[0]?.reason).toMatch(/verify/);
    });

    it.each<[string, Record<string, unknown>]>([
      ["StringEquals aws:PrincipalAccount", { StringEquals: { "aws:PrincipalAccount": OWN } }],
      ["ArnLike aws:PrincipalArn", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:role/ci-*` } }],
      ["StringLike aws:PrincipalArn", { StringLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:*` } }],
      ["StringEquals aws:SourceAccount", { StringEquals: { "aws:SourceAccount": OWN } }],
    ])('Principal "*" pinned by %s to this account is rated like this account: low', (_label, condition) => {
      const verdict = judge([allow("*", condition)]);
      expect(verdict).toMatchObject({ severity: "low", signals: [] });
      expect(verdict.findings[0]?.reason).toMatch(new RegExp(`pinned by .* to ${OWN} \\(this account\\)`));
    });

    it('Principal "*" pinned to a trusted account is low; to an untrusted one it is that account\'s rating', () => {
      expect(judge([allow("*", { StringEquals: { "aws:PrincipalAccount": PARTNER } })], [PARTNER]).findings[0]?.reason).toMatch(/a trusted account/);
      expect(judge([allow("*", { StringEquals: { "aws:PrincipalAccount": PARTNER } })], [PARTNER]).severity).toBe("low");
      const open = judge([allow("*", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OTHER}:role/*` } })]);
      expect(open).toMatchObject({ severity: "critical", signals: ["trust-untrusted-account"] });
      expect(open.findings[0]?.reason).toContain(`untrusted account ${OTHER}`);
      const vendor = judge([allow("*", { StringEquals: { "aws:PrincipalAccount": OTHER, "sts:ExternalId": "vendor-42" } })]);
      expect(vendor).toMatchObject({ severity: "high", signals: ["trust-untrusted-account"] });
    });

    it("conditions are ANDed: one real pin holds even beside conditions that pin nothing; values are ORed: one open value opens the pin", () => {
      const anded = judge([allow("*", { StringLike: { "aws:PrincipalArn": "*" }, StringEquals: { "aws:PrincipalAccount": OWN } })]);
      expect(anded.severity).toBe("low");
      const ored = judge([allow("*", { StringEquals: { "aws:PrincipalAccount": [OWN, OTHER] } })]);
      expect(ored).toMatchObject({ severity: "critical", signals: ["trust-untrusted-account"] });
      // Two pins: the role is open only to who passes both, so the narrower one rates it.
      expect(judge([allow("*", { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4", "aws:PrincipalAccount": OWN } })]).severity).toBe("low");
    });

    it.each<[string, Record<string, unknown>]>([
      ['Null {"sts:ExternalId": "true"} (the id must be absent)', { Null: { "sts:ExternalId": "true" } }],
      ['Null {"sts:ExternalId": "false"} (any id)', { Null: { "sts:ExternalId": "false" } }],
      ['StringLike "*"', { StringLike: { "sts:ExternalId": "*" } }],
      ['StringLike "????"', { StringLike: { "sts:ExternalId": "????" } }],
      ["StringEquals with a policy variable", { StringEquals: { "sts:ExternalId": "${aws:PrincipalAccount}" } }],
      ["StringEqualsIfExists (holds when no id is passed)", { StringEqualsIfExists: { "sts:ExternalId": "vendor-42" } }],
      ["ForAllValues:StringEquals (holds when no id is passed)", { "ForAllValues:StringEquals": { "sts:ExternalId": "vendor-42" } }],
      ["StringNotEquals", { StringNotEquals: { "sts:ExternalId": "vendor-42" } }],
      ["ArnEquals (not a string match)", { ArnEquals: { "sts:ExternalId": "vendor-42" } }],
    ])("an untrusted account with sts:ExternalId under %s is treated as without one: critical", (_label, condition) => {
      const verdict = judge([allow({ AWS: `arn:aws:iam::${OTHER}:root` }, condition)]);
      expect(verdict).toMatchObject({ severity: "critical", signals: ["trust-untrusted-account"] });
      expect(verdict.findings[0]?.reason).toMatch(/without an sts:ExternalId condition that requires a fixed id \(/);
    });

    it.each<[string, Record<string, unknown>]>([
      ["StringEquals", { StringEquals: { "sts:ExternalId": "vendor-42" } }],
      ["StringLike without wildcards", { StringLike: { "sts:ExternalId": ["vendor-42", "vendor-43"] } }],
      ["ForAnyValue:StringEquals", { "ForAnyValue:StringEquals": { "sts:ExternalId": "vendor-42" } }],
      ["StringEquals beside a Null check that it is present", { StringEquals: { "sts:ExternalId": "vendor-42" }, Null: { "sts:ExternalId": "false" } }],
    ])("an untrusted account with sts:ExternalId required by %s is high", (_label, condition) => {
      const verdict = judge([allow({ AWS: OTHER }, condition)]);
      expect(verdict).toMatchObject({ severity: "high", signals: ["trust-untrusted-account"] });
      expect(verdict.findings[0]?.reason).toMatch(/with an sts:ExternalId condition/);
    });

    const web = (condition: Record<string, unknown>, provider = GITHUB) => judge([{ ...allow({ Federated: provider }, condition), Action: "sts:AssumeRoleWithWebIdentity" }]);
    const SUB = "token.actions.githubusercontent.com:sub";
    const AUD = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

    it.each<[string, Record<string, unknown>]>([
      ['sub "*"', { StringLike: { [SUB]: "*" } }],
      ['sub "repo:*"', { StringLike: { [SUB]: "repo:*" } }],
      ['sub "repo:*/*"', { StringLike: { [SUB]: "repo:*/*" } }],
      ['sub "repo:*/infra:ref:refs/heads/main"', { StringLike: { [SUB]: "repo:*/infra:ref:refs/heads/main" } }],
      ['sub "repo:example-org*" (an owner anyone can register)', { StringLike: { [SUB]: "repo:example-org*" } }],
      ['sub "?*"', { StringLike: { [SUB]: "?*" } }],
      ['sub "environment:prod" (names no repository: any owner can choose that subject format)', { StringEquals: { [SUB]: "environment:prod" } }],
      ["sub as a policy variable", { StringLike: { [SUB]: "${token.actions.githubusercontent.com:sub}" } }],
      ["one repository or every repository", { StringLike: { [SUB]: ["repo:example-org/app:*", "repo:*"] } }],
      ["sub under StringNotEquals", { StringNotEquals: { [SUB]: "repo:evil/x:ref:refs/heads/main" } }],
      ["sub under StringLikeIfExists", { StringLikeIfExists: { [SUB]: "repo:example-org/app:*" } }],
      ["sub under ForAllValues:StringLike", { "ForAllValues:StringLike": { [SUB]: "repo:example-org/app:*" } }],
      ['sub only tested with Null "false"', { Null: { [SUB]: "false" } }],
    ])("GitHub OIDC with %s admits every repository: high, unscoped", (_label, condition) => {
      const verdict = web({ StringEquals: AUD, ...condition });
      expect(verdict).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
      expect(verdict.findings[0]?.reason).toContain('"token.actions.githubusercontent.com:sub"');
    });

    it('GitHub OIDC with sub "repo:example-org/*" admits one owner\'s repositories: medium, named, no signal', () => {
      const verdict = web({ StringEquals: AUD, StringLike: { [SUB]: "repo:example-org/*" } });
      expect(verdict).toMatchObject({ severity: "medium", signals: [] });
      expect(verdict.findings[0]?.reason).toMatch(/every repository of GitHub owner "example-org".*verify/);
      expect(web({ StringLike: { [SUB]: "repository_owner_id:1234567:*" } })).toMatchObject({ severity: "medium", signals: [] });
    });

    it.each([
      "repo:example-org/app:ref:refs/heads/main",
      "repo:example-org/app:*",
      "repo:example-org/app:environment:prod",
      "repository_id:987654321:*",
    ])("GitHub OIDC with sub %s names one repository: low", (sub) => {
      expect(web({ StringEquals: AUD, StringLike: { [SUB]: sub } })).toMatchObject({ severity: "low", signals: [] });
    });

    it("sub conditions are ANDed: a narrow one holds beside an open one", () => {
      expect(web({ StringLike: { [SUB]: "repo:*" }, StringEquals: { [SUB]: "repo:example-org/app:ref:refs/heads/main" } }).severity).toBe("low");
    });

    it("aud alone never scopes, even under StringEquals; Cognito's aud (the identity pool) does when it is concrete", () => {
      expect(web({ StringEquals: AUD })).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
      const cognito = (aud: string) => web({ StringEquals: { "cognito-identity.amazonaws.com:aud": aud } }, "cognito-identity.amazonaws.com");
      expect(cognito("us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab")).toMatchObject({ severity: "low", signals: [] });
      expect(cognito("*")).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
      expect(cognito("us-east-1:*")).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
    });

    it("other OIDC providers: a sub that fixes a value is low, a bare wildcard is high", () => {
      const eks = `arn:aws:iam::${OWN}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789`;
      const key = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub";
      expect(web({ StringEquals: { [key]: "system:serviceaccount:apps:deployer" } }, eks)).toMatchObject({ severity: "low" });
      expect(web({ StringLike: { [key]: "system:serviceaccount:apps:*" } }, eks)).toMatchObject({ severity: "low" });
      expect(web({ StringLike: { [key]: "*" } }, eks)).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
      expect(web({ StringLike: { [key]: "*:*" } }, eks)).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
    });

    it('a provider listed beside a pinned "*" is judged on its own: the pin does not hide it', () => {
      const verdict = judge([{ ...allow({ AWS: "*", Federated: GITHUB }, { StringEquals: { "aws:PrincipalAccount": OWN } }), Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"] }]);
      expect(verdict).toMatchObject({ severity: "high", signals: ["trust-oidc-unscoped"] });
      expect(verdict.findings.map((finding) => finding.severity)).toEqual(["high", "low"]);
    });

    it("IAM Roles Anywhere without a condition naming a trust anchor or certificate is high: any CA registered in the account can mint the role", () => {
      const verdict = judge([allow({ Service: "rolesanywhere.amazonaws.com" })]);
      expect(verdict).toMatchObject({ severity: "high", signals: [] });
      expect(verdict.findings[0]?.reason).toMatch(/IAM Roles Anywhere.*any trust anchor/);
    });

    it.each<[string, Record<string, unknown>]>([
      ['ArnLike aws:SourceArn "…:trust-anchor/*" (any anchor)', { ArnLike: { "aws:SourceArn": `arn:aws:rolesanywhere:us-east-1:${OWN}:trust-anchor/*` } }],
      ["StringEquals aws:SourceAccount (any anchor in the account)", { StringEquals: { "aws:SourceAccount": OWN } }],
      ['StringLike aws:PrincipalTag/x509Subject/CN "*"', { StringLike: { "aws:PrincipalTag/x509Subject/CN": "*" } }],
      ["StringNotEquals aws:PrincipalTag/x509Subject/CN", { StringNotEquals: { "aws:PrincipalTag/x509Subject/CN": "revoked-host" } }],
      ["ArnEqualsIfExists aws:SourceArn", { ArnEqualsIfExists: { "aws:SourceArn": ANCHOR } }],
    ])("IAM Roles Anywhere with only %s is still high", (_label, condition) => {
      expect(judge([allow({ Service: "rolesanywhere.amazonaws.com" }, condition)])).toMatchObject({ severity: "high", signals: [] });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ["ArnEquals aws:SourceArn naming one trust anchor", { ArnEquals: { "aws:SourceArn": ANCHOR } }, ANCHOR],
      ["StringEquals aws:PrincipalTag/x509Subject/CN", { StringEquals: { "aws:PrincipalTag/x509Subject/CN": "build-agent-1" } }, "build-agent-1"],
      ["StringLike aws:PrincipalTag/x509SAN/DNS", { StringLike: { "aws:PrincipalTag/x509SAN/DNS": "*.build.example.com" } }, "*.build.example.com"],
    ])("IAM Roles Anywhere pinned by %s is medium, naming the pin", (_label, condition, named) => {
      const verdict = judge([allow({ Service: ["rolesanywhere.amazonaws.com"] }, condition)]);
      expect(verdict).toMatchObject({ severity: "medium", signals: [] });
      expect(verdict.findings[0]?.reason).toContain(JSON.stringify(named));
    });
  });
});

describe("identity-provider subjects that only look narrow (red-team findings)", () => {
  const oidc = (host: string, condition: Record<string, unknown>) =>
    analyseTrust(
      { statements: [{ sid: undefined, effect: "Allow", actions: ["sts:AssumeRoleWithWebIdentity"], notActions: undefined, resources: [], notResources: undefined, principal: { anyone: false, aws: [], service: [], federated: [host], canonicalUser: [] }, notPrincipal: undefined, conditions: conditionsOf(condition) }], size: 0, json: {} },
      "111122223333",
      new Set(),
    );
  function conditionsOf(condition: Record<string, unknown>): Map<string, Map<string, string[]>> {
    return new Map(Object.entries(condition).map(([operator, block]) => [operator, new Map(Object.entries(block as Record<string, string | string[]>).map(([key, value]) => [key.toLowerCase(), ([] as string[]).concat(value)]))]));
  }

  it("a Cognito pool that admits unauthenticated identities is anyone on the internet: high", () => {
    const verdict = oidc("cognito-identity.amazonaws.com", { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:0000-pool" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" } });
    expect([verdict.severity, ...verdict.signals]).toEqual(["high", "trust-oidc-unscoped"]);
    const authenticated = oidc("cognito-identity.amazonaws.com", { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:0000-pool" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" } });
    expect(authenticated.severity).toBe("low");
  });

  it("an EKS subject that names no namespace admits every pod: high; one namespace is scoped", () => {
    const host = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF";
    expect(oidc(host, { StringLike: { "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub": "system:serviceaccount:*" } }).severity).toBe("high");
    expect(oidc(host, { StringLike: { "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub": "system:serviceaccount:payments:*" } }).severity).toBe("low");
  });

  it("a GitHub subject pinned to a reusable workflow admits whoever calls it: medium, verify", () => {
    const verdict = oidc("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", { StringEquals: { "token.actions.githubusercontent.com:sub": "job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main" } });
    expect(verdict.severity).toBe("medium");
  });
});
