import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigInput, parseConfig } from "../config/config.js";
import { checkConfigAgainstRules } from "../engine/wiring.js";
import { RULES } from "../rules/registry.js";
import { ACCOUNT, OTHER_ACCOUNT, assumedRole, eventBridge, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { createSuppressor, expiredSuppressions, expiryTime } from "./suppression.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const suppressionsOf = (input: ConfigInput["suppressions"]) => parseConfig({ suppressions: input }, "test").suppressions;
const base = { id: "s1", reason: "terraform applies these nightly", expires: "2026-12-31" };

/** mallory (a user) attaches a narrow inline policy to role "app" (medium or low) or an admin one (critical). */
function grant(options: { admin?: boolean; actor?: unknown; account?: string } = {}) {
  const statement = options.admin ? { Effect: "Allow", Action: "*", Resource: "*" } : { Effect: "Allow", Action: "s3:PutObject", Resource: "*" };
  return findingOf(
    eventBridge(
      iamCall("PutRolePolicy", { roleName: "app", policyName: "inline", policyDocument: policyJson(statement) }, {
        userIdentity: options.actor ?? iamUser("mallory"),
        ...(options.account ? { recipientAccountId: options.account } : {}),
      }),
    ),
    "policy-document-grant",
  );
}

describe("suppressions: do not page about this", () => {
  it("mutes what every named criterion matches, and nothing else", () => {
    const suppressor = createSuppressor(suppressionsOf([{ ...base, rules: ["policy-document-grant"], actors: [`arn:aws:iam::${ACCOUNT}:user/mallory`] }]));
    expect(suppressor.suppressionFor(grant(), NOW)).toEqual({ id: "s1", reason: base.reason, expires: base.expires });
    expect(suppressor.suppressionFor(grant({ actor: iamUser("malloryx") }), NOW)).toBeUndefined();
    const other = createSuppressor(suppressionsOf([{ ...base, rules: ["access-key-created"], actors: [`arn:aws:iam::${ACCOUNT}:user/mallory`] }]));
    expect(other.suppressionFor(grant(), NOW)).toBeUndefined();
  });

  it("matches actors as IAM names them: case-insensitive name, a role covers its sessions; wildcards against the ARN", () => {
    const byName = createSuppressor(suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:user/MALLORY`] }]));
    expect(byName.suppressionFor(grant(), NOW)?.id).toBe("s1");
    const byRole = createSuppressor(suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:role/terraform`] }]));
    expect(byRole.suppressionFor(grant({ actor: assumedRole("terraform", "run-42") }), NOW)?.id).toBe("s1");
    expect(byRole.suppressionFor(grant({ actor: assumedRole("terraform-evil", "run-42") }), NOW)).toBeUndefined();
    const wildcard = createSuppressor(suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:role/terraform-*`] }]));
    expect(wildcard.suppressionFor(grant({ actor: assumedRole("terraform-ci", "x") }), NOW)?.id).toBe("s1");
    // Another account's role of the same name is not the one suppressed.
    expect(byRole.suppressionFor(grant({ actor: assumedRole("terraform", "run-42", { account: OTHER_ACCOUNT }) }), NOW)).toBeUndefined();
  });

  it("mutes only up to maxSeverity: high by default, so the critical a suppressed actor makes next still pages", () => {
    const suppressor = createSuppressor(suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:user/mallory`] }]));
    const critical = grant({ admin: true });
    expect(critical.severity).toBe("critical");
    expect(suppressor.suppressionFor(critical, NOW)).toBeUndefined();
    const allOf = createSuppressor(suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:user/mallory`], maxSeverity: "critical" }]));
    expect(allOf.suppressionFor(critical, NOW)?.id).toBe("s1");
  });

  it("expires: a date means the end of that day (UTC); after it the finding pages and start-up can say so", () => {
    const suppressions = suppressionsOf([{ ...base, actors: [`arn:aws:iam::${ACCOUNT}:user/mallory`], expires: "2026-11-26" }]);
    const suppressor = createSuppressor(suppressions);
    expect(suppressor.suppressionFor(grant(), new Date("2026-11-26T23:59:59Z"))?.id).toBe("s1");
    expect(suppressor.suppressionFor(grant(), new Date("2026-11-27T00:00:00Z"))).toBeUndefined();
    expect(expiredSuppressions(suppressions, new Date("2026-11-27T00:00:00Z")).map((s) => s.id)).toEqual(["s1"]);
    expect(expiryTime("2026-11-26T10:00:00")).toBe(Date.parse("2026-11-26T10:00:00Z"));
    expect(expiryTime("2026-11-26T10:00:00+02:00")).toBe(Date.parse("2026-11-26T08:00:00Z"));
  });

  it("matches accounts, targets (names without regard to case, ARNs exactly) and signal patterns", () => {
    const critical = grant({ admin: true });
    const all = (input: object) => createSuppressor(suppressionsOf([{ ...base, maxSeverity: "critical", ...input }])).suppressionFor(critical, NOW)?.id;
    expect(all({ accounts: [ACCOUNT] })).toBe("s1");
    expect(all({ accounts: [OTHER_ACCOUNT] })).toBeUndefined();
    expect(all({ targets: ["APP"] })).toBe("s1");
    expect(all({ targets: ["ap"] })).toBeUndefined();
    expect(all({ targets: ["a*"] })).toBe("s1");
    expect(all({ signals: ["admin-*"] })).toBe("s1");
    expect(all({ signals: ["trust-*"] })).toBeUndefined();
  });

  it("is configuration that must make sense: criteria, a reason, an expiry, known rules and signals", () => {
    const invalid = (input: object) => () => checkConfigAgainstRules(parseConfig({ suppressions: [input] }, "test"), RULES);
    expect(invalid({ id: "x", reason: "because", expires: "2026-12-31" })).toThrow(/at least one of rules, actors, targets, accounts or signals/);
    expect(invalid({ id: "x", expires: "2026-12-31", rules: ["root-activity"] })).toThrow(ConfigError);
    expect(invalid({ id: "x", reason: "because", rules: ["root-activity"] })).toThrow(ConfigError);
    expect(invalid({ id: "x", reason: "because", expires: "next week", rules: ["root-activity"] })).toThrow(/ISO 8601/);
    expect(invalid({ id: "x", reason: "because", expires: "2026-12-31", rules: ["no-such-rule"] })).toThrow(/unknown rule "no-such-rule"/);
    expect(invalid({ id: "x", reason: "because", expires: "2026-12-31", signals: ["adminn-*"] })).toThrow(/matches no signal any rule emits "adminn-\*"/);
    expect(invalid({ id: "x", reason: "because", expires: "2026-12-31", signals: ["admin-grant"] })).not.toThrow();
  });
});
