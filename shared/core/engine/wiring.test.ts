import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_CONFIG, parseConfig } from "../config/config.js";
import { RULES } from "../rules/registry.js";
import { createAnalyser } from "./analyse.js";
import { checkConfigAgainstRules } from "./wiring.js";

const statement = (match: Record<string, unknown>) => ({ version: 1, statements: [{ id: "s", match, actions: ["contain-actor"] }] });
const check = (input: unknown) => () => checkConfigAgainstRules(parseConfig(input, "test"), RULES);

describe("configuration meets the rules: what policies name must exist", () => {
  it("the default response policy names only declared signals and known rules", () => {
    expect(DEFAULT_CONFIG.responsePolicy.statements.length).toBeGreaterThan(0);
    expect(() => checkConfigAgainstRules(DEFAULT_CONFIG, RULES)).not.toThrow();
  });

  it("a statement matching a signal no rule emits is a configuration error, not a policy that never fires", () => {
    expect(check({ responsePolicy: statement({ signals: ["admin-grnat"] }) })).toThrow(ConfigError);
    expect(check({ responsePolicy: statement({ signals: ["admin-grnat"] }) })).toThrow(/signal no rule emits "admin-grnat"/);
    expect(check({ responsePolicy: statement({ signals: ["trailguard-identity-misused"] }) })).not.toThrow();
  });

  it("a statement whose signals none of its own rules emit is a configuration error (it could never apply)", () => {
    expect(check({ responsePolicy: statement({ rules: ["policy-permissions-removed"], signals: ["revoke-policy-removed"] }) })).toThrow(
      /matches signal "revoke-policy-removed", which none of the rules it names emits/,
    );
    expect(check({ responsePolicy: statement({ categories: ["access-key"], signals: ["admin-grant"] }) })).toThrow(/none of the rules it names emits/);
    expect(check({ responsePolicy: statement({ rules: ["containment-policy-tampering", "policy-permissions-removed"], signals: ["revoke-policy-removed"] }) })).not.toThrow();
    expect(check({ responsePolicy: statement({ categories: ["policy-change"], signals: ["admin-grant"] }) })).not.toThrow();
  });

  it("a statement or a rule mode naming an unknown rule is a configuration error", () => {
    expect(check({ responsePolicy: statement({ rules: ["policy-document-grants"] }) })).toThrow(/unknown rule "policy-document-grants"/);
    expect(check({ ruleModes: { "policy-document-grants": "enforce" } })).toThrow(/ruleModes.policy-document-grants: unknown rule id/);
    expect(check({ ruleModes: { [RULES[0]?.id ?? ""]: "enforce" } })).not.toThrow();
  });

  it("every analyser checks, so no entry point can run on a policy that names nothing", () => {
    const config = parseConfig({ responsePolicy: statement({ signals: ["admin-grnat"] }) }, "test");
    expect(() => createAnalyser(config, RULES)).toThrow(ConfigError);
    // A subset of rules (one function's share) is checked against the whole registry, not the subset.
    const policyRule = RULES.find((rule) => rule.signals.includes("admin-grant"));
    const rootOnly = RULES.filter((rule) => rule.rootOnly);
    expect(policyRule).toBeDefined();
    expect(() => createAnalyser(DEFAULT_CONFIG, rootOnly)).not.toThrow();
  });
});
