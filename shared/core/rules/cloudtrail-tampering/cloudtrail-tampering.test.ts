import { describe, expect, it } from "vitest";
import { type Json, analyse, assumedRole, cloudTrailRecord, findingsOf, iamUser } from "../../../../test/support/records.js";
import { SELF_CONFIG } from "../../../../test/support/self-config.js";

/**
 * #10.3: stopping or narrowing CloudTrail blinds trailguard and every other detector: critical
 * (or high when it only narrows), with or without trailguard's own configuration.
 */
const admin = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });

function call(eventSource: string, eventName: string, requestParameters: Json, extra: Json = {}): Json {
  return cloudTrailRecord({ eventSource, eventName, requestParameters, userIdentity: admin, ...extra });
}
const finding = (record: Json, ruleId: string) => findingsOf(analyse(record, SELF_CONFIG)).find((candidate) => candidate.ruleId === ruleId);

describe("CloudTrail blinded or narrowed", () => {
  const trail = (eventName: string, requestParameters: Json, extra: Json = {}) => call("cloudtrail.amazonaws.com", eventName, requestParameters, extra);
  const severity = (record: Json) => finding(record, "cloudtrail-tampering")?.severity;

  it.each<[string, Json, string]>([
    ["StopLogging", trail("StopLogging", { name: "org-trail" }), "critical"],
    ["DeleteTrail", trail("DeleteTrail", { name: "org-trail" }), "critical"],
    ["selectors without management events", trail("PutEventSelectors", { trailName: "t", eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [] }] }), "critical"],
    ["selectors recording reads only", trail("PutEventSelectors", { trailName: "t", eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }] }), "critical"],
    ["advanced selectors for data events only", trail("PutEventSelectors", { trailName: "t", advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }] }), "critical"],
    ["advanced selectors for management reads only", trail("PutEventSelectors", { trailName: "t", advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["true"] }] }] }), "critical"],
    ["KMS events excluded", trail("PutEventSelectors", { trailName: "t", eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, excludeManagementEventSources: ["kms.amazonaws.com"] }] }), "high"],
    ["selectors in a shape nobody writes", trail("PutEventSelectors", { trailName: "t", eventSelectors: "all" }), "high"],
    ["trail no longer records IAM", trail("UpdateTrail", { name: "t", includeGlobalServiceEvents: false }), "critical"],
    ["trail made single-region", trail("UpdateTrail", { name: "t", isMultiRegionTrail: false }), "critical"],
    ["logs sent elsewhere", trail("UpdateTrail", { name: "t", s3BucketName: "attacker-bucket" }), "high"],
    ["StopLogging denied", trail("StopLogging", { name: "org-trail" }, { errorCode: "AccessDenied" }), "medium"],
  ])("%s: %s", (_label, record, expected) => {
    expect(severity(record)).toBe(expected);
  });

  it("a selector change that keeps every management write raises nothing", () => {
    expect(severity(trail("PutEventSelectors", { trailName: "t", eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, dataResources: [{ type: "AWS::S3::Object", values: [] }] }] }))).toBeUndefined();
    expect(severity(trail("PutEventSelectors", { trailName: "t", advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }] }))).toBeUndefined();
  });

  it("StopLogging by a role is paged even with no configuration at all", () => {
    const record = cloudTrailRecord({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name: "t" }, userIdentity: assumedRole("ops", "x") });
    expect(findingsOf(analyse(record)).map((f) => [f.ruleId, f.severity])).toEqual([["cloudtrail-tampering", "critical"]]);
  });
});
