import type { CloudTrailRecord } from "../cloudtrail/record.js";
import type { PermissionVerdict } from "../iam/permission-analysis.js";
import { type PolicyDocument, parsePolicyDocument } from "../iam/policy-document.js";
import { namesQuarantinePolicy } from "../iam/identifiers.js";
import { isRevokePolicyName } from "../iam/revoke-sessions-policy.js";
import type { AttackTechnique, Evidence, Target } from "../model/finding.js";
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
