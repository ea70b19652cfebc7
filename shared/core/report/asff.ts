import { createHash } from "node:crypto";
import type { AwsSecurityFinding, Partition, Resource, SeverityLabel } from "@aws-sdk/client-securityhub";
import type { AlertDocument, IncidentView } from "../alerting/alert.js";
import {
  iamPrincipalArn,
  isAccountId,
  isIamGroupName,
  isIamName,
  isPartition,
  isRegion,
  parseArn,
  parseAssumedRoleArn,
  parseIamRoleArn,
  parseIamUserArn,
  parseRootArn,
  roleArnOfSession,
} from "../arn/arn.js";
import type { ActionStatus, ActionType } from "../model/action.js";
import type { Actor, AttackTechnique, Category, EventFacts, Exemption, Finding, Target } from "../model/finding.js";
import type { Severity } from "../model/severity.js";

/**
 * A finding in the AWS Security Finding Format (ASFF), as `BatchImportFindings` takes it. Pure:
 * the exporter (functions/securityhub-exporter.ts) reads the alert document SNS delivered and
 * imports what this returns.
 *
 * - The ASFF `Id` is the finding id (`<eventId>/<ruleId>`): a redelivery or a second import
 *   updates the same Security Hub finding, never a duplicate.
 * - `AwsAccountId` is the account the finding is imported into, the exporter's own (the account
 *   of the product ARN): with the default product ARN Security Hub accepts a finding only from
 *   the account it names there, so a finding naming a member account would be refused and
 *   retried forever. The event's account (when it is 12 digits) is kept as an `AwsAccount`
 *   resource and in `trailguard/EventAccount`; the two are the same for the stack's own events.
 * - Every string that came from an event is attacker-controlled: control characters are escaped
 *   and every field is clipped to ASFF's limits (Title 256, Description 1024, Recommendation 512,
 *   ProductFields 50 entries of 128/2048, Resources 32), so a hostile name can neither break the
 *   import nor forge structure.
 */
export interface AsffContext {
  /** `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: the exporter's own. */
  readonly productArn: string;
  /** The exporter's region and partition (where the findings are imported). */
  readonly region: string;
  readonly partition: string;
  /** When this import happens (ISO 8601): the caller's clock. */
  readonly updatedAt: string;
}

/** What toAsff reads of an alert document (an AlertDocument, or the exporter's validated copy of one). */
export interface AsffDocument {
  readonly kind: AlertDocument["kind"];
  readonly account: { readonly id?: string | undefined; readonly name?: string | undefined };
  readonly incident: Pick<IncidentView, "id">;
}

/** Every field optional: what JSON (and so the exporter's validated copy) leaves out when undefined. */
type Loose<T> = { readonly [K in keyof T]?: T[K] };
type AsffTarget = Loose<Target> & Pick<Target, "kind">;

/** What toAsff reads of a finding (a Finding, or the exporter's validated copy of one). */
export interface AsffFinding {
  readonly findingId: string;
  readonly eventId: string;
  readonly ruleId: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly title: string;
  readonly summary: string;
  readonly whyItMatters: string;
  readonly signals: readonly string[];
  readonly technique: AttackTechnique;
  readonly runbook: string;
  readonly actor: Loose<Actor>;
  readonly target?: AsffTarget | undefined;
  readonly event: Pick<EventFacts, "eventId" | "eventName" | "eventSource"> & Loose<EventFacts>;
  readonly exemption?: Exemption | undefined;
  readonly actions: readonly { readonly type: ActionType; readonly status: ActionStatus }[];
}

export const ASFF_SCHEMA_VERSION = "2018-10-08";
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendation: 512,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  resources: 32,
  resourceId: 512,
  resourceRegion: 16,
  types: 50,
  apiName: 128,
  severityOriginal: 64,
  sourceUrl: 2048,
  domain: 253,
} as const;
/** Security Hub adds ProductFields of its own (aws/securityhub/…): trailguard stays well under the 50. */
const OWN_PRODUCT_FIELDS_MAX = 40;

