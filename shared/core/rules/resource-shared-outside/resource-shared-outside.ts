import { isAccountId, parseArn } from "../../arn/arn.js";
import { isPlainObject } from "../../cloudtrail/record.js";
import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { type Grant, type KnownAccounts, type Pin, accountOfPrincipal, judgeGrants, policyGrants, principalGrant } from "../../iam/resource-exposure.js";
import { type PolicyParseResult, parsePolicyDocument } from "../../iam/policy-document.js";
import type { Evidence } from "../../model/finding.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { describeActor, documentEvidence, outcome } from "../rule-helpers.js";

/**
 * Resource policies and sharing settings opened to outsiders: the trust update that needs no
 * IAM call. A bucket policy naming another account, a snapshot or image shared with one, a
 * Lambda permission for "*", a key, topic, queue, secret or repository policy for everyone, a
 * resource share with an outside principal: each lets someone outside the account read the
 * data or run the code without any credential from it (ATT&CK T1537, Transfer Data to Cloud
 * Account). What was opened to whom is judged by value (shared/core/iam/resource-exposure.ts);
 * removals and grants to this account, trusted or managed accounts raise nothing.
 */
const S3 = "s3.amazonaws.com";
const EC2 = "ec2.amazonaws.com";
const RDS = "rds.amazonaws.com";
const LAMBDA = "lambda.amazonaws.com";
const KMS = "kms.amazonaws.com";
const SNS = "sns.amazonaws.com";
const SQS = "sqs.amazonaws.com";
const SECRETS_MANAGER = "secretsmanager.amazonaws.com";
const ECR = "ecr.amazonaws.com";
const RAM = "ram.amazonaws.com";

/** What one request opened: grants to judge, a policy that could not be read, or a guardrail lowered. */
type Reading =
  | { readonly kind: "grants"; readonly resource: string; readonly grants: readonly Grant[]; readonly evidence?: Evidence }
  | { readonly kind: "unreadable"; readonly resource: string; readonly reason: string; readonly evidence?: Evidence }
  | { readonly kind: "guardrail"; readonly resource: string; readonly what: string };

type Reader = (request: Record<string, unknown>, response: Record<string, unknown>) => Reading | undefined;

