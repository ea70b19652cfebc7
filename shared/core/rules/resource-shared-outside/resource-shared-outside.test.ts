import { describe, expect, it } from "vitest";
import { ACCOUNT, type Json, analyse, cloudTrailRecord, findingsOf, iamUser, policyJson } from "../../../../test/support/records.js";
import { callRouting, renderPatterns } from "../../stack/event-patterns.js";
import { EXPOSURE_RULES, IAM_RULES, ROOT_MONITOR_RULES, TAMPER_RULES } from "../registry.js";
import { resourceSharedOutside } from "./resource-shared-outside.js";

/**
 * Resources opened to outsiders, judged by value. The attacker's look-alikes come first: a
 * condition that looks like a pin but admits everyone (wildcards, IfExists, negated operators,
 * ForAllValues:), the same event name from another service, an "add" hidden beside a "remove".
 */
const RULE = "resource-shared-outside";
const OWN = ACCOUNT;
const OUTSIDE = "999988887777";
const PARTNER = "444455556666";
const mallory = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });

function call(eventSource: string, eventName: string, requestParameters: Json | null, extra: Json = {}): Json {
  return cloudTrailRecord({ eventSource, eventName, requestParameters, userIdentity: mallory, awsRegion: "eu-west-1", ...extra });
}
const finding = (record: Json, config: Json = {}) => findingsOf(analyse(record, config)).find((candidate) => candidate.ruleId === RULE);
const verdict = (record: Json, config: Json = {}) => {
  const found = finding(record, config);
  return found && [found.severity, ...found.signals];
};

