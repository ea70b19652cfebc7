import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config.js";
import { shouldAlert } from "../../engine/handle-event.js";
import type { Finding } from "../../model/finding.js";
import { ACCOUNT, type Json, analyse, cloudTrailRecord, findingsOf, iamCall, iamUser, policyJson } from "../../../../test/support/records.js";
import { INPUT_QUEUE, KEY, RESPONDER, SELF_CONFIG, TOPIC } from "../../../../test/support/self-config.js";

/**
 * #10.3: tampering with trailguard is critical and paged. trailguard's resources are the ones its
 * stack names; look-alikes are not.
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

  it("the member role in a managed account is trailguard's too", () => {
    const record = iamCall("DeleteRole", { roleName: "trailguard-member-responder" }, { recipientAccountId: "222233334444", userIdentity: iamUser("eve", { account: "222233334444" }) });
    expect(tamper(record)?.severity).toBe("critical");
  });

  it("without the stack's names (replay with no configuration) nothing is guessed", () => {
    const record = call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: RESPONDER });
    expect(findingsOf(analyse(record)).filter((f) => f.ruleId === "trailguard-tampering")).toEqual([]);
  });
});

describe("attacks found by review (each failed before its fix)", () => {
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
});

describe("attacks found by a second review (each failed before its fix)", () => {
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
});