/** Event source to its event names and how each request is read. A Map: an event source is input, never a property name. */
const READERS: ReadonlyMap<string, ReadonlyMap<string, Reader>> = new Map<string, ReadonlyMap<string, Reader>>([
  [
    S3,
    new Map<string, Reader>([
      ["PutBucketPolicy", (request) => policyReading(`bucket ${quoted(text(request.bucketName))}`, request.bucketPolicy ?? request.policy)],
      ["PutBucketAcl", (request) => bucketAcl(request)],
      ["PutBucketPublicAccessBlock", (request) => publicAccessBlock(`bucket ${quoted(text(request.bucketName))}`, request.PublicAccessBlockConfiguration)],
      ["DeleteBucketPublicAccessBlock", (request) => ({ kind: "guardrail", resource: `bucket ${quoted(text(request.bucketName))}`, what: "its S3 Block Public Access settings deleted" })],
      ["PutAccountPublicAccessBlock", (request) => publicAccessBlock("the account", request.PublicAccessBlockConfiguration)],
      ["PutAccessPointPolicy", (request) => policyReading(`access point ${quoted(text(request.name))}`, policyIn(request))],
      ["PutBucketReplication", (request) => replication(`bucket ${quoted(text(request.bucketName))}`, request)],
      ["DeleteAccountPublicAccessBlock", () => ({ kind: "guardrail", resource: "the account", what: "its S3 Block Public Access settings deleted" })],
    ]),
  ],
  [
    EC2,
    new Map<string, Reader>([
      ["ModifySnapshotAttribute", (request) => permissionAdds(`snapshot ${quoted(text(request.snapshotId))}`, "create-volume permission", request.createVolumePermission, request)],
      ["ModifyImageAttribute", (request) => permissionAdds(`image ${quoted(text(request.imageId))}`, "launch permission", request.launchPermission, request)],
      ["ModifyFpgaImageAttribute", (request) => permissionAdds(`FPGA image ${quoted(text(request.fpgaImageId))}`, "load permission", request.loadPermission, request)],
      ["ModifyVpcEndpointServicePermissions", (request) => accountList(`endpoint service ${quoted(text(request.serviceId))}`, "allowed principal", request.addAllowedPrincipals)],
      ["DisableImageBlockPublicAccess", () => ({ kind: "guardrail", resource: "the region", what: "AMI Block Public Access disabled: images can be made public" })],
      ["DisableSnapshotBlockPublicAccess", () => ({ kind: "guardrail", resource: "the region", what: "EBS snapshot Block Public Access disabled: snapshots can be made public" })],
    ]),
  ],
  [
    RDS,
    new Map<string, Reader>([
      ["ModifyDBSnapshotAttribute", (request) => restoreAdds(`DB snapshot ${quoted(text(request.dBSnapshotIdentifier))}`, request)],
      ["ModifyDBClusterSnapshotAttribute", (request) => restoreAdds(`DB cluster snapshot ${quoted(text(request.dBClusterSnapshotIdentifier))}`, request)],
    ]),
  ],
  [
    LAMBDA,
    new Map<string, Reader>([
      // Lambda's event names carry the API version; every version the service has recorded.
      ["AddPermission20150331v2", (request) => lambdaPermission(request)],
      ["AddPermission20150331", (request) => lambdaPermission(request)],
      ["AddPermission", (request) => lambdaPermission(request)],
      ["AddLayerVersionPermission20181031", (request) => layerPermission(request)],
      ["CreateFunctionUrlConfig20211031", (request) => functionUrl(request)],
      ["UpdateFunctionUrlConfig20211031", (request) => functionUrl(request)],
    ]),
  ],
  [
    KMS,
    new Map<string, Reader>([
      ["PutKeyPolicy", (request) => policyReading(`KMS key ${quoted(text(request.keyId))}`, request.policy)],
      ["CreateKey", (request, response) => (request.policy === undefined ? undefined : policyReading(`new KMS key ${quoted(text(nested(response, "keyMetadata", "keyId")))}`, request.policy))],
      ["CreateGrant", (request) => kmsGrant(request)],
      ["ReplicateKey", (request) => (request.policy === undefined ? undefined : policyReading(`replica of KMS key ${quoted(text(request.keyId))} in ${quoted(text(request.replicaRegion))}`, request.policy))],
    ]),
  ],
  [
    SNS,
    new Map<string, Reader>([
      ["SetTopicAttributes", (request) => (lower(request.attributeName) === "policy" ? policyReading(`topic ${quoted(text(request.topicArn))}`, request.attributeValue) : undefined)],
      ["CreateTopic", (request) => attributePolicy(`new topic ${quoted(text(request.name))}`, request.attributes)],
      ["AddPermission", (request) => accountList(`topic ${quoted(text(request.topicArn))}`, "AddPermission", request.aWSAccountId)],
    ]),
  ],
  [
    SQS,
    new Map<string, Reader>([
      ["SetQueueAttributes", (request) => attributePolicy(`queue ${quoted(text(request.queueUrl))}`, request.attributes)],
      ["CreateQueue", (request) => attributePolicy(`new queue ${quoted(text(request.queueName))}`, request.attributes)],
      ["AddPermission", (request) => accountList(`queue ${quoted(text(request.queueUrl))}`, "AddPermission", request.aWSAccountIds)],
    ]),
  ],
  [SECRETS_MANAGER, new Map<string, Reader>([["PutResourcePolicy", (request) => policyReading(`secret ${quoted(text(request.secretId))}`, request.resourcePolicy)]])],
  ["s3express.amazonaws.com", new Map<string, Reader>([["PutBucketPolicy", (request) => policyReading(`directory bucket ${quoted(text(request.bucketName))}`, policyIn(request))]])],
  [
    "dynamodb.amazonaws.com",
    new Map<string, Reader>([
      ["PutResourcePolicy", (request) => policyReading(`table ${quoted(text(request.resourceArn))}`, policyIn(request))],
      ["ExportTableToPointInTime", (request) => (text(request.s3BucketOwner) ? accountList(`export of ${quoted(text(request.tableArn))} to bucket ${quoted(text(request.s3Bucket))}`, "bucket owner", request.s3BucketOwner) : undefined)],
    ]),
  ],
  [
    "redshift.amazonaws.com",
    new Map<string, Reader>([
      ["AuthorizeSnapshotAccess", (request) => accountList(`Redshift snapshot ${quoted(text(request.snapshotIdentifier) ?? text(request.snapshotArn))}`, "restore access", request.accountWithRestoreAccess)],
      ["AuthorizeDataShare", (request) => accountList(`datashare ${quoted(text(request.dataShareArn))}`, "consumer", request.consumerIdentifier)],
    ]),
  ],
  [
    "es.amazonaws.com",
    new Map<string, Reader>(
      ["CreateDomain", "UpdateDomainConfig", "CreateElasticsearchDomain", "UpdateElasticsearchDomainConfig"].map((name): [string, Reader] => [name, (request) => policyReading(`search domain ${quoted(text(request.domainName))}`, policyIn(request))]),
    ),
  ],
  ["ssm.amazonaws.com", new Map<string, Reader>([["ModifyDocumentPermission", (request) => accountList(`SSM document ${quoted(text(request.name))}`, "share", request.accountIdsToAdd)]])],
  ["backup.amazonaws.com", new Map<string, Reader>([["PutBackupVaultAccessPolicy", (request) => policyReading(`backup vault ${quoted(text(request.backupVaultName))}`, policyIn(request))]])],
  ["elasticfilesystem.amazonaws.com", new Map<string, Reader>([["PutFileSystemPolicy", (request) => policyReading(`file system ${quoted(text(request.fileSystemId))}`, policyIn(request))]])],
  ["glacier.amazonaws.com", new Map<string, Reader>([["SetVaultAccessPolicy", (request) => policyReading(`vault ${quoted(text(request.vaultName))}`, policyIn(request))]])],
  ["glue.amazonaws.com", new Map<string, Reader>([["PutResourcePolicy", (request) => policyReading(`Glue catalog ${quoted(text(request.resourceArn) ?? "(account)")}`, policyIn(request))]])],
  [
    "codeartifact.amazonaws.com",
    new Map<string, Reader>([
      ["PutRepositoryPermissionsPolicy", (request) => policyReading(`repository ${quoted(text(request.repository))}`, policyIn(request))],
      ["PutDomainPermissionsPolicy", (request) => policyReading(`domain ${quoted(text(request.domain))}`, policyIn(request))],
    ]),
  ],
  [
    "logs.amazonaws.com",
    new Map<string, Reader>([
      ["PutSubscriptionFilter", (request) => destinationOutside(`log group ${quoted(text(request.logGroupName))}`, text(request.destinationArn))],
      ["PutDestinationPolicy", (request) => policyReading(`log destination ${quoted(text(request.destinationName))}`, policyIn(request))],
    ]),
  ],
  ["lakeformation.amazonaws.com", new Map<string, Reader>([["GrantPermissions", (request) => accountList("Lake Formation permissions", "grant", nested(request, "principal", "dataLakePrincipalIdentifier"))]])],
  [
    "events.amazonaws.com",
    new Map<string, Reader>([["PutPermission", (request) => (policyIn(request) !== undefined ? policyReading(`event bus ${quoted(text(request.eventBusName) ?? "default")}`, policyIn(request)) : eventBusPermission(request))]]),
  ],
  [
    ECR,
    new Map<string, Reader>([
      ["SetRepositoryPolicy", (request) => policyReading(`repository ${quoted(text(request.repositoryName))}`, request.policyText)],
      ["SetRegistryPolicy", (request) => policyReading("the registry", policyIn(request))],
      ["PutRegistryPolicy", (request) => policyReading("the registry", policyIn(request))],
      ["PutReplicationConfiguration", (request) => ecrReplication(request)],
    ]),
  ],
  [
    RAM,
    new Map<string, Reader>([
      ["CreateResourceShare", (request) => accountList(`resource share ${quoted(text(request.name))}`, "principals", request.principals)],
      ["AssociateResourceShare", (request) => accountList(`resource share ${quoted(text(request.resourceShareArn))}`, "principals", request.principals)],
    ]),
  ],
]);

