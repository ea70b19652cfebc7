import { describe, expect, it } from "vitest";
import { conditionKeys, conditionValues, parsePolicyDocument, wildcardMatches } from "./policy-document.js";

const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const DOC = { Version: "2012-10-17", Statement: [ADMIN] };

function parsed(input: unknown) {
  const result = parsePolicyDocument(input);
  if (!result.ok) throw new Error(`expected a document, got: ${result.reason}`);
  return result.document;
}

describe("parsePolicyDocument", () => {
  describe("shapes", () => {
    it.each<[string, unknown]>([
      ["a JSON string", JSON.stringify(DOC)],
      ["a JSON string with surrounding whitespace", `\n  ${JSON.stringify(DOC, null, 2)}  \n`],
      ["a URL-encoded JSON string", encodeURIComponent(JSON.stringify(DOC))],
      ["a URL-encoded string with + for spaces", encodeURIComponent(JSON.stringify(DOC, null, 1)).replace(/%20/g, "+")],
      ["an object", DOC],
      ["Statement as a single object", { Version: "2012-10-17", Statement: ADMIN }],
      ["Action and Resource as lists", { Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }] }],
    ])("parses %s", (_label, input) => {
      const document = parsed(input);
      expect(document.statements).toHaveLength(1);
      expect(document.statements[0]).toMatchObject({ effect: "Allow", actions: ["*"], resources: ["*"], notActions: undefined, notResources: undefined });
    });

    it("normalises NotAction, NotResource and Sid", () => {
      const document = parsed({ Statement: { Sid: "S1", Effect: "Deny", NotAction: "iam:*", NotResource: ["arn:aws:s3:::a", "arn:aws:s3:::b"] } });
      expect(document.statements[0]).toMatchObject({
        sid: "S1",
        effect: "Deny",
        actions: [],
        notActions: ["iam:*"],
        resources: [],
        notResources: ["arn:aws:s3:::a", "arn:aws:s3:::b"],
      });
    });

    it("records the size of a string document", () => {
      const text = JSON.stringify(DOC);
      expect(parsed(text).size).toBe(text.length);
      expect(parsed(DOC).size).toBeGreaterThan(0);
    });

    it("keeps statements in order", () => {
      const document = parsed({ Statement: [{ Sid: "a", ...ADMIN }, { Sid: "b", Effect: "Deny", Action: "s3:*", Resource: "*" }] });
      expect(document.statements.map((statement) => statement.sid)).toEqual(["a", "b"]);
    });
  });

  describe("principals", () => {
    it('parses Principal "*" as anyone', () => {
      expect(parsed({ Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" } }).statements[0]?.principal).toEqual({
        anyone: true,
        aws: [],
        service: [],
        federated: [],
        canonicalUser: [],
      });
    });

    it('parses {"AWS": "*"} as anyone', () => {
      expect(parsed({ Statement: { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" } }).statements[0]?.principal?.anyone).toBe(true);
    });

    it("parses AWS, Service, Federated and CanonicalUser as strings or lists", () => {
      const principal = parsed({
        Statement: {
          Effect: "Allow",
          Principal: { AWS: ["111122223333", "arn:aws:iam::444455556666:root"], Service: "ec2.amazonaws.com", Federated: "accounts.google.com", CanonicalUser: "abc" },
          Action: "sts:AssumeRole",
        },
      }).statements[0]?.principal;
      expect(principal).toEqual({
        anyone: false,
        aws: ["111122223333", "arn:aws:iam::444455556666:root"],
        service: ["ec2.amazonaws.com"],
        federated: ["accounts.google.com"],
        canonicalUser: ["abc"],
      });
    });

    it("parses NotPrincipal", () => {
      const statement = parsed({ Statement: { Effect: "Allow", NotPrincipal: { AWS: "111122223333" }, Action: "sts:AssumeRole" } }).statements[0];
      expect(statement?.principal).toBeUndefined();
      expect(statement?.notPrincipal?.aws).toEqual(["111122223333"]);
    });

    it("rejects a Principal that is neither * nor an object", () => {
      expect(parsePolicyDocument({ Statement: { Effect: "Allow", Principal: "111122223333", Action: "sts:AssumeRole" } })).toEqual({
        ok: false,
        reason: expect.stringMatching(/Principal/),
      });
    });
  });

  describe("conditions", () => {
    it("lower-cases condition keys and collects values across operators", () => {
      const statement = parsed({
        Statement: {
          Effect: "Allow",
          Principal: "*",
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" }, StringLike: { "AWS:PrincipalOrgID": ["o-4*"], "sts:ExternalId": 42 } },
        },
      }).statements[0];
      if (!statement) throw new Error("no statement");
      expect(conditionKeys(statement)).toEqual(new Set(["aws:principalorgid", "sts:externalid"]));
      expect(conditionValues(statement, "AWS:PRINCIPALORGID")).toEqual(["o-123", "o-4*"]);
      expect(conditionValues(statement, "sts:ExternalId")).toEqual(["42"]);
    });

    it("rejects a Condition block that is not an object of objects", () => {
      const result = parsePolicyDocument({ Statement: { ...ADMIN, Condition: { StringEquals: "x" } } });
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/Condition/) });
    });
  });

  describe("rejections", () => {
    it("rejects invalid URL encoding with a reason", () => {
      expect(parsePolicyDocument("%7B%22Statement%22%3A%ZZ")).toEqual({ ok: false, reason: expect.stringMatching(/URL encoding/) });
    });

    it("rejects a truncated percent sequence", () => {
      expect(parsePolicyDocument("%7B%22Statement%22%3A%E0%A4%A")).toEqual({ ok: false, reason: expect.stringMatching(/URL encoding/) });
    });

    it("rejects a statement without Effect", () => {
      expect(parsePolicyDocument({ Statement: [{ Action: "*", Resource: "*" }] })).toEqual({
        ok: false,
        reason: expect.stringMatching(/Statement\[0\].*Effect/),
      });
    });

    it.each(["allow", "Permit", 1])("rejects Effect %j", (effect) => {
      expect(parsePolicyDocument({ Statement: [{ Effect: effect, Action: "*", Resource: "*" }] }).ok).toBe(false);
    });

    it("names the index of the bad statement", () => {
      const result = parsePolicyDocument({ Statement: [ADMIN, { Effect: "Allow", Action: 5, Resource: "*" }] });
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/Statement\[1\].*Action/) });
    });

    it.each<[string, unknown, RegExp]>([
      ["invalid JSON", "{ nope", /not valid JSON/],
      ["a JSON array", "[]", /not a JSON object/],
      ["a number", 42, /not a JSON object/],
      ["null", null, /not a JSON object/],
      ["no Statement", { Version: "2012-10-17" }, /no Statement/],
      ["a statement that is a string", { Statement: ["Allow *"] }, /not an object/],
      ["Resource of numbers", { Statement: { Effect: "Allow", Action: "*", Resource: [1, 2] } }, /Resource/],
    ])("rejects %s", (_label, input, reason) => {
      expect(parsePolicyDocument(input)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    });

    it("does not throw on a cyclic object", () => {
      const cyclic: Record<string, unknown> = { Statement: [ADMIN] };
      cyclic.self = cyclic;
      expect(parsePolicyDocument(cyclic).ok).toBe(true);
    });
  });
});

