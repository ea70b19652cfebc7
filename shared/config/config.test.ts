import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_CONFIG, parseConfig } from "./config.js";

const statement = (match: Record<string, unknown>) => ({ version: 1, statements: [{ id: "s", match, actions: ["contain-actor"] }] });

describe("configuration: what policies match on must exist", () => {
  it("the default response policy only names declared signals and known rules", () => {
    expect(DEFAULT_CONFIG.responsePolicy.statements.length).toBeGreaterThan(0);
  });

  it("a statement matching a signal no rule emits is a configuration error, not a policy that never fires", () => {
    expect(() => parseConfig({ responsePolicy: statement({ signals: ["admin-grnat"] }) }, "test")).toThrow(ConfigError);
    expect(() => parseConfig({ responsePolicy: statement({ signals: ["admin-grnat"] }) }, "test")).toThrow(/signal no rule emits/);
    expect(parseConfig({ responsePolicy: statement({ signals: ["trailguard-identity-misused"] }) }, "test").responsePolicy.statements).toHaveLength(1);
  });

  it("a statement naming an unknown rule is a configuration error", () => {
    expect(() => parseConfig({ responsePolicy: statement({ rules: ["iam-policy-changes"] }) }, "test")).toThrow(/unknown rule/);
  });

  it("own resources must be lists of names", () => {
    expect(() => parseConfig({ ownResources: { functions: "trailguard-prod-iam-responder" } }, "test")).toThrow(ConfigError);
    expect(() => parseConfig({ ownResources: { lambdas: [] } }, "test")).toThrow(ConfigError);
    expect(parseConfig({ ownResources: { functions: ["f"] } }, "test").ownResources.functions).toEqual(["f"]);
  });
});