const bucketPolicy = (...statements: Json[]) => call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "exports", bucketPolicy: JSON.parse(policyJson(...statements)) as Json, policy: "" });
const anyone = (condition?: Json): Json => ({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::exports/*", ...(condition ? { Condition: condition } : {}) });

describe("resource policies: a condition pins only by value", () => {
  it.each<[string, Json | undefined, string[] | undefined]>([
    ["no condition", undefined, ["critical", "resource-public"]],
    ["StringLike aws:PrincipalAccount \"*\"", { StringLike: { "aws:PrincipalAccount": "*" } }, ["critical", "resource-public"]],
    ["StringLike aws:PrincipalArn \"arn:aws:iam::*:*\"", { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:*" } }, ["critical", "resource-public"]],
    ["StringEqualsIfExists aws:SourceAccount (absent for direct callers)", { StringEqualsIfExists: { "aws:SourceAccount": OWN } }, ["critical", "resource-public"]],
    ["StringNotEquals aws:PrincipalAccount", { StringNotEquals: { "aws:PrincipalAccount": OWN } }, ["critical", "resource-public"]],
    ["ForAllValues:StringEquals aws:PrincipalOrgID (true when absent)", { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123" } }, ["critical", "resource-public"]],
    ["Null aws:PrincipalAccount false", { Null: { "aws:PrincipalAccount": "false" } }, ["critical", "resource-public"]],
    ["StringEquals aws:PrincipalOrgID \"o-*\"", { StringLike: { "aws:PrincipalOrgID": "o-*" } }, ["critical", "resource-public"]],
    ["IpAddress 0.0.0.0/0", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, ["critical", "resource-public"]],
    ["IpAddress of one network", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, ["high", "resource-public"]],
    ["this account, any key case", { StringEquals: { "AWS:PrincipalAccount": OWN } }, undefined],
    ["this account as an ARN", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:role/*` } }, undefined],
    ["this account or an outside one", { StringEquals: { "aws:PrincipalAccount": [OWN, OUTSIDE] } }, ["high", "resource-shared-outside"]],
    ["an outside account", { StringEquals: { "aws:SourceAccount": OUTSIDE } }, ["high", "resource-shared-outside"]],
    ["an organization", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }, ["medium"]],
    ["a VPC endpoint (anyone can create one: check it is yours)", { StringEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } }, ["medium"]],
    ["IpAddress of two halves of the internet", { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } }, ["critical", "resource-public"]],
    ["IpAddress of an IPv6 /16", { IpAddress: { "aws:SourceIp": "2001::/16" } }, ["critical", "resource-public"]],
    ["a pin to this account beside a wildcard one (conditions all apply)", { StringLike: { "aws:PrincipalOrgID": "*" }, StringEquals: { "aws:PrincipalAccount": OWN } }, undefined],
  ])("Principal \"*\" with %s", (_name, condition, expected) => {
    expect(verdict(bucketPolicy(anyone(condition)))).toEqual(expected);
  });

  it("names the outside account as the target, everyone as \"*\", and shows the policy", () => {
    const shared = finding(bucketPolicy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OUTSIDE}:root` }, Action: "s3:GetObject", Resource: "arn:aws:s3:::exports/*" }));
    expect(shared?.target).toEqual({ kind: "account", name: OUTSIDE });
    expect(shared?.summary).toContain(`to account ${OUTSIDE}`);
    expect(shared?.evidence?.policyDocument).toContain(OUTSIDE);
    const published = finding(bucketPolicy(anyone()));
    expect(published?.target).toEqual({ kind: "account", name: "*" });
    expect(published?.title).toBe("Resource opened to everyone");
  });

  it("raises nothing for this account, trusted or managed accounts, services, or Deny statements", () => {
    const to = (account: string) => ({ Effect: "Allow", Principal: { AWS: account }, Action: "s3:GetObject", Resource: "arn:aws:s3:::exports/*" });
    expect(verdict(bucketPolicy(to(OWN)))).toBeUndefined();
    expect(verdict(bucketPolicy(to(PARTNER)))).toEqual(["high", "resource-shared-outside"]);
    expect(verdict(bucketPolicy(to(PARTNER)), { trustedAccounts: [PARTNER] })).toBeUndefined();
    expect(verdict(bucketPolicy(to(PARTNER)), { managedAccounts: [PARTNER] })).toBeUndefined();
    expect(verdict(bucketPolicy({ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::exports/*" }))).toBeUndefined();
    expect(verdict(bucketPolicy({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::exports/*" }))).toBeUndefined();
  });

  it("Allow with NotPrincipal is everyone but a few", () => {
    expect(verdict(bucketPolicy({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: "s3:GetObject", Resource: "arn:aws:s3:::exports/*" }))).toEqual(["critical", "resource-public"]);
  });

  it("a policy it cannot parse is high, never silently nothing", () => {
    expect(verdict(call("secretsmanager.amazonaws.com", "PutResourcePolicy", { secretId: "prod/db", resourcePolicy: '{"Statement": [{"Effect": "Allow", "Effect": "Deny"}]}' }))).toEqual(["high"]);
  });

  it("a failed call is low: nothing was opened", () => {
    expect(verdict({ ...bucketPolicy(anyone()), errorCode: "AccessDenied", errorMessage: "Access Denied" })).toEqual(["low", "resource-public"]);
  });
});

describe("every service's way of sharing", () => {
  const topic = `arn:aws:sns:eu-west-1:${OWN}:alerts`;
  const queue = `https://sqs.eu-west-1.amazonaws.com/${OWN}/jobs`;
  it.each<[string, Json, string[] | undefined]>([
    ["EBS snapshot shared with an outside account", call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-1", createVolumePermission: { add: { items: [{ userId: OUTSIDE }] } } }), ["high", "resource-shared-outside"]],
    ["EBS snapshot made public", call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-1", createVolumePermission: { add: { items: [{ group: "all" }] } } }), ["critical", "resource-public"]],
    ["EBS snapshot unshared", call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-1", createVolumePermission: { remove: { items: [{ userId: OUTSIDE }] } } }), undefined],
    ["an add hidden beside a remove", call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-1", createVolumePermission: { remove: { items: [{ userId: PARTNER }] }, add: { items: { userId: OUTSIDE } } } }), ["high", "resource-shared-outside"]],
    ["AMI shared with an outside account", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", launchPermission: { add: { items: [{ userId: OUTSIDE }] } } }), ["high", "resource-shared-outside"]],
    ["AMI made public", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", launchPermission: { add: { items: [{ group: "all" }] } } }), ["critical", "resource-public"]],
    ["AMI shared with another account's organization (its ARN names the management account)", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", launchPermission: { add: { items: [{ organizationArn: "arn:aws:organizations::999988887777:organization/o-abc123" }] } } }), ["high", "resource-shared-outside"]],
    ["AMI shared with this account's organization", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", launchPermission: { add: { items: [{ organizationArn: `arn:aws:organizations::${ACCOUNT}:organization/o-abc123` }] } } }), undefined],
    ["AMI item carrying this account and group all", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", launchPermission: { add: { items: [{ userId: ACCOUNT, group: "all" }] } } }), ["critical", "resource-public"]],
    ["AMI made public in the older top-level form", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-1", operationType: "add", attributeType: "launchPermission", userGroups: ["all"] }), ["critical", "resource-public"]],
    ["EBS Block Public Access disabled", call("ec2.amazonaws.com", "DisableSnapshotBlockPublicAccess", {}), ["medium"]],
    ["S3 replication to an outside account", call("s3.amazonaws.com", "PutBucketReplication", { bucketName: "b", ReplicationConfiguration: { Role: "r", Rule: { Destination: { Bucket: "arn:aws:s3:::theirs", Account: OUTSIDE } } } }), ["high", "resource-shared-outside"]],
    ["DynamoDB export to an outside account's bucket", call("dynamodb.amazonaws.com", "ExportTableToPointInTime", { tableArn: "arn:aws:dynamodb:eu-west-1:111122223333:table/t", s3Bucket: "theirs", s3BucketOwner: OUTSIDE }), ["high", "resource-shared-outside"]],
    ["DynamoDB export to this account's bucket", call("dynamodb.amazonaws.com", "ExportTableToPointInTime", { tableArn: "arn:aws:dynamodb:eu-west-1:111122223333:table/t", s3Bucket: "ours" }), undefined],
    ["Redshift snapshot shared outside", call("redshift.amazonaws.com", "AuthorizeSnapshotAccess", { snapshotIdentifier: "s", accountWithRestoreAccess: OUTSIDE }), ["high", "resource-shared-outside"]],
    ["KMS replica key with a policy for an outside root", call("kms.amazonaws.com", "ReplicateKey", { keyId: "k", replicaRegion: "eu-central-1", policy: policyJson({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OUTSIDE}:root` }, Action: "kms:*", Resource: "*" }) }), ["high", "resource-shared-outside"]],
    ["ECR replication to an outside registry", call("ecr.amazonaws.com", "PutReplicationConfiguration", { replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: OUTSIDE }] }] } }), ["high", "resource-shared-outside"]],
    ["SSM document shared with All", call("ssm.amazonaws.com", "ModifyDocumentPermission", { name: "d", permissionType: "Share", accountIdsToAdd: ["All"] }), ["critical", "resource-public"]],
    ["OpenSearch domain open to everyone", call("es.amazonaws.com", "UpdateDomainConfig", { domainName: "d", accessPolicies: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "es:*", Resource: "*" }) }), ["critical", "resource-public"]],
    ["Glacier vault policy for everyone (nested Policy)", call("glacier.amazonaws.com", "SetVaultAccessPolicy", { vaultName: "v", accountId: "-", policy: { policy: policyJson({ Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: "*" }) } }), ["critical", "resource-public"]],
    ["logs streamed to an outside account", call("logs.amazonaws.com", "PutSubscriptionFilter", { logGroupName: "g", filterName: "f", filterPattern: "", destinationArn: `arn:aws:logs:eu-west-1:${OUTSIDE}:destination:d` }), ["high", "resource-shared-outside"]],
    ["logs streamed to this account's Lambda", call("logs.amazonaws.com", "PutSubscriptionFilter", { logGroupName: "g", filterName: "f", filterPattern: "", destinationArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f` }), undefined],
    ["EventBridge bus opened to everyone", call("events.amazonaws.com", "PutPermission", { eventBusName: "default", action: "events:PutEvents", principal: "*", statementId: "s" }), ["critical", "resource-public"]],
    ["VPC endpoint service opened to everyone", call("ec2.amazonaws.com", "ModifyVpcEndpointServicePermissions", { serviceId: "vpce-svc-1", addAllowedPrincipals: { item: ["*"] } }), ["critical", "resource-public"]],
    ["CloudFront may read the bucket, any distribution", call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "b", bucketPolicy: JSON.parse(policyJson({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" })) as Json }), ["critical", "resource-public"]],
    ["CloudFront may read the bucket, an outside distribution", call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "b", bucketPolicy: JSON.parse(policyJson({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${OUTSIDE}:distribution/E1` } } })) as Json }), ["high", "resource-shared-outside"]],
    ["CloudFront may read the bucket, this account's distribution", call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "b", bucketPolicy: JSON.parse(policyJson({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/E1` } } })) as Json }), undefined],
    ["Lambda invoke for a service on behalf of an outside account", call("lambda.amazonaws.com", "AddPermission20150331v2", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceAccount: OUTSIDE }), ["high", "resource-shared-outside"]],
    ["DB snapshot shared with an outside account", call("rds.amazonaws.com", "ModifyDBSnapshotAttribute", { dBSnapshotIdentifier: "db", attributeName: "restore", valuesToAdd: [OUTSIDE] }), ["high", "resource-shared-outside"]],
    ["DB cluster snapshot made public", call("rds.amazonaws.com", "ModifyDBClusterSnapshotAttribute", { dBClusterSnapshotIdentifier: "db", attributeName: "restore", valuesToAdd: ["all"] }), ["critical", "resource-public"]],
    ["DB snapshot shared within the account's partners", call("rds.amazonaws.com", "ModifyDBSnapshotAttribute", { dBSnapshotIdentifier: "db", attributeName: "restore", valuesToAdd: [OWN] }), undefined],
    ["DB snapshot unshared", call("rds.amazonaws.com", "ModifyDBSnapshotAttribute", { dBSnapshotIdentifier: "db", attributeName: "restore", valuesToRemove: [OUTSIDE] }), undefined],
    ["Lambda invoke for \"*\"", call("lambda.amazonaws.com", "AddPermission20150331v2", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: "*" }), ["critical", "resource-public"]],
    ["Lambda invoke for \"*\" from this account's source", call("lambda.amazonaws.com", "AddPermission20150331v2", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: "*", sourceAccount: OWN }), undefined],
    ["Lambda invoke for an outside account", call("lambda.amazonaws.com", "AddPermission20150331", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: OUTSIDE }), ["high", "resource-shared-outside"]],
    ["Lambda invoke for S3", call("lambda.amazonaws.com", "AddPermission20150331v2", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceAccount: OWN }), undefined],
    ["Lambda function URL without authentication", call("lambda.amazonaws.com", "CreateFunctionUrlConfig20211031", { functionName: "f", authType: "NONE" }), ["critical", "resource-public"]],
    ["Lambda function URL with IAM authentication", call("lambda.amazonaws.com", "CreateFunctionUrlConfig20211031", { functionName: "f", authType: "AWS_IAM" }), undefined],
    ["Lambda layer for everyone", call("lambda.amazonaws.com", "AddLayerVersionPermission20181031", { layerName: "l", versionNumber: 3, statementId: "s", action: "lambda:GetLayerVersion", principal: "*" }), ["critical", "resource-public"]],
    ["KMS key policy for an outside root", call("kms.amazonaws.com", "PutKeyPolicy", { keyId: "k", policyName: "default", policy: policyJson({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OUTSIDE}:root` }, Action: "kms:Decrypt", Resource: "*" }) }), ["high", "resource-shared-outside"]],
    ["KMS key policy for \"*\" via this account's callers", call("kms.amazonaws.com", "PutKeyPolicy", { keyId: "k", policyName: "default", policy: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": OWN, "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } }) }), undefined],
    ["KMS grant to an outside role", call("kms.amazonaws.com", "CreateGrant", { keyId: "k", granteePrincipal: `arn:aws:iam::${OUTSIDE}:role/x`, operations: ["Decrypt"] }), ["high", "resource-shared-outside"]],
    ["KMS grant to a service", call("kms.amazonaws.com", "CreateGrant", { keyId: "k", granteePrincipal: "rds.eu-west-1.amazonaws.com", operations: ["Decrypt"] }), undefined],
    ["SNS topic policy for everyone", call("sns.amazonaws.com", "SetTopicAttributes", { topicArn: topic, attributeName: "Policy", attributeValue: policyJson({ Effect: "Allow", Principal: "*", Action: "SNS:Subscribe", Resource: topic }) }), ["critical", "resource-public"]],
    ["SNS display name changed", call("sns.amazonaws.com", "SetTopicAttributes", { topicArn: topic, attributeName: "DisplayName", attributeValue: '{"Principal": "*"}' }), undefined],
    ["SNS AddPermission for an outside account", call("sns.amazonaws.com", "AddPermission", { topicArn: topic, label: "l", aWSAccountId: [OUTSIDE], actionName: ["Subscribe"] }), ["high", "resource-shared-outside"]],
    ["SQS queue policy for everyone", call("sqs.amazonaws.com", "SetQueueAttributes", { queueUrl: queue, attributes: { Policy: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: "*" }) } }), ["critical", "resource-public"]],
    ["SQS AddPermission for an outside account", call("sqs.amazonaws.com", "AddPermission", { queueUrl: queue, label: "l", aWSAccountIds: [OUTSIDE], actions: ["SendMessage"] }), ["high", "resource-shared-outside"]],
    ["SQS visibility timeout", call("sqs.amazonaws.com", "SetQueueAttributes", { queueUrl: queue, attributes: { VisibilityTimeout: "60" } }), undefined],
    ["a new SQS queue with a public policy", call("sqs.amazonaws.com", "CreateQueue", { queueName: "q", attributes: { Policy: policyJson({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: "*" }) } }), ["critical", "resource-public"]],
    ["Secrets Manager policy for an outside account", call("secretsmanager.amazonaws.com", "PutResourcePolicy", { secretId: "prod/db", resourcePolicy: policyJson({ Effect: "Allow", Principal: { AWS: OUTSIDE }, Action: "secretsmanager:GetSecretValue", Resource: "*" }) }), ["high", "resource-shared-outside"]],
    ["ECR repository policy for everyone", call("ecr.amazonaws.com", "SetRepositoryPolicy", { repositoryName: "app", policyText: policyJson({ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }) }), ["critical", "resource-public"]],
    ["RAM share with an outside account", call("ram.amazonaws.com", "CreateResourceShare", { name: "s", principals: [OUTSIDE], allowExternalPrincipals: true }), ["high", "resource-shared-outside"]],
    ["RAM share with this account's organization", call("ram.amazonaws.com", "AssociateResourceShare", { resourceShareArn: "arn:aws:ram:eu-west-1:111122223333:resource-share/x", principals: [`arn:aws:organizations::${ACCOUNT}:organization/o-abc123`] }), undefined],
    ["RAM share with another organization's unit", call("ram.amazonaws.com", "AssociateResourceShare", { resourceShareArn: "arn:aws:ram:eu-west-1:111122223333:resource-share/x", principals: ["arn:aws:organizations::999988887777:ou/o-abc123/ou-ab12-cdef3456"] }), ["high", "resource-shared-outside"]],
    ["S3 ACL granting AllUsers", call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "b", AccessControlPolicy: { Owner: { ID: "owner" }, AccessControlList: { Grant: [{ Grantee: { "xsi:type": "CanonicalUser", ID: "owner" }, Permission: "FULL_CONTROL" }, { Grantee: { "xsi:type": "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" }] } } }), ["critical", "resource-public"]],
    ["S3 ACL for the owner only", call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "b", AccessControlPolicy: { Owner: { ID: "owner" }, AccessControlList: { Grant: { Grantee: { "xsi:type": "CanonicalUser", ID: "owner" }, Permission: "FULL_CONTROL" } } } }), undefined],
    ["S3 canned ACL public-read", call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "b", "x-amz-acl": ["public-read"] }), ["critical", "resource-public"]],
    ["S3 canned ACL private", call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "b", "x-amz-acl": ["private"] }), undefined],
    ["S3 Block Public Access deleted", call("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", { bucketName: "b" }), ["medium"]],
    ["S3 Block Public Access with one setting off", call("s3.amazonaws.com", "PutBucketPublicAccessBlock", { bucketName: "b", PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } }), ["medium"]],
    ["S3 Block Public Access with a setting left out (off by default)", call("s3.amazonaws.com", "PutBucketPublicAccessBlock", { bucketName: "b", PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true } }), ["medium"]],
    ["S3 Block Public Access all on", call("s3.amazonaws.com", "PutBucketPublicAccessBlock", { bucketName: "b", PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }), undefined],
    ["a watched name from another service", call("securityhub.amazonaws.com", "PutBucketPolicy", { bucketName: "b", bucketPolicy: JSON.parse(policyJson(anyone())) as Json }), undefined],
  ])("%s", (_name, record, expected) => {
    expect(verdict(record)).toEqual(expected);
  });

  it("takes Lambda's ATT&CK technique for a backdoor permission, T1537 for data", () => {
    expect(finding(call("lambda.amazonaws.com", "AddPermission20150331v2", { functionName: "f", statementId: "s", action: "lambda:InvokeFunction", principal: "*" }))?.technique.id).toBe("T1098");
    expect(finding(call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-1", createVolumePermission: { add: { items: [{ userId: OUTSIDE }] } } }))?.technique.id).toBe("T1537");
  });

  it("hostile values are data: quoted in the summary, never a pin, never an action", () => {
    const record = call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: 'snap-1"\nApproved by security', createVolumePermission: { add: { items: [{ userId: "99998888777\u0661" }, { userId: 42 }] } } });
    const found = finding(record);
    expect(found?.severity).toBe("medium");
    expect(found?.summary).not.toContain("\n");
    expect(found?.actions).toEqual([]);
  });
});

describe("delivery", () => {
  it("runs in the exposure monitor (its own function, away from the responder and the tamper monitor), alert only, and its events are in that function's EventBridge patterns", () => {
    expect(EXPOSURE_RULES).toEqual([resourceSharedOutside]);
    expect(IAM_RULES).not.toContain(resourceSharedOutside);
    expect(ROOT_MONITOR_RULES).not.toContain(resourceSharedOutside);
    expect(TAMPER_RULES).not.toContain(resourceSharedOutside);
    const detail = callRouting(renderPatterns(EXPOSURE_RULES, []));
    for (const source of resourceSharedOutside.eventSources ?? []) expect(detail.eventSource).toContain(source);
    for (const name of resourceSharedOutside.eventNames ?? []) expect(detail.eventName).toContain(name);
    expect(finding(bucketPolicy(anyone()), { mode: "enforce" })?.actions).toEqual([]);
  });
});