const SEVERITY_LABEL: Record<Severity, SeverityLabel> = {
  info: "INFORMATIONAL",
  low: "LOW",
  medium: "MEDIUM",
  high: "HIGH",
  critical: "CRITICAL",
};

/** ASFF finding types (namespace/category) for each trailguard category. */
const CATEGORY_TYPES: Record<Category, readonly string[]> = {
  "root-activity": ["Unusual Behaviors/User"],
  "access-key": ["TTPs/Persistence"],
  credential: ["TTPs/Persistence"],
  "policy-change": ["TTPs/Privilege Escalation"],
  "trust-update": ["TTPs/Privilege Escalation", "TTPs/Persistence"],
  "resource-exposure": ["Effects/Data Exposure"],
  "repeated-failures": ["Unusual Behaviors/User"],
  tampering: ["TTPs/Defense Evasion"],
};

/** ATT&CK techniques (by their parent id) to the ASFF tactic categories they belong to. */
const TECHNIQUE_TYPES: Record<string, readonly string[]> = {
  T1078: ["TTPs/Initial Access"],
  T1098: ["TTPs/Persistence", "TTPs/Privilege Escalation"],
  T1110: ["TTPs/Credential Access"],
  T1136: ["TTPs/Persistence"],
  T1484: ["TTPs/Privilege Escalation", "TTPs/Defense Evasion"],
  T1528: ["TTPs/Credential Access"],
  T1537: ["Effects/Data Exfiltration"],
  T1552: ["TTPs/Credential Access"],
  T1562: ["TTPs/Defense Evasion"],
  T1580: ["TTPs/Discovery"],
};

/** The resource partitions ASFF knows (its `Partition` enum). */
const ASFF_PARTITIONS: ReadonlySet<string> = new Set<Partition>(["aws", "aws-cn", "aws-us-gov", "aws-us-iso", "aws-us-iso-b"]);

export function toAsff(document: AsffDocument, finding: AsffFinding, context: AsffContext): AwsSecurityFinding {
  const product = parseArn(context.productArn);
  if (!product || product.service !== "securityhub" || !isAccountId(product.account)) {
    throw new Error(`${JSON.stringify(clip(context.productArn, 200))} is not a Security Hub product ARN`);
  }
  const ownAccount = product.account;
  const eventAccount = isAccountId(finding.event.account) ? finding.event.account : undefined;
  const updatedAt = timestamp(context.updatedAt);
  if (updatedAt === undefined) throw new Error(`updatedAt ${JSON.stringify(clip(context.updatedAt, 64))} is not an ISO 8601 time`);
  const eventTime = timestamp(finding.event.eventTime);
  // Never created after it was last updated (a clock skew, or a time from the future).
  const createdAt = eventTime !== undefined && Date.parse(eventTime) <= Date.parse(updatedAt) ? eventTime : updatedAt;
  const label = SEVERITY_LABEL[finding.severity];
  const types = findingTypes(finding.category, finding.technique);
  const link = consoleUrl(finding, context.partition);
  const action = apiCallAction(finding, eventTime);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: stableId(finding.findingId, ASFF_LIMITS.id),
    ProductArn: context.productArn,
    ProductName: "trailguard",
    CompanyName: "trailguard",
    GeneratorId: text(`trailguard/${finding.ruleId}`, ASFF_LIMITS.generatorId),
    AwsAccountId: ownAccount,
    Types: types,
    FirstObservedAt: createdAt,
    LastObservedAt: createdAt,
    CreatedAt: createdAt,
    UpdatedAt: updatedAt,
    Severity: { Label: label, Original: finding.severity },
    FindingProviderFields: { Severity: { Label: label, Original: finding.severity }, Types: types },
    Title: text(finding.title, ASFF_LIMITS.title) || text(finding.ruleId, ASFF_LIMITS.title),
    // The summary is held to about two thirds, so a hostile one cannot push out why it matters.
    Description: clip(`${text(finding.summary, 640, true)}\n\nWhy it matters: ${text(finding.whyItMatters, ASFF_LIMITS.description, true)}`, ASFF_LIMITS.description),
    Remediation: { Recommendation: { Text: text(finding.runbook, ASFF_LIMITS.recommendation, true) || "See trailguard's runbook for this rule." } },
    ...(link ? { SourceUrl: link } : {}),
    ProductFields: productFields(document, finding),
    Resources: resources(finding, { ownAccount, eventAccount, region: context.region, partition: context.partition }),
    ...(action ? { Action: action } : {}),
    RecordState: "ACTIVE",
    Workflow: { Status: "NEW" },
  };
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