export const resourceSharedOutside = defineRule({
  id: "resource-shared-outside",
  title: "Resource shared outside the account",
  category: "resource-exposure",
  technique: { id: "T1537", name: "Transfer Data to Cloud Account" },
  runbook:
    "Read who the resource was opened to. If the account is not yours or a partner's, undo it now: remove the statement or permission (aws s3api delete-bucket-policy or put-bucket-policy with the previous one, aws ec2 modify-snapshot-attribute / modify-image-attribute --operation-type remove, aws rds modify-db-snapshot-attribute --values-to-remove, aws lambda remove-permission, aws kms put-key-policy, aws sns/sqs remove-permission or set the previous policy, aws secretsmanager delete-resource-policy, aws ram disassociate-resource-share), then look for use from outside (S3 server access logs or data events, SharedSnapshotVolumeCreated / CopySnapshot in the other account if it is yours, Lambda invocations) and treat the actor's session as compromised: what else did it do? Add partner accounts to the trusted accounts setting.",
  eventNames: [...new Set([...READERS.values()].flatMap((names) => [...names.keys()]))],
  eventSources: [...READERS.keys()],
  signals: ["resource-public", "resource-shared-outside"],
  evaluate({ record, actor, event, settings }) {
    const reader = READERS.get(event.eventSource)?.get(event.eventName);
    if (reader === undefined) return undefined;
    const summary = (what: string) => `${describeActor(actor)} ${what}: ${outcome(event.failed, event.errorCode)}`;
    const notRecorded = record.requestParameters === null || record.requestParameters === undefined;
    const reading = reader(record.requestParameters ?? {}, record.responseElements ?? {});
    if (reading === undefined && notRecorded && !event.failed) {
      // CloudTrail drops request parameters over 100 KB, and policies can be padded that far.
      return {
        severity: "high",
        summary: summary(`called ${event.eventName}, whose request CloudTrail did not record`),
        whyItMatters: "What this call shared, and with whom, is not in the record: read the resource's policy or sharing settings by hand.",
        reasons: ["request parameters not recorded (CloudTrail omits them over 100 KB)"],
        signals: [],
        target: undefined,
      };
    }
    if (reading === undefined) return undefined;
    if (reading.kind === "guardrail") {
      return {
        severity: "medium",
        title: "Block Public Access lowered",
        summary: summary(`lowered Block Public Access on ${reading.resource} (${event.eventName})`),
        whyItMatters: "Block Public Access is the guardrail that keeps a policy, ACL or sharing setting from publishing data; without it, the next change can open the resource to everyone.",
        reasons: [`${reading.resource}: ${reading.what}`],
        signals: [],
        target: { kind: "account", name: event.account },
      };
    }
    if (reading.kind === "unreadable") {
      return {
        severity: "high",
        summary: summary(`changed the policy of ${reading.resource} (${event.eventName})`),
        whyItMatters: "The new policy could not be analysed, so trailguard cannot rule out that it opens the resource to outsiders: read it by hand.",
        reasons: [reading.reason],
        signals: [],
        target: undefined,
        ...(reading.evidence ? { evidence: reading.evidence } : {}),
      };
    }
    const known: KnownAccounts = new Set([...(event.account ? [event.account] : []), ...settings.trustedAccounts, ...settings.self.managedAccounts]);
    const verdict = judgeGrants(reading.grants, known);
    if (verdict.severity === undefined) return undefined;
    const everyone = verdict.opensTo === "*";
    return {
      severity: verdict.severity,
      ...(everyone ? { title: "Resource opened to everyone" } : {}),
      ...(event.eventSource === LAMBDA ? { technique: { id: "T1098", name: "Account Manipulation" } } : {}),
      summary: summary(`opened ${reading.resource} to ${everyone ? "everyone" : verdict.opensTo ? `account ${verdict.opensTo}` : "principals to check"} (${event.eventName})`),
      whyItMatters: everyone
        ? "Anyone, in any AWS account or none, can now use this resource as the grant allows: read its data, restore or launch it, invoke it."
        : "Whoever holds the named account can now use this resource from their own account, without any credential from yours: the way data leaves and backdoors stay.",
      reasons: verdict.findings.map((finding) => finding.reason),
      signals: verdict.signals,
      target: verdict.opensTo ? { kind: "account", name: verdict.opensTo } : undefined,
      ...(reading.evidence ? { evidence: reading.evidence } : {}),
    };
  },
});

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function lower(value: unknown): string | undefined {
  return typeof value === "string" ? value.toLowerCase() : undefined;
}

