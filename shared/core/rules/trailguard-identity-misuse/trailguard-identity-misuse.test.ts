import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config.js";
import { shouldAlert } from "../../engine/handle-event.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../../iam/revoke-sessions-policy.js";
import type { Finding } from "../../model/finding.js";
import { ACCOUNT, type Json, analyse, assumedRole, cloudTrailRecord, findingsOf, iamCall, policyJson } from "../../../../test/support/records.js";
import { HEARTBEAT, KEY, MEMBER, RESPONDER, SELF_CONFIG, TOPIC } from "../../../../test/support/self-config.js";

/**
 * #10.2: trailguard's identity exempts nothing but trailguard's own moves. Whoever holds a
 * session of its roles (through UpdateFunctionCode, PassRole to new compute, or a loosened trust
 * policy) and does anything else is paged on, critically.
 */
const CALL_TIME = "2026-11-23T03:04:05Z";
const config = parseConfig(SELF_CONFIG, "test");
const responder = assumedRole(RESPONDER, "trailguard-prod-iam-responder", { path: "/" });

function findings(record: Json): readonly Finding[] {
  return findingsOf(analyse({ ...record, eventTime: CALL_TIME }, SELF_CONFIG));
}
const paged = (record: Json) => findings(record).filter((finding) => shouldAlert(finding, config));
const misuse = (record: Json) => findings(record).find((finding) => finding.ruleId === "trailguard-identity-misuse");

describe("trailguard's own moves stay quiet", () => {
  it.each<[string, Json]>([
    ["deactivating a key (always with UserName)", iamCall("UpdateAccessKey", { userName: "bob", accessKeyId: "AKIABOBNEWKEY0000001", status: "Inactive" }, { userIdentity: responder })],
    [
      "putting the exact revoking deny on a role",
      iamCall("PutRolePolicy", { roleName: "app", policyName: REVOKE_POLICY_NAME, policyDocument: revokeSessionsPolicyDocument(new Date(CALL_TIME)) }, { userIdentity: responder }),
    ],
    ["learning its identity", cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "GetCallerIdentity", readOnly: true, userIdentity: responder })],
    [
      "assuming the member role in a managed account",
      cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: `arn:aws:iam::${MEMBER}:role/trailguard-member-responder`, roleSessionName: "trailguard-response" }, userIdentity: responder }),
    ],
    ["encrypting an alert with its key", cloudTrailRecord({ eventSource: "kms.amazonaws.com", eventName: "GenerateDataKey", readOnly: true, requestParameters: { keyId: KEY }, userIdentity: responder })],
    // The Security Hub exporter's one call (only its role is allowed it; shown here with the responder's identity).
    ["importing its findings into Security Hub", cloudTrailRecord({ eventSource: "securityhub.amazonaws.com", eventName: "BatchImportFindings", requestParameters: {}, userIdentity: responder })],
    ["the member role deactivating a key in its account", iamCall("UpdateAccessKey", { userName: "eve", accessKeyId: "AKIAEVEKEY0000000001", status: "Inactive" }, { recipientAccountId: MEMBER, userIdentity: assumedRole("trailguard-member-responder", "trailguard-response", { account: MEMBER }) })],
  ])("%s: no page, no action", (_label, record) => {
    expect(paged(record)).toEqual([]);
    expect(misuse(record)).toBeUndefined();
    expect(findings(record).flatMap((finding) => finding.actions).filter((action) => action.status === "planned")).toEqual([]);
  });
});