// C0 and C1 controls, DEL and the line/paragraph separators; newlines are kept only where asked.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Attacker-controlled text made safe for a field of `max` characters: controls escaped, clipped with "…". */
function text(value: string | undefined, max: number, keepNewlines = false): string {
  if (value === undefined) return "";
  const escaped = value
    .trim()
    .replace(LONE_SURROGATE, "\ufffd")
    .replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return clip(escaped, max);
}

/** At most `max` UTF-16 units, "…" marking a cut, never splitting a surrogate pair. */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}

/**
 * An identifier that fits: as it is when it does (escaped), else its start and a hash of the
 * whole, so two long ids that share a beginning never become the same Security Hub finding.
 */
function stableId(value: string, max: number): string {
  const safe = text(value, Number.MAX_SAFE_INTEGER);
  if (safe.length <= max && safe !== "") return safe;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 32);
  return `${clip(safe, max - hash.length - 1)}#${hash}`;
}

/** RFC 3339 as Security Hub takes it (date, time, optional fraction, Z or an offset), or undefined. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
function timestamp(value: string | undefined): string | undefined {
  return value !== undefined && RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Classification, links, action
// ---------------------------------------------------------------------------------------------

function findingTypes(category: Category, technique: AttackTechnique): string[] {
  const parent = technique.id.split(".")[0] ?? "";
  const types = new Set([...(CATEGORY_TYPES[category] ?? []), ...(TECHNIQUE_TYPES[parent] ?? [])]);
  return [...types].slice(0, ASFF_LIMITS.types);
}

/** The event in the CloudTrail console, only when region and id look like AWS's own. */
function consoleUrl(finding: AsffFinding, partition: string): string | undefined {
  const { region, eventId, eventIdIsSynthetic } = finding.event;
  if (eventIdIsSynthetic || !isRegion(region) || !/^[\w-]{1,64}$/.test(eventId)) return undefined;
  const host = partition === "aws" ? `${region}.console.aws.amazon.com` : partition === "aws-cn" ? `${region}.console.amazonaws.cn` : partition === "aws-us-gov" ? `${region}.console.amazonaws-us-gov.com` : undefined;
  return host ? `https://${host}/cloudtrailv2/home?region=${region}#/events/${eventId}` : undefined;
}

