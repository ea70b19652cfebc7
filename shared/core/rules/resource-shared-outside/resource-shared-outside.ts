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
      ["DeleteAccountPublicAccessBlock", () => ({ kind: "guardrail", resource: "the account", what: "its S3 Block Public Access settings deleted" })],
    ]),
  ],
  [
    EC2,
    new Map<string, Reader>([
      ["ModifySnapshotAttribute", (request) => permissionAdds(`snapshot ${quoted(text(request.snapshotId))}`, "create-volume permission", request.createVolumePermission)],
      ["ModifyImageAttribute", (request) => permissionAdds(`image ${quoted(text(request.imageId))}`, "launch permission", request.launchPermission)],
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
  [ECR, new Map<string, Reader>([["SetRepositoryPolicy", (request) => policyReading(`repository ${quoted(text(request.repositoryName))}`, request.policyText)]])],
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
  category: "trust-update",
  technique: { id: "T1537", name: "Transfer Data to Cloud Account" },
  runbook:
    "Read who the resource was opened to. If the account is not yours or a partner's, undo it now: remove the statement or permission (aws s3api delete-bucket-policy or put-bucket-policy with the previous one, aws ec2 modify-snapshot-attribute / modify-image-attribute --operation-type remove, aws rds modify-db-snapshot-attribute --values-to-remove, aws lambda remove-permission, aws kms put-key-policy, aws sns/sqs remove-permission or set the previous policy, aws secretsmanager delete-resource-policy, aws ram disassociate-resource-share), then look for use from outside (S3 server access logs or data events, SharedSnapshotVolumeCreated / CopySnapshot in the other account if it is yours, Lambda invocations) and treat the actor's session as compromised: what else did it do? Add partner accounts to the trusted accounts setting.",
  eventNames: [...new Set([...READERS.values()].flatMap((names) => [...names.keys()]))],
  eventSources: [...READERS.keys()],
  signals: ["resource-public", "resource-shared-outside"],
  evaluate({ record, actor, event, settings }) {
    const reader = READERS.get(event.eventSource)?.get(event.eventName);
    if (reader === undefined) return undefined;
    const reading = reader(record.requestParameters ?? {}, record.responseElements ?? {});
    if (reading === undefined) return undefined;
    const summary = (what: string) => `${describeActor(actor)} ${what}: ${outcome(event.failed, event.errorCode)}`;
    if (reading.kind === "guardrail") {
      return {
        severity: "medium",
        title: "S3 Block Public Access lowered",
        summary: summary(`lowered S3 Block Public Access on ${reading.resource} (${event.eventName})`),
        whyItMatters: "Block Public Access is the guardrail that keeps a bucket policy or ACL from publishing data; without it, the next policy can open the bucket to everyone.",
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
  const grants = list(values).map((value): Grant => {
    const written = typeof value === "string" ? value : String(JSON.stringify(value));
    if (/^arn:[\w-]+:organizations::/.test(written)) return { to: "organization", value: written, via };
    return { ...principalGrant(written), via };
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
}

/** EC2 `{add: {items: [{userId} | {group: "all"} | {organizationArn} | {organizationalUnitArn}]}}`; removals grant nothing. */
function permissionAdds(resource: string, via: string, permission: unknown): Reading | undefined {
  const items = list(nested({ permission }, "permission", "add", "items"));
  const grants = items.flatMap((item): Grant[] => {
    if (!isPlainObject(item)) return [];
    if (typeof item.userId === "string") return [{ ...principalGrant(item.userId), via }];
    if (lower(item.group) === "all") return [{ to: "anyone", value: "all", via: `${via} for group "all"` }];
    const organization = text(item.organizationArn) ?? text(item.organizationalUnitArn);
    return organization ? [{ to: "organization", value: organization, via }] : [];
  });
  return grants.length === 0 ? undefined : { kind: "grants", resource, grants };
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
    grants: [{ ...principalGrant(grantee), via: `grant of ${list(request.operations).filter((op) => typeof op === "string").join(", ") || "operations"} to ${quoted(grantee)}` }],
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