describe("anything else from trailguard's identity is misuse, and pages", () => {
  it.each<[string, Json, string]>([
    ["granting a user admin", iamCall("PutUserPolicy", { userName: "mallory", policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { userIdentity: responder }), "critical"],
    ["a key for someone", iamCall("CreateAccessKey", { userName: "mallory" }, { userIdentity: responder }), "critical"],
    ["reactivating a key", iamCall("UpdateAccessKey", { userName: "bob", accessKeyId: "AKIABOBNEWKEY0000001", status: "Active" }, { userIdentity: responder }), "critical"],
    ["deactivating a key without naming the user (the caller's own keys)", iamCall("UpdateAccessKey", { accessKeyId: "AKIABOBNEWKEY0000001", status: "Inactive" }, { userIdentity: responder }), "critical"],
    [
      "a revoke policy with a cut-off in the past (un-revoking)",
      iamCall("PutRolePolicy", { roleName: "app", policyName: REVOKE_POLICY_NAME, policyDocument: revokeSessionsPolicyDocument(new Date("2000-01-01T00:00:00Z")) }, { userIdentity: responder }),
      "critical",
    ],
    [
      "the console's revoke name instead of trailguard's",
      iamCall("PutRolePolicy", { roleName: "app", policyName: "AWSRevokeOlderSessions", policyDocument: revokeSessionsPolicyDocument(new Date(CALL_TIME)) }, { userIdentity: responder }),
      "critical",
    ],
    ["opening a role's trust", iamCall("UpdateAssumeRolePolicy", { roleName: "app", policyDocument: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }, { userIdentity: responder }), "critical"],
    ["reading secrets (read-only)", cloudTrailRecord({ eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue", readOnly: true, requestParameters: { secretId: "prod/db" }, userIdentity: responder }), "high"],
    ["a denied probe", cloudTrailRecord({ eventSource: "s3.amazonaws.com", eventName: "PutBucketPolicy", errorCode: "AccessDenied", requestParameters: { bucketName: "x" }, userIdentity: responder }), "high"],
    ["importing findings where its role may not (refused)", cloudTrailRecord({ eventSource: "securityhub.amazonaws.com", eventName: "BatchImportFindings", errorCode: "AccessDeniedException", requestParameters: {}, userIdentity: responder }), "high"],
    ["archiving Security Hub findings", cloudTrailRecord({ eventSource: "securityhub.amazonaws.com", eventName: "BatchUpdateFindings", requestParameters: {}, userIdentity: responder }), "critical"],
    ["assuming a role that is not the member role", cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole` }, userIdentity: responder }), "critical"],
    ["the member role assumed in an unmanaged account is not trailguard", cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: `arn:aws:iam::999988887777:role/trailguard-member-responder` }, userIdentity: responder }), "critical"],
    ["the heartbeat role tagging another role", iamCall("TagRole", { roleName: "app", tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { userIdentity: assumedRole(HEARTBEAT, HEARTBEAT) }), "critical"],
    ["the member role granting admin in its account", iamCall("AttachUserPolicy", { userName: "eve", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { recipientAccountId: MEMBER, userIdentity: assumedRole("trailguard-member-responder", "x", { account: MEMBER }) }), "critical"],
  ])("%s", (_label, record, severity) => {
    const finding = misuse(record);
    expect(finding?.severity).toBe(severity);
    expect(finding?.signals).toEqual(["trailguard-identity-misused"]);
    expect(paged(record).map((f) => f.ruleId)).toContain("trailguard-identity-misuse");
    // Other rules on the same event are no longer silenced by the identity either.
    for (const other of findings(record)) expect(other.exemption).toBeUndefined();
  });

  it.each([
    ["an EC2 instance given the role (iam:PassRole)", "i-0abc123def4567890"],
    ["someone who assumed it through a loosened trust policy", "mallory"],
    ["a Lambda function of another name running as it", "innocent-looking-function"],
  ])("the responder role's exact own moves, made by %s, are misuse", (_label, session) => {
    const impostor = assumedRole(RESPONDER, session, { path: "/" });
    const deactivate = iamCall("UpdateAccessKey", { userName: "ceo", accessKeyId: "AKIACEOKEY0000000001", status: "Inactive" }, { userIdentity: impostor });
    const lockOut = iamCall("PutRolePolicy", { roleName: "Admin", policyName: REVOKE_POLICY_NAME, policyDocument: revokeSessionsPolicyDocument(new Date(CALL_TIME)) }, { userIdentity: impostor });
    const intoMembers = cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: `arn:aws:iam::${MEMBER}:role/trailguard-member-responder` }, userIdentity: impostor });
    for (const record of [deactivate, lockOut, intoMembers]) {
      expect(misuse(record)?.severity).toBe("critical");
      expect(paged(record).map((finding) => finding.ruleId)).toContain("trailguard-identity-misuse");
    }
  });

  it("the Lambda service polling the input queue under a session of its own is plumbing, not misuse", () => {
    const poller = assumedRole(RESPONDER, "awslambda_598_20261126103000123", { path: "/" });
    const poll = cloudTrailRecord({ eventSource: "sqs.amazonaws.com", eventName: "GetQueueAttributes", readOnly: true, requestParameters: { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/trailguard-prod-iam-responder-input` }, userIdentity: poller });
    expect(paged(poll)).toEqual([]);
    const elsewhere = cloudTrailRecord({ eventSource: "sqs.amazonaws.com", eventName: "GetQueueAttributes", readOnly: true, requestParameters: { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/payroll` }, userIdentity: poller });
    expect(misuse(elsewhere)?.severity).toBe("high");
  });

  it("covers sessions whose records lack the session issuer (role from the session ARN)", () => {
    const bare = assumedRole(RESPONDER, "s", { issuer: false });
    expect(misuse(iamCall("CreateUser", { userName: "x" }, { userIdentity: bare }))?.severity).toBe("critical");
  });

  it("an account id in the topic does not make a foreign topic trailguard's", () => {
    const publish = cloudTrailRecord({ eventSource: "sns.amazonaws.com", eventName: "Publish", requestParameters: { topicArn: `${TOPIC}-exfil` }, userIdentity: responder });
    expect(misuse(publish)?.severity).toBe("critical");
    expect(ACCOUNT).toHaveLength(12);
  });
});

describe("attacks found by a second review (each failed before its fix)", () => {
  const heartbeatRole = assumedRole("trailguard-prod-heartbeat", "trailguard-prod-heartbeat");
  const tamperRole = assumedRole("trailguard-prod-tamper-monitor", "trailguard-prod-tamper-monitor");
  // As the records were found, at their own time (not CALL_TIME).
  const misuseAsRecorded = (record: Json) => findingsOf(analyse(record, SELF_CONFIG)).find((candidate) => candidate.ruleId === "trailguard-identity-misuse");

  it.each<[string, Json]>([
    ["the heartbeat role deactivating a key", iamCall("UpdateAccessKey", { userName: "breakglass", accessKeyId: "AKIABREAKGLASS000001", status: "Inactive" }, { userIdentity: heartbeatRole })],
    ["the tamper monitor putting the revoke deny on the responder", iamCall("PutRolePolicy", { roleName: RESPONDER, policyName: "TrailguardRevokeOlderSessions", policyDocument: policyJson({ Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: { "aws:TokenIssueTime": "2024-05-01T12:00:00Z" } } }) }, { userIdentity: tamperRole })],
    ["the responder role tagging itself as a heartbeat", iamCall("TagRole", { roleName: RESPONDER, tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { userIdentity: assumedRole(RESPONDER, RESPONDER) })],
    ["another session publishing to the alert topic (a fake all-clear)", cloudTrailRecord({ eventSource: "sns.amazonaws.com", eventName: "Publish", requestParameters: { topicArn: TOPIC }, userIdentity: assumedRole(RESPONDER, "evil-session") })],
    ["another session decrypting any key through a service", cloudTrailRecord({ eventSource: "kms.amazonaws.com", eventName: "Decrypt", readOnly: true, requestParameters: {}, userIdentity: { ...assumedRole(RESPONDER, "evil-session"), invokedBy: "secretsmanager.amazonaws.com" } })],
  ])("%s is misuse, not an own move", (_label, record) => {
    expect(misuseAsRecorded(record)?.severity).toMatch(/critical|high/);
  });
});

describe("in another partition (GovCloud, China, ISO)", () => {
  it("the member role is recognised in the partition trailguard's own roles name, so its misuse is paged on there too", () => {
    const gov = {
      responderRoleArns: [`arn:aws-us-gov:iam::${ACCOUNT}:role/${RESPONDER}`],
      managedAccounts: [MEMBER],
    };
    const record = cloudTrailRecord({
      eventSource: "s3.amazonaws.com",
      eventName: "PutBucketPolicy",
      recipientAccountId: MEMBER,
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws-us-gov:sts::${MEMBER}:assumed-role/trailguard-member-responder/attacker`,
        accountId: MEMBER,
        sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws-us-gov:iam::${MEMBER}:role/trailguard-member-responder`, accountId: MEMBER, userName: "trailguard-member-responder" } },
      },
    });
    const found = findingsOf(analyse({ ...record, eventTime: CALL_TIME }, gov)).find((finding) => finding.ruleId === "trailguard-identity-misuse");
    expect(found?.severity).toBe("critical");
  });
});
