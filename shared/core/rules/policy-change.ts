import type { CloudTrailRecord } from "../cloudtrail/record.js";
import { grantScope } from "../iam/grant-scope.js";
import { type PermissionVerdict, analysePermissions } from "../iam/permission-analysis.js";
import type { EventLookups, Lookup, LookupRequest } from "../model/lookups.js";
import { parseArn } from "../arn/arn.js";
import { type PolicyDocument, parsePolicyDocument } from "../iam/policy-document.js";
import { namesQuarantinePolicy } from "../iam/identifiers.js";
import { isRevokePolicyName } from "../iam/revoke-sessions-policy.js";
import type { AttackTechnique, EventFacts, Evidence, Target } from "../model/finding.js";
import type { Severity } from "../model/severity.js";
import { quoted } from "../model/untrusted.js";
import type { RuleInput, RuleMatch } from "./rule.js";
import { IAM_SOURCE, describeActor, documentEvidence, outcome, requestString } from "./rule-helpers.js";

/**
 * What the policy-change rules share: the event names they split between them, the target and
 * summary of a policy call, and the recorded policy document as read once. Each rule of the
 * family (policy-document-grant, managed-policy-attached, permissions-boundary-change,
 * containment-policy-tampering, policy-default-version-set, policy-permissions-removed) fires on
 * some of these names; together they raise exactly one finding for each IAM event named here.
 */

/** CIS AWS Foundations CloudWatch.4 ("IAM policy changes"): its metric filter's 16 event names. */
export const CIS_POLICY_EVENTS = [
  "DeleteGroupPolicy",
  "DeleteRolePolicy",
  "DeleteUserPolicy",
  "PutGroupPolicy",
  "PutRolePolicy",
  "PutUserPolicy",
  "CreatePolicy",
  "DeletePolicy",
  "CreatePolicyVersion",
  "DeletePolicyVersion",
  "AttachRolePolicy",
  "DetachRolePolicy",
  "AttachUserPolicy",
  "DetachUserPolicy",
  "AttachGroupPolicy",
  "DetachGroupPolicy",
] as const;

/** Every IAM event the policy-change rules cover between them: CIS's 16, default-version switches, permissions boundaries. */
export const POLICY_CHANGE_EVENTS: readonly string[] = [
  ...CIS_POLICY_EVENTS,
  "SetDefaultPolicyVersion",
  "PutUserPermissionsBoundary",
  "PutRolePermissionsBoundary",
  "DeleteUserPermissionsBoundary",
  "DeleteRolePermissionsBoundary",
];

/** Inline policies a revoke-sessions containment policy can be deleted from (IAM names compare case-insensitively). */
export const INLINE_DELETE_EVENTS: readonly string[] = ["DeleteUserPolicy", "DeleteRolePolicy", "DeleteGroupPolicy"];
/** Inline policies trailguard and the IAM console write for containment (never groups or managed policies). */
export const REVOKE_WRITE_EVENTS: readonly string[] = ["PutUserPolicy", "PutRolePolicy"];

/**
 * Is this call about the revoke-sessions containment policy: deleting an inline policy under its
 * name, or writing one under it? containment-policy-tampering judges those, and no other rule.
 */
export function touchesRevokePolicy(record: CloudTrailRecord, eventName: string): boolean {
  return (INLINE_DELETE_EVENTS.includes(eventName) || REVOKE_WRITE_EVENTS.includes(eventName)) && isRevokePolicyName(requestString(record, "policyName"));
}

/** Managed policies detached from a principal. */
export const DETACH_EVENTS: readonly string[] = ["DetachUserPolicy", "DetachRolePolicy", "DetachGroupPolicy"];

/** Detaching a quarantine policy: lifting a containment. containment-policy-tampering judges it, no other rule. */
export function detachesQuarantinePolicy(record: CloudTrailRecord, eventName: string): boolean {
  return DETACH_EVENTS.includes(eventName) && namesQuarantinePolicy(requestString(record, "policyArn"));
}

/** Any call that undoes or fakes containment: the containment rule's, and no other policy rule's. */
export function touchesContainment(record: CloudTrailRecord, eventName: string): boolean {
  return touchesRevokePolicy(record, eventName) || detachesQuarantinePolicy(record, eventName);
}