function nested(object: Record<string, unknown>, ...path: string[]): unknown {
  let value: unknown = object;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}

/** A list that CloudTrail records as one value or a list (XML-derived request shapes do both). */
function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function policyReading(resource: string, raw: unknown): Reading | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const parsed: PolicyParseResult = parsePolicyDocument(raw);
  if (!parsed.ok) return { kind: "unreadable", resource, reason: parsed.reason, evidence: documentEvidence(raw, parsed) };
  return { kind: "grants", resource, grants: policyGrants(parsed.document), evidence: documentEvidence(raw, parsed) };
}

/** SNS CreateTopic, SQS SetQueueAttributes and CreateQueue: `attributes.Policy`, a JSON string. */
function attributePolicy(resource: string, attributes: unknown): Reading | undefined {
  if (!isPlainObject(attributes)) return undefined;
  const key = Object.keys(attributes).find((name) => name.toLowerCase() === "policy");
  return key === undefined ? undefined : policyReading(resource, attributes[key]);
}

/** SNS/SQS AddPermission and RAM principals: account ids, ARNs, organisations, `*`. */
function accountList(resource: string, via: string, values: unknown): Reading | undefined {
  // EC2's query API records lists as {item: [...]} or {items: [...]}.
  const flat = list(values).flatMap((value) => (isPlainObject(value) && (value.item !== undefined || value.items !== undefined) ? list(value.item ?? value.items) : [value]));
  const grants = flat.map((value): Grant => {
    const written = typeof value === "string" ? value : String(JSON.stringify(value));
    if (/^arn:[\w-]+:organizations::/.test(written)) return { to: "organization", value: written, via };
    // SSM shares with "All", RDS and EC2 with "all": everyone.
    if (written.toLowerCase() === "all") return { to: "anyone", value: "all", via: `${via} with "all"` };
    return { ...principalGrant(written), via };
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

/**
 * EC2 `{add: {items: [{userId} | {group: "all"} | {organizationArn} | {organizationalUnitArn}]}}`,
 * every field of every item read (one item may carry a user and a group). Removals grant nothing.
 */
function permissionAdds(resource: string, via: string, permission: unknown, request: Record<string, unknown> = {}): Reading | undefined {
  const items = list(nested({ permission }, "permission", "add", "items"));
  if (items.length === 0) items.push(...list(nested({ permission }, "permission", "add")).filter(isPlainObject));
  const grants = items.flatMap((item): Grant[] => (isPlainObject(item) ? itemGrants(item, via) : []));
  grants.push(...legacyAdds(request, via));
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

function itemGrants(item: Record<string, unknown>, via: string): Grant[] {
  const grants: Grant[] = [];
  if (typeof item.userId === "string" && item.userId !== "") grants.push({ ...principalGrant(item.userId), via });
  const group = lower(item.group) ?? lower(item.userGroup);
  if (group === "all") grants.push({ to: "anyone", value: "all", via: `${via} for group "all"` });
  for (const organization of [text(item.organizationArn), text(item.organizationalUnitArn)]) if (organization) grants.push({ to: "organization", value: organization, via });
  return grants;
}

/**
 * The older top-level form (`--operation-type add --user-ids … --group-names all`): user ids and
 * groups beside `operationType: "add"`, as a list, one value or `{items: [...]}`.
 */
function legacyAdds(request: Record<string, unknown>, via: string): Grant[] {
  if (lower(request.operationType) !== "add") return [];
  const values = (key: string) =>
    list(request[key]).flatMap((value) => (isPlainObject(value) ? list(value.items) : [value])).flatMap((value) => (isPlainObject(value) ? Object.values(value) : [value]));
  const grants: Grant[] = [];
  for (const key of ["userIds", "userId"]) for (const value of values(key)) if (typeof value === "string" && value !== "") grants.push({ ...principalGrant(value), via });
  for (const key of ["userGroups", "userGroup", "groupNames", "groupName", "groups"]) {
    for (const value of values(key)) if (typeof value === "string" && value.toLowerCase() === "all") grants.push({ to: "anyone", value: "all", via: `${via} for group "all"` });
  }
  return grants;
}

/** RDS `attributeName: "restore"`, `valuesToAdd`: account ids or "all". */
function restoreAdds(resource: string, request: Record<string, unknown>): Reading | undefined {
  if (lower(request.attributeName) !== "restore") return undefined;
  const grants = list(request.valuesToAdd).flatMap((value): Grant[] => {
    if (typeof value !== "string") return [];
    if (value.toLowerCase() === "all") return [{ to: "anyone", value: "all", via: 'restore permission for "all"' }];
    return [{ ...principalGrant(value), via: "restore permission" }];
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

/** Lambda AddPermission: a principal, narrowed by SourceAccount, SourceArn or PrincipalOrgID. */
function lambdaPermission(request: Record<string, unknown>): Reading | undefined {
  const principal = text(request.principal);
  if (principal === undefined) return undefined;
  const resource = `function ${quoted(text(request.functionName))}`;
  const via = `permission ${quoted(text(request.statementId))} for ${quoted(text(request.action))}`;
  const pins: Pin[] = [
    ...(text(request.sourceAccount) ? [{ kind: "account" as const, key: "SourceAccount", values: [text(request.sourceAccount) ?? ""] }] : []),
    ...(text(request.sourceArn) ? [{ kind: "arn" as const, key: "SourceArn", values: [text(request.sourceArn) ?? ""] }] : []),
    ...(text(request.principalOrgID) ? [{ kind: "organization" as const, key: "PrincipalOrgID", values: [text(request.principalOrgID) ?? ""] }] : []),
  ];
  if (principal.endsWith(".amazonaws.com")) return { kind: "grants", resource, grants: [{ to: "service", value: principal, via, pins }] };
  const urlAuth = lower(request.functionUrlAuthType);
  const grant = principalGrant(principal);
  const publicUrl = grant.to === "anyone" && urlAuth === "none" ? " (function URL without authentication)" : "";
  return { kind: "grants", resource, grants: [{ ...grant, via: `${via}${publicUrl}`, pins }] };
}

function layerPermission(request: Record<string, unknown>): Reading | undefined {
  const principal = text(request.principal);
  if (principal === undefined) return undefined;
  const organization = text(request.organizationId);
  const pins: Pin[] = organization ? [{ kind: "organization", key: "OrganizationId", values: [organization] }] : [];
  return {
    kind: "grants",
    resource: `layer ${quoted(text(request.layerName))} version ${quoted(String(request.versionNumber ?? ""))}`,
    grants: [{ ...principalGrant(principal), via: `layer permission ${quoted(text(request.statementId))}`, pins }],
  };
}

/** A function URL whose AuthType is NONE: anyone on the internet may invoke it. */
function functionUrl(request: Record<string, unknown>): Reading | undefined {
  if (lower(request.authType) !== "none") return undefined;
  return { kind: "grants", resource: `function ${quoted(text(request.functionName))}`, grants: [{ to: "anyone", value: "*", via: "function URL with AuthType NONE" }] };
}

function kmsGrant(request: Record<string, unknown>): Reading | undefined {
  const grantee = text(request.granteePrincipal);
  if (grantee === undefined) return undefined;
  const account = accountOfPrincipal(grantee);
  // Service principals and other AWS-owned grantees act for this account's own calls.
  if (account === undefined && grantee.endsWith(".amazonaws.com")) return undefined;
  return {
    kind: "grants",
    resource: `KMS key ${quoted(text(request.keyId))}`,
    grants: [{ ...principalGrant(grantee), via: `grant of ${list(request.operations).filter((op): op is string => typeof op === "string").map((op) => quoted(op)).join(", ") || "operations"} to ${quoted(grantee)}` }],
  };
}

const PUBLIC_GROUPS = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];

/** S3 PutBucketAcl: a canned ACL header, x-amz-grant-* headers, or an AccessControlPolicy body. */
function bucketAcl(request: Record<string, unknown>): Reading | undefined {
  const resource = `bucket ${quoted(text(request.bucketName))}`;
  const grants: Grant[] = [];
  for (const canned of list(request["x-amz-acl"])) {
    if (typeof canned === "string" && PUBLIC_CANNED_ACLS.includes(canned.toLowerCase())) grants.push({ to: "anyone", value: "*", via: `canned ACL ${quoted(canned)}` });
  }
  for (const [header, value] of Object.entries(request)) {
    if (!header.toLowerCase().startsWith("x-amz-grant-")) continue;
    for (const entry of list(value)) {
      if (typeof entry !== "string") continue;
      if (PUBLIC_GROUPS.some((group) => entry.includes(group))) grants.push({ to: "anyone", value: "*", via: `${header} to a public group` });
      else if (/\bid=/i.test(entry)) grants.push({ to: "unknown", value: entry, via: header });
    }
  }
  const acl = nested(request, "AccessControlPolicy", "AccessControlList", "Grant");
  const ownerId = text(nested(request, "AccessControlPolicy", "Owner", "ID"));
  for (const grant of list(acl)) {
    const grantee = isPlainObject(grant) && isPlainObject(grant.Grantee) ? grant.Grantee : undefined;
    if (grantee === undefined) continue;
    const permission = text(isPlainObject(grant) ? grant.Permission : undefined) ?? "access";
    const uri = text(grantee.URI);
    if (uri && PUBLIC_GROUPS.includes(uri)) grants.push({ to: "anyone", value: "*", via: `ACL grant of ${quoted(permission)} to ${quoted(uri.slice(uri.lastIndexOf("/") + 1))}` });
    const id = text(grantee.ID);
    if (id && id !== ownerId) grants.push({ to: "unknown", value: `canonical user ${id}`, via: `ACL grant of ${quoted(permission)}` });
  }
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

/** Block Public Access with any of its four settings off. */
function publicAccessBlock(resource: string, configuration: unknown): Reading | undefined {
  if (!isPlainObject(configuration)) return undefined;
  const off = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"].filter((name) => {
    // An omitted setting is false (S3's default), so only an explicit true keeps it on.
    const value = configuration[name];
    return value !== true && !(typeof value === "string" && value.toLowerCase() === "true");
  });
  return off.length === 0 ? undefined : { kind: "guardrail", resource, what: `S3 Block Public Access set with ${off.join(", ")} off` };
}

/** Where a service keeps the policy in its request: the first of these keys, at the top or one level down. */
const POLICY_KEYS = ["policy", "resourcepolicy", "policytext", "policyinjson", "policydocument", "accesspolicies", "accesspolicy", "bucketpolicy"];

function policyIn(request: Record<string, unknown>): unknown {
  const find = (object: Record<string, unknown>): unknown => {
    const key = Object.keys(object).find((name) => POLICY_KEYS.includes(name.toLowerCase()) && object[name] !== "" && object[name] !== null && object[name] !== undefined);
    return key === undefined ? undefined : object[key];
  };
  const top = find(request);
  if (top !== undefined) return isPlainObject(top) && top.Statement === undefined ? (find(top) ?? top) : top;
  for (const value of Object.values(request)) if (isPlainObject(value)) {
    const inner = find(value);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** S3 replication rules: each destination bucket's account, when the rule names one. */
function replication(resource: string, request: Record<string, unknown>): Reading | undefined {
  const rules = list(nested(request, "ReplicationConfiguration", "Rule"));
  const grants = rules.flatMap((rule): Grant[] => {
    const destination = isPlainObject(rule) && isPlainObject(rule.Destination) ? rule.Destination : undefined;
    const account = text(destination?.Account);
    const bucket = text(destination?.Bucket);
    if (account) return [{ ...principalGrant(account), via: `replication to ${quoted(bucket)}` }];
    return bucket ? [{ to: "unknown", value: bucket, via: "replication to a bucket whose owner the request does not name" }] : [];
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

function ecrReplication(request: Record<string, unknown>): Reading | undefined {
  const rules = list(nested(request, "replicationConfiguration", "rules"));
  const grants = rules.flatMap((rule) => list(isPlainObject(rule) ? rule.destinations : undefined)).flatMap((destination): Grant[] => {
    const registry = isPlainObject(destination) ? text(destination.registryId) : undefined;
    return registry ? [{ ...principalGrant(registry), via: `replication to registry ${quoted(registry)} in ${quoted(isPlainObject(destination) ? text(destination.region) : undefined)}` }] : [];
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource: "the registry", grants };
}

/** A subscription filter streams a log group to its destination: another account's is an outside copy. */
function destinationOutside(resource: string, destinationArn: string | undefined): Reading | undefined {
  const account = parseArnAccount(destinationArn);
  return account === undefined ? undefined : { kind: "grants", resource, grants: [{ to: "account", value: account, via: `subscription to ${quoted(destinationArn)}` }] };
}

function parseArnAccount(value: string | undefined): string | undefined {
  const account = parseArn(value)?.account;
  return isAccountId(account) ? account : undefined;
}

/** EventBridge PutPermission without a policy: a principal ("*" or an account), narrowed by an organization condition. */
function eventBusPermission(request: Record<string, unknown>): Reading | undefined {
  const principal = text(request.principal);
  if (principal === undefined) return undefined;
  const condition = isPlainObject(request.condition) ? request.condition : undefined;
  const organization = lower(condition?.key) === "aws:principalorgid" && text(condition?.value) ? [{ kind: "organization" as const, key: "aws:PrincipalOrgID", values: [text(condition?.value) ?? ""] }] : [];
  return { kind: "grants", resource: `event bus ${quoted(text(request.eventBusName) ?? "default")}`, grants: [{ ...principalGrant(principal), via: `permission ${quoted(text(request.statementId))} to put events`, pins: organization }] };
}
