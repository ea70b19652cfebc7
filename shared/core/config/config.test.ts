import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.js";

describe("configuration schema", () => {
  it("identifiers must be AWS's: account ids, role names, role ARNs, the alert topic", () => {
    expect(() => parseConfig({ trustedAccounts: ["1111"] }, "test")).toThrow(/must be a 12-digit AWS account id/);
    expect(() => parseConfig({ memberRoleName: "member role" }, "test")).toThrow(/must be an IAM role name/);
    expect(parseConfig({ responderRoleArns: ["arn:aws:iam::111122223333:role/ci/trailguard"] }, "test").responderRoleArns).toHaveLength(1);
    expect(parseConfig({ alertTopicArn: "arn:aws:sns:us-east-1:111122223333:trailguard-alerts" }, "test").alertTopicArn).toBeDefined();
    expect(() => parseConfig({ alertTopicArn: "arn:aws:sns:us-east-1:111122223333:alerts.fifo" }, "test")).toThrow(/must be an SNS topic ARN/);
  });

  it("changed: a role ARN needs a name IAM allows, and its path IAM's (before: [\\w+=,.@/-]+ after role/, so no name or 65 characters passed)", () => {
    for (const arn of ["arn:aws:iam::111122223333:role/trailguard/", `arn:aws:iam::111122223333:role/${"r".repeat(65)}`, "arn:awsX:iam::111122223333:role/trailguard"]) {
      expect(() => parseConfig({ responderRoleArns: [arn] }, "test")).toThrow(/must be a role ARN/);
    }
  });

  it("changed: the alert topic's region must be a region (before: any of [\\w-])", () => {
    expect(() => parseConfig({ alertTopicArn: "arn:aws:sns:US_EAST_1:111122223333:trailguard-alerts" }, "test")).toThrow(/must be an SNS topic ARN/);
  });

  it("own resources must be lists of names", () => {
    expect(() => parseConfig({ ownResources: { functions: "trailguard-prod-iam-responder" } }, "test")).toThrow(ConfigError);
    expect(() => parseConfig({ ownResources: { lambdas: [] } }, "test")).toThrow(ConfigError);
    expect(parseConfig({ ownResources: { functions: ["f"] } }, "test").ownResources.functions).toEqual(["f"]);
  });

  it("rule ids in ruleModes must at least look like rule ids (which exist is checked where rules are wired)", () => {
    expect(() => parseConfig({ ruleModes: { "Iam Policy": "enforce" } }, "test")).toThrow(ConfigError);
    expect(parseConfig({ ruleModes: { "policy-document-grants": "enforce" } }, "test").ruleModes).toEqual({ "policy-document-grants": "enforce" });
  });
});
