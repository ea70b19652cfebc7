import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { shouldAlert } from "../../shared/core/engine/handle-event.js";
import { type Json, analyse, assumedRole, cloudTrailRecord, eventBridge, findingsOf, iamCall, iamUser, policyJson } from "../support/records.js";
import { ACCOUNT, INPUT_QUEUE, KEY, RESPONDER, SELF_CONFIG, TOPIC } from "./support.js";

/**
 * #10.3: tampering with trailguard or with CloudTrail is critical and paged. trailguard's
 * resources are the ones its stack names; look-alikes are not.
 */
const config = parseConfig(SELF_CONFIG, "test");
const admin = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });

function call(eventSource: string, eventName: string, requestParameters: Json, extra: Json = {}): Json {
  return cloudTrailRecord({ eventSource, eventName, requestParameters, userIdentity: admin, ...extra });
}
function finding(record: Json, ruleId: string): Finding | undefined {
  return findingsOf(analyse(record, SELF_CONFIG)).find((candidate) => candidate.ruleId === ruleId);
}
const tamper = (record: Json) => finding(record, "trailguard-tampering");

describe("changes to trailguard's own resources", () => {
  const lambda = "lambda.amazonaws.com";
  it.each<[string, Json]>([
    ["code replaced (by name)", call(lambda, "UpdateFunctionCode20150331v2", { functionName: RESPONDER, zipFile: "..." })],
    ["code replaced (by ARN with qualifier)", call(lambda, "UpdateFunctionCode20150331v2", { functionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${RESPONDER}:$LATEST` })],
    ["configuration changed (by partial ARN)", call(lambda, "UpdateFunctionConfiguration20150331v2", { functionName: `${ACCOUNT}:function:${RESPONDER}`, environment: {} })],
    ["invoke permission granted to everyone", call(lambda, "AddPermission20150331v2", { functionName: RESPONDER, principal: "*", action: "lambda:InvokeFunction" })],
    ["concurrency set to zero (switched off)", call(lambda, "PutFunctionConcurrency20171031", { functionName: RESPONDER, reservedConcurrentExecutions: 0 })],
    ["its queue trigger deleted (function named only in the response)", call(lambda, "DeleteEventSourceMapping20150331", { uUID: "a1b2" }, { responseElements: { functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${RESPONDER}` } })],
    ["the responder role's trust opened", iamCall("UpdateAssumeRolePolicy", { roleName: RESPONDER, policyDocument: policyJson({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { userIdentity: admin })],
    ["a policy attached to the responder role", iamCall("AttachRolePolicy", { roleName: RESPONDER, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, { userIdentity: admin })],
    ["a deny put on the responder role (blinding it)", iamCall("PutRolePolicy", { roleName: RESPONDER, policyName: "x", policyDocument: policyJson({ Effect: "Deny", Action: "*", Resource: "*" }) }, { userIdentity: admin })],
    ["its EventBridge rule disabled", call("events.amazonaws.com", "DisableRule", { name: "trailguard-prod-iam-responder" })],
    ["its rule's target removed", call("events.amazonaws.com", "RemoveTargets", { rule: "trailguard-prod-iam-responder", ids: ["1"] })],
    ["the alert topic deleted", call("sns.amazonaws.com", "DeleteTopic", { topicArn: TOPIC })],
    ["a subscription's filter changed (alerts silently dropped)", call("sns.amazonaws.com", "SetSubscriptionAttributes", { subscriptionArn: `${TOPIC}:0b1c2d`, attributeName: "FilterPolicy" })],
    ["the key scheduled for deletion (by key id)", call("kms.amazonaws.com", "ScheduleKeyDeletion", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", pendingWindowInDays: 7 })],
    ["the key policy replaced", call("kms.amazonaws.com", "PutKeyPolicy", { keyId: KEY, policyName: "default" })],
    ["the idempotency table deleted", call("dynamodb.amazonaws.com", "DeleteTable", { tableName: "trailguard-prod-idempotency" })],
    ["the input queue purged (by URL)", call("sqs.amazonaws.com", "PurgeQueue", { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/trailguard-prod-iam-responder-input` })],
    ["the heartbeat alarm's actions disabled", call("monitoring.amazonaws.com", "DisableAlarmActions", { alarmNames: ["other", "trailguard-prod-heartbeat-missing"] })],
    ["its log group deleted", call("logs.amazonaws.com", "DeleteLogGroup", { logGroupName: "/aws/lambda/trailguard-prod-iam-responder" })],
    ["its stack deleted", call("cloudformation.amazonaws.com", "DeleteStack", { stackName: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/trailguard-prod/abc` })],
  ])("%s is critical and paged", (_label, record) => {
    const found = tamper(record);
    expect(found?.severity).toBe("critical");
    expect(found?.signals).toEqual(["trailguard-tampered"]);
    expect(shouldAlert(found as Finding, config)).toBe(true);
  });

  it.each<[string, Json]>([
    ["another function", call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: "trailguard-prod-iam-responder-copy" })],
    ["another role", iamCall("AttachRolePolicy", { roleName: "app", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, { userIdentity: admin })],
    ["another topic with our topic as prefix", call("sns.amazonaws.com", "DeleteTopic", { topicArn: `${TOPIC}-old` })],
    ["a queue of the same name in another account", call("sqs.amazonaws.com", "PurgeQueue", { queueUrl: "https://sqs.us-east-1.amazonaws.com/999988887777/trailguard-prod-iam-responder-input" })],
    ["another stack", call("cloudformation.amazonaws.com", "DeleteStack", { stackName: "trailguard-prod-old" })],
  ])("%s is not trailguard's", (_label, record) => {
    expect(tamper(record)).toBeUndefined();
  });

  it("a stack deployment, and what CloudFormation does for it, page as high", () => {
    expect(tamper(call("cloudformation.amazonaws.com", "UpdateStack", { stackName: "trailguard-prod" }))?.severity).toBe("high");
    const viaCloudFormation = call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: RESPONDER }, { userIdentity: { ...admin, invokedBy: "cloudformation.amazonaws.com" } });
    expect(tamper(viaCloudFormation)).toMatchObject({ severity: "high", signals: ["trailguard-deployed"] });
  });

  it("a failed attempt is still published (medium)", () => {
    expect(tamper(call("dynamodb.amazonaws.com", "DeleteTable", { tableName: "trailguard-prod-idempotency" }, { errorCode: "AccessDeniedException" }))?.severity).toBe("medium");
  });

  it("the role trust rule alone rated the responder's trust change low; tampering makes it critical", () => {
    const record = iamCall("UpdateAssumeRolePolicy", { roleName: RESPONDER, policyDocument: policyJson({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { userIdentity: admin });
    expect(finding(record, "role-trust-update")?.severity).toBe("low");
    expect(tamper(record)?.severity).toBe("critical");
  });

  it("someone tagging trailguard's role with the heartbeat tag is tampering, not a heartbeat", () => {
    const record = iamCall("TagRole", { roleName: "trailguard-prod-heartbeat", tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { userIdentity: admin });
    expect(tamper(record)?.severity).toBe("critical");
    expect(finding(record, "trailguard-heartbeat")).toBeUndefined();
  });

  it("the member role in a managed account is trailguard's too", () => {
    const record = iamCall("DeleteRole", { roleName: "trailguard-member-responder" }, { recipientAccountId: "222233334444", userIdentity: iamUser("eve", { account: "222233334444" }) });
    expect(tamper(record)?.severity).toBe("critical");
  });

  it("without the stack's names (replay with no configuration) nothing is guessed", () => {
    const record = call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: RESPONDER });
    expect(findingsOf(analyse(record)).filter((f) => f.ruleId === "trailguard-tampering")).toEqual([]);
  });
});

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

describe("attacks found by review (each failed before its fix)", () => {
  it("a CloudTrail-shaped event published under a custom source (events:PutEvents) is not CloudTrail", () => {
    const forged = { ...eventBridge(iamCall("PutRolePolicy", { roleName: "x", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) })), source: "com.attacker" };
    expect(analyse(forged, SELF_CONFIG).kind).toBe("unsupported");
    expect(findingsOf(analyse({ ...forged, source: "aws.iam" }, SELF_CONFIG)).length).toBeGreaterThan(0);
  });

  it.each<[string, Json]>([
    ["a new function given trailguard's role (PassRole)", call("lambda.amazonaws.com", "CreateFunction20150331", { functionName: "evil", role: `arn:aws:iam::${ACCOUNT}:role/${RESPONDER}` })],
    ["an existing function switched to trailguard's role", call("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", { functionName: "evil", role: `arn:aws:iam::${ACCOUNT}:role/${RESPONDER}` })],
    ["another function reading trailguard's input queue", call("lambda.amazonaws.com", "CreateEventSourceMapping20150331", { functionName: "evil", eventSourceArn: INPUT_QUEUE })],
    ["the responder role's trust changed under another letter case", iamCall("UpdateAssumeRolePolicy", { roleName: RESPONDER.toUpperCase(), policyDocument: policyJson({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:user/mallory" }, Action: "sts:AssumeRole" }) }, { userIdentity: admin })],
    ["a public function URL on the responder", call("lambda.amazonaws.com", "CreateFunctionUrlConfig", { functionName: RESPONDER, authType: "NONE" })],
    ["a resource policy denying the functions the idempotency table", call("dynamodb.amazonaws.com", "PutResourcePolicy", { resourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/trailguard-prod-idempotency` })],
    ["a transformer rewriting the responder's log lines", call("logs.amazonaws.com", "PutTransformer", { logGroupIdentifier: "/aws/lambda/trailguard-prod-iam-responder" })],
  ])("%s is critical", (_label, record) => {
    expect(tamper(record)?.severity).toBe("critical");
  });

  it("a hidden, case-twinned condition key cannot pass for the revoking deny", () => {
    const twin = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2000-01-01T00:00:00Z","AWS:TokenIssueTime":"2024-05-01T12:00:00Z"}}}]}`;
    const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions", policyDocument: twin }, { userIdentity: admin });
    expect(finding(record, "iam-policy-change")?.severity).toBe("critical");
  });

  it("a failed TagRole by a trailguard role is no heartbeat", () => {
    const record = iamCall("TagRole", { roleName: RESPONDER, tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { errorCode: "AccessDenied", userIdentity: assumedRole(RESPONDER, RESPONDER) });
    expect(finding(record, "trailguard-heartbeat")).toBeUndefined();
  });
});

describe("hostile envelopes", () => {
  it("a source that is not a string (even an object with no prototype) is refused, not thrown on", () => {
    const record = iamCall("CreateAccessKey", { userName: "admin" });
    for (const source of [Object.create(null) as unknown, { toString: 1 }, 42, null]) {
      expect(analyse({ ...eventBridge(record), source }, SELF_CONFIG).kind).toBe("unsupported");
    }
  });
});

describe("attacks found by a second review (each failed before its fix)", () => {
  const heartbeatRole = assumedRole("trailguard-prod-heartbeat", "trailguard-prod-heartbeat");
  const tamperRole = assumedRole("trailguard-prod-tamper-monitor", "trailguard-prod-tamper-monitor");
  const misuse = (record: Json) => finding(record, "trailguard-identity-misuse");

  it.each<[string, Json]>([
    ["the heartbeat role deactivating a key", iamCall("UpdateAccessKey", { userName: "breakglass", accessKeyId: "AKIABREAKGLASS000001", status: "Inactive" }, { userIdentity: heartbeatRole })],
    ["the tamper monitor putting the revoke deny on the responder", iamCall("PutRolePolicy", { roleName: RESPONDER, policyName: "TrailguardRevokeOlderSessions", policyDocument: policyJson({ Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: { "aws:TokenIssueTime": "2024-05-01T12:00:00Z" } } }) }, { userIdentity: tamperRole })],
    ["the responder role tagging itself as a heartbeat", iamCall("TagRole", { roleName: RESPONDER, tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { userIdentity: assumedRole(RESPONDER, RESPONDER) })],
    ["another session publishing to the alert topic (a fake all-clear)", cloudTrailRecord({ eventSource: "sns.amazonaws.com", eventName: "Publish", requestParameters: { topicArn: TOPIC }, userIdentity: assumedRole(RESPONDER, "evil-session") })],
    ["another session decrypting any key through a service", cloudTrailRecord({ eventSource: "kms.amazonaws.com", eventName: "Decrypt", readOnly: true, requestParameters: {}, userIdentity: { ...assumedRole(RESPONDER, "evil-session"), invokedBy: "secretsmanager.amazonaws.com" } })],
  ])("%s is misuse, not an own move", (_label, record) => {
    expect(misuse(record)?.severity).toMatch(/critical|high/);
  });

  it.each<[string, Json]>([
    ["a log transformer on trailguard's log group given by ARN", call("logs.amazonaws.com", "PutTransformer", { logGroupIdentifier: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/trailguard-prod-iam-responder:*" })],
    ["the logs re-keyed with an attacker's key", call("logs.amazonaws.com", "AssociateKmsKey", { logGroupName: "/aws/lambda/trailguard-prod-iam-responder", kmsKeyId: "arn:aws:kms:us-east-1:999988887777:key/x" })],
    ["the input queue purged by a URL with a trailing slash", call("sqs.amazonaws.com", "PurgeQueue", { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/trailguard-prod-iam-responder-input/` })],
    ["the dead-letter or input queue emptied by a move task", call("sqs.amazonaws.com", "StartMessageMoveTask", { sourceArn: INPUT_QUEUE })],
    ["the alert key's alias moved", call("kms.amazonaws.com", "UpdateAlias", { aliasName: "alias/trailguard-prod-alerts", targetKeyId: "attacker-key" })],
    ["code signing that blocks redeploys", call("lambda.amazonaws.com", "PutFunctionCodeSigningConfig", { functionName: RESPONDER, codeSigningConfigArn: "arn:aws:lambda:us-east-1:111122223333:code-signing-config:csc-1" })],
  ])("%s is tampering", (_label, record) => {
    expect(tamper(record)?.severity).toBe("critical");
  });

  it.each<[string, string]>([
    ["an impossible date that Date.parse rolls over", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-04-31T12:00:00Z"}}}]}`],
    ["a zoneless time", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-05-01T12:00:00"}}}]}`],
    ["a Kelvin-sign look-alike key", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:To\\u212AenIssueTime":"2024-05-01T12:00:00Z"}}}]}`],
    ["a nested array value", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":[["2024-05-01T12:00:00Z"]]}}}]}`],
  ])("a revoke deny with %s is not the revoking deny", (_label, document) => {
    const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "TrailguardRevokeOlderSessions", policyDocument: document }, { userIdentity: admin });
    expect(finding(record, "iam-policy-change")?.severity).toBe("critical");
  });

  it("an EventBridge source outside aws.<service> (a partner bus) is not CloudTrail", () => {
    const record = iamCall("CreateAccessKey", { userName: "admin" });
    expect(analyse({ ...eventBridge(record), source: "aws.partner/evil.com/123/x" }, SELF_CONFIG).kind).toBe("unsupported");
  });
});
