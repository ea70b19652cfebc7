import { describe, expect, it } from "vitest";
import { namesOwnResource, ownResourcesSchema } from "./own-resources.js";

/** The stack writes names without its prefix to fit Lambda's 4 KB of environment; parsed, they are exact again. */
describe("own resources with a prefix", () => {
  const own = ownResourcesSchema.parse({ prefix: "trailguard-prod", functions: ["iam-responder"], rules: ["iam-responder-calls-2"], tables: ["idempotency"], alarms: ["heartbeat-missing"], logGroups: ["iam-responder"] });

  it("expands to the names AWS uses, and matches exactly those", () => {
    expect(own.functions).toEqual(["trailguard-prod-iam-responder"]);
    expect(own.logGroups).toEqual(["/aws/lambda/trailguard-prod-iam-responder"]);
    expect(namesOwnResource(own, "rules", "arn:aws:events:us-east-1:111122223333:rule/trailguard-prod-iam-responder-calls-2")).toBe(true);
    expect(namesOwnResource(own, "rules", "iam-responder-calls-2")).toBe(false);
    expect(namesOwnResource(own, "tables", "trailguard-prod-idempotency")).toBe(true);
    expect(namesOwnResource(own, "functions", "trailguard-prod-iam-responder-copy")).toBe(false);
  });

  it("without a prefix, names are taken as given; a prefix that is not a stack prefix is refused", () => {
    expect(ownResourcesSchema.parse({ functions: ["x-fn"] }).functions).toEqual(["x-fn"]);
    expect(ownResourcesSchema.safeParse({ prefix: "../evil" }).success).toBe(false);
    expect("prefix" in ownResourcesSchema.parse({ prefix: "trailguard-prod" })).toBe(false);
  });
});