/** The finding title of a policy change that deserves no sharper one (the alert subject). */
export const POLICY_CHANGED_TITLE = "IAM policy changed";
export const GENERIC_POLICY_WHY = "Policies decide who can do what; an unplanned change can open a path to more privilege.";
/** Why a narrow grant (grant-scope.ts: read-only metadata, telemetry writes) is low: recorded, nobody paged. */
export const NARROW_POLICY_WHY = "It grants only read-only metadata actions or telemetry writes: recorded for the audit trail, nothing a person needs to look at.";

/** What a policy-change rule concluded about one call; `policyMatch` makes it a match. */
export interface PolicyAssessment<S extends string> {
  readonly severity: Severity;
  /** Omitted: POLICY_CHANGED_TITLE. */
  readonly title?: string;
  readonly why: string;
  readonly reasons: readonly string[];
  readonly signals: readonly S[];
  readonly evidence?: Evidence;
  readonly technique?: AttackTechnique;
}

/** The match every policy-change rule returns: the call, its target and outcome, then the rule's assessment. */
export function policyMatch<S extends string>(input: RuleInput, assessment: PolicyAssessment<S>): RuleMatch<S> {
  const { event } = input;
  const target = policyTarget(input.record);
  return {
    severity: assessment.severity,
    title: assessment.title ?? POLICY_CHANGED_TITLE,
    summary: `${describeActor(input.actor)} called ${event.eventName} on ${describeTarget(target)}: ${outcome(event.failed, event.errorCode)}`,
    whyItMatters: assessment.why,
    reasons: assessment.reasons,
    signals: assessment.signals,
    target,
    ...(assessment.evidence ? { evidence: assessment.evidence } : {}),
    ...(assessment.technique ? { technique: assessment.technique } : {}),
  };
}

/** Is this an IAM call with one of these names? (Organizations, Auto Scaling and IoT have look-alike policy calls.) */
export function isIamCall(input: RuleInput, eventNames: readonly string[]): boolean {
  return input.event.eventSource === IAM_SOURCE && eventNames.includes(input.event.eventName);
}

/** The document a Put*Policy, CreatePolicy or CreatePolicyVersion call wrote, as CloudTrail recorded it. */
export type RecordedDocument =
  /** Not in the event: CloudTrail omits request parameters over 100 KB. */
  | { readonly kind: "not-recorded" }
  | { readonly kind: "unparseable"; readonly reason: string; readonly evidence: Evidence }
  | { readonly kind: "parsed"; readonly document: PolicyDocument; readonly evidence: Evidence };

export function recordedDocument(record: CloudTrailRecord): RecordedDocument {
  const raw = record.requestParameters?.policyDocument;
  if (raw === undefined || raw === null) return { kind: "not-recorded" };
  const parsed = parsePolicyDocument(raw);
  const evidence = documentEvidence(raw, parsed);
  return parsed.ok ? { kind: "parsed", document: parsed.document, evidence } : { kind: "unparseable", reason: parsed.reason, evidence };
}

/** The reason naming escalation actions a document grants on any resource, or none. */
export function escalationReasons(verdict: PermissionVerdict): string[] {
  return verdict.escalationActions.length > 0 ? [`grants privilege-escalation actions on any resource: ${verdict.escalationActions.join(", ")}`] : [];
}

function policyTarget(record: CloudTrailRecord): Target {
  const policyName = requestString(record, "policyName");
  const policyArn = requestString(record, "policyArn") ?? requestString(record, "permissionsBoundary");
  const userName = requestString(record, "userName");
  const roleName = requestString(record, "roleName");
  const groupName = requestString(record, "groupName");
  if (userName) return { kind: "user", name: userName, policyName, policyArn };
  if (roleName) return { kind: "role", name: roleName, policyName, policyArn };
  if (groupName) return { kind: "group", name: groupName, policyName, policyArn };
  return { kind: "policy", name: policyName ?? policyArn, policyName, policyArn };
}

function describeTarget(target: Target): string {
  const policy = target.policyName ? ` policy ${quoted(target.policyName)}` : target.policyArn ? ` policy ${quoted(target.policyArn)}` : "";
  if (target.kind === "policy") return `managed${policy || " policy (not recorded)"}`;
  return `${target.kind} ${quoted(target.name)}${policy ? `,${policy}` : ""}`;
}

/**
 * A customer-managed policy's document as the edge read it (attached, or made the default
 * version): judged like a written document, so its name proves nothing. `undefined` (replay)
 * or a failed read: medium, saying what is unknown.
 */