describe("wildcardMatches", () => {
  it.each<[string, string, boolean]>([
    ["*", "iam:PassRole", true],
    ["iam:*", "iam:PassRole", true],
    ["iam:Pass*", "iam:passrole", true],
    ["IAM:*", "iam:PassRole", true],
    ["iam:?assRole", "iam:PassRole", true],
    ["iam:Get*", "iam:PassRole", false],
    ["s3:*", "iam:PassRole", false],
    ["iam:PassRole", "iam:PassRoles", false],
    ["*Role", "iam:PassRole", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["", "", true],
    ["*", "", true],
    ["?", "", false],
  ])("%j against %j is %s", (pattern, value, expected) => {
    expect(wildcardMatches(pattern, value)).toBe(expected);
  });

  it("compares case-sensitively when asked (ARNs)", () => {
    expect(wildcardMatches("arn:aws:iam::*:role/Admin", "arn:aws:iam::111122223333:role/admin", false)).toBe(false);
    expect(wildcardMatches("arn:aws:iam::*:role/Admin", "arn:aws:iam::111122223333:role/Admin", false)).toBe(true);
  });

  it("handles a pathological pattern against a long string", () => {
    const pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    expect(wildcardMatches(pattern, "a".repeat(50_000))).toBe(false);
    expect(wildcardMatches(pattern, `${"a".repeat(50_000)}b`)).toBe(true);
    expect(wildcardMatches(pattern, `${"a".repeat(13)}b`)).toBe(false);
    expect(wildcardMatches(pattern, `${"a".repeat(14)}b`)).toBe(true);
  });
});
