import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.js";

describe("configuration schema", () => {
  it("own resources must be lists of names", () => {
    expect(() => parseConfig({ ownResources: { functions: "trailguard-prod-iam-responder" } }, "test")).toThrow(ConfigError);
    expect(() => parseConfig({ ownResources: { lambdas: [] } }, "test")).toThrow(ConfigError);
    expect(parseConfig({ ownResources: { functions: ["f"] } }, "test").ownResources.functions).toEqual(["f"]);
  });

  it("rule ids in ruleModes must at least look like rule ids (which exist is checked where rules are wired)", () => {
    expect(() => parseConfig({ ruleModes: { "Iam Policy": "enforce" } }, "test")).toThrow(ConfigError);
    expect(parseConfig({ ruleModes: { "iam-policy-changes": "enforce" } }, "test").ruleModes).toEqual({ "iam-policy-changes": "enforce" });
  });
});