/** A dotted-quad IPv4 address (no leading zeros), which is all ASFF's RemoteIpDetails takes. */
export function isIpv4(value: string | undefined): boolean {
  if (value === undefined || value.length > 15) return false;
  const parts = value.split(".");
  return parts.length === 4 && parts.every((part) => /^(?:0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** A host name such as `cloudformation.amazonaws.com` (CloudTrail's sourceIPAddress for calls AWS services make). */
function isDomain(value: string): boolean {
  if (value.length > ASFF_LIMITS.domain || isIpv4(value)) return false;
  const labels = value.split(".");
  return labels.length >= 2 && labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

function apiCallAction(finding: AsffFinding, eventTime: string | undefined): AwsSecurityFinding["Action"] {
  const api = text(finding.event.eventName, ASFF_LIMITS.apiName);
  if (api === "") return undefined;
  const source = finding.event.sourceIp;
  const caller =
    source === undefined
      ? {}
      : isIpv4(source)
        ? { CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: source } }
        : isDomain(source)
          ? { CallerType: "domain", DomainDetails: { Domain: source } }
          : {};
  const service = text(finding.event.eventSource, ASFF_LIMITS.apiName);
  return {
    ActionType: "AWS_API_CALL",
    AwsApiCallAction: { Api: api, ...(service ? { ServiceName: service } : {}), ...caller, ...(eventTime ? { FirstSeen: eventTime, LastSeen: eventTime } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// Product fields
// ---------------------------------------------------------------------------------------------

function productFields(document: AsffDocument, finding: AsffFinding): Record<string, string> {
  const { actor, event, target } = finding;
  const entries: Array<[string, string | undefined]> = [
    ["FindingId", finding.findingId],
    ["IncidentId", document.incident.id],
    ["AlertKind", document.kind],
    ["RuleId", finding.ruleId],
    ["Category", finding.category],
    ["Severity", finding.severity],
    ["TechniqueId", finding.technique.id],
    ["TechniqueName", finding.technique.name],
    ["Signals", finding.signals.join(",")],
    ["ActionStatuses", finding.actions.map((action) => `${action.type}=${action.status}`).join(",")],
    ["EventId", event.eventId],
    ["EventName", event.eventName],
    ["EventSource", event.eventSource],
    ["EventTime", event.eventTime],
    ["EventAccount", event.account],
    ["AccountName", document.account.name],
    ["EventRegion", event.region],
    ["SourceIp", event.sourceIp],
    ["UserAgent", event.userAgent],
    ["ErrorCode", event.errorCode],
    ["Actor", actor.arn ?? actor.principalName],
    ["ActorType", actor.type],
    ["ActorAccessKeyId", actor.accessKeyId],
    ["ActorSessionIssuer", actor.sessionIssuerArn],
    ["ActorMfa", actor.mfaAuthenticated === undefined ? undefined : String(actor.mfaAuthenticated)],
    ["InvokedBy", actor.invokedBy],
    ["TargetKind", target?.kind],
    ["Target", target ? (target.arn ?? target.policyArn ?? target.accessKeyId ?? target.name) : undefined],
    ["Exemption", finding.exemption ? `${finding.exemption.kind}: ${finding.exemption.matched}` : undefined],
  ];
  const fields: Record<string, string> = {};
  for (const [key, value] of entries.slice(0, OWN_PRODUCT_FIELDS_MAX)) {
    const safe = text(value, ASFF_LIMITS.productFieldValue);
    if (safe !== "") fields[`trailguard/${key}`] = safe;
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

interface Where {
  readonly ownAccount: string;
  readonly eventAccount: string | undefined;
  readonly region: string;
  readonly partition: string;
}

type Role = "Actor" | "Target";

function resources(finding: AsffFinding, where: Where): Resource[] {
  const region = isRegion(finding.event.region) && finding.event.region.length <= ASFF_LIMITS.resourceRegion ? finding.event.region : where.region;
  const fallbackPartition = isPartition(where.partition) ? where.partition : "aws";
  const found: Resource[] = [];
  const seen = new Set<string>();
  const add = (type: string, id: string | undefined, role: Role | undefined, partition = fallbackPartition) => {
    const safeId = text(id, ASFF_LIMITS.resourceId);
    if (safeId === "" || seen.has(`${type}|${safeId}`) || found.length >= ASFF_LIMITS.resources) return;
    seen.add(`${type}|${safeId}`);
    found.push({
      Type: type,
      Id: safeId,
      ...(ASFF_PARTITIONS.has(partition) ? { Partition: partition as Partition } : {}),
      ...(region.length <= ASFF_LIMITS.resourceRegion ? { Region: region } : {}),
      ...(role ? { ResourceRole: role } : {}),
    });
  };
  const account = (id: string | undefined, role: Role | undefined) => (isAccountId(id) ? add("AwsAccount", `AWS::::Account:${id}`, role) : undefined);
  const accessKey = (id: string | undefined, role: Role) => (id !== undefined && /^(?:AKIA|ASIA)[A-Z0-9]{12,124}$/.test(id) ? add("AwsIamAccessKey", `AWS::IAM::AccessKey:${id}`, role) : undefined);

  // Who acted.
  const { actor } = finding;
  const user = parseIamUserArn(actor.arn);
  const root = parseRootArn(actor.arn);
  const session = parseAssumedRoleArn(actor.arn);
  const issuer = parseIamRoleArn(actor.sessionIssuerArn);
  if (user) add("AwsIamUser", actor.arn, "Actor", user.partition);
  else if (root || actor.type === "Root") account(root?.account ?? actor.accountId, "Actor");
  else if (issuer) add("AwsIamRole", actor.sessionIssuerArn, "Actor", issuer.partition);
  else if (session) add("AwsIamRole", roleArnOfSession(session), "Actor", session.partition);
  else add("Other", actor.arn ?? actor.principalName, "Actor", parseArn(actor.arn)?.partition);
  accessKey(actor.accessKeyId, "Actor");

  // What it acted on.
  const { target } = finding;
  if (target) targetResources(target, finding.event.account, { add, account, accessKey }, fallbackPartition);

  // The account the event belongs to, and (always, so Resources is never empty) the one it is imported into.
  account(where.eventAccount, undefined);
  account(where.ownAccount, undefined);
  return found;
}

function targetResources(
  target: AsffTarget,
  eventAccount: string | undefined,
  helpers: {
    add: (type: string, id: string | undefined, role: Role | undefined, partition?: string) => void;
    account: (id: string | undefined, role: Role | undefined) => void;
    accessKey: (id: string | undefined, role: Role) => void;
  },
  partition: string,
): void {
  const { add, account, accessKey } = helpers;
  const inAccount = isAccountId(eventAccount) ? eventAccount : undefined;
  const principal = (kind: "user" | "role", name: string | undefined): string | undefined =>
    inAccount && isIamName(name) ? iamPrincipalArn({ partition, account: inAccount, kind, name }) : undefined;
  switch (target.kind) {
    case "user": {
      const arn = parseIamUserArn(target.arn) ? target.arn : principal("user", target.userName ?? target.name);
      if (arn) add("AwsIamUser", arn, "Target", parseArn(arn)?.partition);
      else add("Other", target.arn ?? target.name, "Target");
      return;
    }
    case "role": {
      const arn = parseIamRoleArn(target.arn) ? target.arn : principal("role", target.name);
      if (arn) add("AwsIamRole", arn, "Target", parseArn(arn)?.partition);
      else add("Other", target.arn ?? target.name, "Target");
      return;
    }
    case "group": {
      const arn = parseArn(target.arn)?.service === "iam" ? target.arn : inAccount && isIamGroupName(target.name) ? `arn:${partition}:iam::${inAccount}:group/${target.name}` : undefined;
      add(arn ? "AwsIamGroup" : "Other", arn ?? target.name, "Target", parseArn(arn)?.partition);
      return;
    }
    case "policy": {
      const arn = [target.policyArn, target.arn].find((candidate) => parseArn(candidate)?.service === "iam");
      add(arn ? "AwsIamPolicy" : "Other", arn ?? target.policyName ?? target.name, "Target", parseArn(arn)?.partition);
      return;
    }
    case "access-key": {
      accessKey(target.accessKeyId ?? target.name, "Target");
      const owner = principal("user", target.userName);
      if (owner) add("AwsIamUser", owner, "Target");
      return;
    }
    case "account":
      account(target.name ?? parseArn(target.arn)?.account, "Target");
      return;
    case "trust-anchor":
      add("Other", target.arn ?? target.name, "Target", parseArn(target.arn)?.partition);
      return;
  }
}
