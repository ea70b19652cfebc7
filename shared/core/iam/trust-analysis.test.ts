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

  it("GitHub OIDC without sub is high; with sub (any operator, any case) is low", () => {
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
});