export function assessLookedUpDocument(
  looked: Lookup<string> | undefined,
  what: string,
): PolicyAssessment<"admin-grant" | "escalation-grant"> {
  if (looked !== undefined && !looked.ok && looked.unseen) {
    return { severity: "high", why: "The document in force at the call is not known, so trailguard cannot rule out an admin grant: read it by hand.", reasons: [`${what}: ${looked.reason}`], signals: [] };
  }
  if (looked === undefined || !looked.ok) {
    return {
      severity: "medium",
      why: GENERIC_POLICY_WHY,
      reasons: [`${what}: its document ${looked === undefined ? "was not read (replay, an AWS managed policy trailguard does not rate by name, or an account it does not manage)" : `could not be read: ${looked.reason}`}`],
      signals: [],
    };
  }
  const parsed = parsePolicyDocument(looked.value);
  const evidence = documentEvidence(looked.value, parsed);
  const asOfCall = looked.source === "replay";
  const readFrom = asOfCall ? "as it was at the time of the call (created earlier in this replay)" : "read from IAM";
  if (!parsed.ok) return { severity: "high", why: "The policy's document could not be analysed, so trailguard cannot rule out an admin grant: read it by hand.", reasons: [`${what}: ${parsed.reason}`], signals: [], evidence };
  const verdict = analysePermissions(parsed.document);
  if (verdict.adminEquivalent) {
    return {
      severity: "critical",
      title: "Admin-equivalent IAM policy granted",
      why: "The policy's document grants administrator-equivalent power: whoever holds it can do anything, including granting itself more.",
      reasons: [`${what}, ${readFrom}:`, ...verdict.adminReasons],
      signals: ["admin-grant"],
      evidence,
    };
  }
  if (verdict.escalationActions.length > 0) return { severity: "high", why: GENERIC_POLICY_WHY, reasons: [`${what}, ${readFrom}:`, ...escalationReasons(verdict)], signals: ["escalation-grant"], evidence };
  // Rebuilt as of the call (replay): what it grants is known, and rated as the same document
  // written inline would be (medium: not admin-equivalent, nothing to escalate with; low when it
  // grants only read-only metadata or telemetry writes).
  if (asOfCall) {
    const scope = grantScope(parsed.document);
    if (scope.narrow) return { severity: "low", why: NARROW_POLICY_WHY, reasons: [`${what}, ${readFrom}: ${scope.reason}`], signals: [], evidence };
    return { severity: "medium", why: GENERIC_POLICY_WHY, reasons: [`${what}, ${readFrom}: grants nothing admin-equivalent and no privilege-escalation action on any resource`], signals: [], evidence };
  }
  // Read after the call: a default version switched back since (to hide the grant) reads as
  // harmless, so a harmless read stays medium, as if unread (a narrow one too); only what it finds raises it.
  return {
    severity: "medium",
    why: GENERIC_POLICY_WHY,
    reasons: [`${what}, as read from IAM when trailguard judged the event (it may have changed since the call): grants nothing admin-equivalent and no privilege-escalation action on any resource`],
    signals: [],
    evidence,
  };
}

/**
 * The lookup of the customer-managed policy an IAM call names (`policyArn`, of the event's own
 * account: AWS managed ones are known by name), at `versionId` (an IAM version id, "v3") or its
 * default version. Both the rule's `lookups` and its `evaluate` ask through this, so they agree.
 */
export function customerPolicyRequest(record: CloudTrailRecord, event: EventFacts, versionId?: string): Extract<LookupRequest, { kind: "policy-document" }> | undefined {
  const policyArn = requestString(record, "policyArn");
  const arn = parseArn(policyArn);
  if (policyArn === undefined || event.account === undefined || arn?.service !== "iam" || arn.account !== event.account || !arn.resource.startsWith("policy/")) return undefined;
  if (versionId !== undefined && !/^v\d{1,5}$/.test(versionId)) return undefined;
  return { kind: "policy-document", account: event.account, policyArn, ...(versionId !== undefined ? { versionId } : {}) };
}

/** What the edge read for that request (undefined: no request, or nothing read). */
export function lookedUpPolicy(lookups: EventLookups, request: Extract<LookupRequest, { kind: "policy-document" }> | undefined): Lookup<string> | undefined {
  return request && lookups.policyDocument(request.account, request.policyArn, request.versionId);
}