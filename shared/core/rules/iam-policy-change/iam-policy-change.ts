import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { type PermissionVerdict, analysePermissions } from "../../iam/permission-analysis.js";
import { classifyManagedPolicyArn } from "../../iam/permission-analysis.js";
import { type PolicyParseResult, parsePolicyDocument } from "../../iam/policy-document.js";
import { checkRevokeDocument, isRevokePolicyName } from "../../iam/revoke-sessions-policy.js";
import type { Evidence, Target } from "../../model/finding.js";
import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { type RuleMatch, defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, documentEvidence, outcome, requestString } from "../rule-helpers.js";

/** CIS CloudWatch.4's 16 event names, plus default-version switches and permissions boundaries. */
const CIS_POLICY_EVENTS = [
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

export const POLICY_CHANGE_EVENTS: readonly string[] = [
  ...CIS_POLICY_EVENTS,
  "SetDefaultPolicyVersion",
  "PutUserPermissionsBoundary",
  "PutRolePermissionsBoundary",
  "DeleteUserPermissionsBoundary",
  "DeleteRolePermissionsBoundary",
];
const EVENT_SET = new Set(POLICY_CHANGE_EVENTS);

const DOCUMENT_EVENTS = new Set(["PutUserPolicy", "PutRolePolicy", "PutGroupPolicy", "CreatePolicy", "CreatePolicyVersion"]);
const ATTACH_EVENTS = new Set(["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"]);
const INLINE_DELETE_EVENTS = new Set(["DeleteUserPolicy", "DeleteRolePolicy", "DeleteGroupPolicy"]);

export const iamPolicyChange = defineRule({
  id: "iam-policy-change",
  title: "IAM policy changed",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  severityLogic:
    "Critical: a document or managed policy that is admin-equivalent (Allow * / iam:* / NotAction on any resource; AdministratorAccess, IAMFullAccess and similar), or deleting or overwriting the revoke-sessions policy trailguard attaches during containment. High: privilege-escalation permissions on any resource (iam:PassRole, iam:Attach*Policy, iam:CreateAccessKey…), broad managed policies (PowerUserAccess…), removing a permissions boundary, or a document trailguard cannot parse. Medium: other grants, boundary changes, default-version switches, documents CloudTrail did not record. Low: detaching or deleting policies.",
  runbook:
    "Read the policy document in the alert and ask the actor's owner whether the change was planned (a deployment pipeline should be on the allowlist). For an unplanned admin-equivalent grant, trailguard's default response quarantines the actor (a user: every key deactivated, AWSDenyAll attached, sessions revoked; a role: sessions revoked) and contains the principal that received the grant (the actions say what was done, skipped or failed; `npm run release` undoes it if the change was planned); remove the grant, review what the grantee did since, and look for further persistence (new keys, users, trust changes). If the revoke-sessions policy was deleted, containment was undone: re-apply it and treat the deleting principal as compromised.",
  eventNames: POLICY_CHANGE_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant", "revoke-policy-removed", "revoke-policy-applied", "boundary-removed"],
  evaluate(input) {
    const { record, event } = input;
    if (event.eventSource !== IAM_SOURCE || !EVENT_SET.has(event.eventName)) return undefined;
    const target = policyTarget(record);
    const assessment = assess(input.record, event.eventName, event.eventTime);
    return {
      severity: assessment.severity,
      ...(assessment.title ? { title: assessment.title } : {}),
      summary: `${describeActor(input.actor)} called ${event.eventName} on ${describeTarget(target)}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: assessment.why,
      reasons: assessment.reasons,
      signals: assessment.signals,
      target,
      ...(assessment.evidence ? { evidence: assessment.evidence } : {}),
      ...(assessment.signals.includes("revoke-policy-removed") && !assessment.signals.includes("admin-grant")
        ? { technique: { id: "T1562", name: "Impair Defenses" } }
        : {}),
    } satisfies RuleMatch;
  },
});

type PolicySignal = "admin-grant" | "escalation-grant" | "revoke-policy-removed" | "revoke-policy-applied" | "boundary-removed";

interface Assessment {
  severity: Severity;
  evidence?: Evidence;
  title?: string;
  why: string;
  reasons: string[];
  signals: PolicySignal[];
}

const GENERIC_WHY = "Policies decide who can do what; an unplanned change can open a path to more privilege.";

function assess(record: CloudTrailRecord, eventName: string, eventTime: string | undefined): Assessment {
  const policyName = requestString(record, "policyName");
  if (INLINE_DELETE_EVENTS.has(eventName) && isRevokePolicyName(policyName)) {
    return {
      severity: "critical",
      title: "Containment policy removed",
      why: "This inline policy is the deny that revokes stolen sessions. Deleting it lets those sessions work again: someone is undoing incident containment.",
      reasons: [`deleted inline policy ${quoted(policyName)}, the revoke-sessions containment policy`],
      signals: ["revoke-policy-removed"],
    };
  }
  if (DOCUMENT_EVENTS.has(eventName)) return assessDocument(record, eventName, policyName, eventTime);
  if (ATTACH_EVENTS.has(eventName)) return assessAttachment(record);
  if (eventName === "DeleteUserPermissionsBoundary" || eventName === "DeleteRolePermissionsBoundary") {
    return {
      severity: "high",
      title: "Permissions boundary removed",
      why: "A permissions boundary caps what an identity can ever do. Removing it lifts that cap: every policy attached to it now applies in full.",
      reasons: ["permissions boundary removed"],
      signals: ["boundary-removed"],
    };
  }
  if (eventName === "PutUserPermissionsBoundary" || eventName === "PutRolePermissionsBoundary") {
    const boundary = requestString(record, "permissionsBoundary");
    const permissive = boundary !== undefined && classifyManagedPolicyArn(boundary) === "admin";
    return {
      severity: permissive ? "high" : "medium",
      why: permissive
        ? "An administrator policy used as a boundary caps nothing: it is as good as removing the boundary."
        : "Boundaries cap what an identity can do; changing one changes that cap.",
      reasons: [permissive ? `boundary set to ${quoted(boundary)}, which caps nothing` : `boundary set to ${boundary ? quoted(boundary) : "(not recorded)"}`],
      signals: permissive ? ["boundary-removed"] : [],
    };
  }
  if (eventName === "SetDefaultPolicyVersion") {
    return {
      severity: "medium",
      why: "Switching the default version changes what every holder of the policy can do, and the event does not show the document: an older, broader version is a known escalation path.",
      reasons: [`default version set to ${quoted(requestString(record, "versionId"))}`, "document not visible in the event"],
      signals: [],
    };
  }
  return {
    severity: "low",
    why: "Detaching or deleting policies removes permissions; it can still break workloads or remove guardrails.",
    reasons: ["permissions removed"],
    signals: [],
  };
}

function assessDocument(record: CloudTrailRecord, eventName: string, policyName: string | undefined, eventTime: string | undefined): Assessment {
  const raw = record.requestParameters?.policyDocument;
  if (raw === undefined || raw === null) return assessParsedDocument(record, eventName, policyName, eventTime, raw, undefined);
  const parsed = parsePolicyDocument(raw);
  return { ...assessParsedDocument(record, eventName, policyName, eventTime, raw, parsed), evidence: documentEvidence(raw, parsed) };
}

/** Inline policies trailguard and the IAM console write for containment (never groups or managed policies). */
const REVOKE_WRITE_EVENTS = new Set(["PutUserPolicy", "PutRolePolicy"]);

function assessParsedDocument(
  record: CloudTrailRecord,
  eventName: string,
  policyName: string | undefined,
  eventTime: string | undefined,
  raw: unknown,
  parsed: PolicyParseResult | undefined,
): Assessment {
  const underRevokeName = REVOKE_WRITE_EVENTS.has(eventName) && isRevokePolicyName(policyName);
  if (parsed === undefined || raw === undefined || raw === null) {
    if (underRevokeName) {
      return revokeTampering(policyName, ["the document was not recorded, so it cannot be shown to be the revoking deny"], undefined);
    }
    return {
      severity: "medium",
      why: GENERIC_WHY,
      reasons: ["policy document not recorded (CloudTrail omits request parameters over 100 KB)"],
      signals: [],
    };
  }
  if (!parsed.ok) {
    if (underRevokeName) return revokeTampering(policyName, [parsed.reason], undefined);
    return {
      severity: "high",
      why: "The policy document could not be analysed, so trailguard cannot rule out an admin grant: read it by hand.",
      reasons: [parsed.reason],
      signals: [],
    };
  }
  // Every document is read in full, whatever its name: a name proves nothing.
  const verdict = analysePermissions(parsed.document);
  if (underRevokeName) {
    const check = checkRevokeDocument(parsed.document, eventTime);
    if (check.canonical) {
      return {
        severity: "info",
        title: "Revoke-sessions policy applied",
        why: "Sessions issued before the policy's time are denied: this is the containment trailguard (or the IAM console) applies.",
        reasons: [`inline policy ${quoted(policyName)} is exactly the revoking deny, cut-off ${check.cutoff}`],
        signals: ["revoke-policy-applied"],
      };
    }
    return revokeTampering(policyName, [check.why], verdict);
  }
  const notDefault = eventName === "CreatePolicyVersion" && String(record.requestParameters?.setAsDefault) !== "true";
  const notAttached = eventName === "CreatePolicy";
  const caveats = [
    ...(notDefault ? ["new version is not set as default yet"] : []),
    ...(notAttached ? ["new managed policy is not attached to anyone yet"] : []),
    ...(verdict.conditional ? ["the grant has conditions: check whether they restrict it"] : []),
  ];
  if (verdict.adminEquivalent) {
    return {
      severity: "critical",
      title: "Admin-equivalent IAM policy granted",
      why: "This document grants administrator-equivalent power. Whoever holds it can do anything, including granting themselves more and erasing traces.",
      reasons: [...verdict.adminReasons, ...caveats],
      signals: ["admin-grant"],
    };
  }
  if (verdict.escalationActions.length > 0) {
    return {
      severity: "high",
      why: "These permissions let the holder raise its own privileges (attach policies, mint keys, pass roles): one step from admin.",
      reasons: [`grants privilege-escalation actions on any resource: ${verdict.escalationActions.join(", ")}`, ...caveats],
      signals: ["escalation-grant"],
    };
  }
  return { severity: "medium", why: GENERIC_WHY, reasons: ["grants permissions that are not admin-equivalent", ...caveats], signals: [] };
}

/**
 * Anything but the exact revoking deny written under a containment name: either containment is
 * being weakened (an old cut-off, a narrower deny) or the name is cover for a grant. Critical
 * either way, and the grant's own verdict rides along so the on-call sees both.
 */
function revokeTampering(policyName: string | undefined, why: readonly string[], verdict: PermissionVerdict | undefined): Assessment {
  const grants = verdict?.adminEquivalent ? verdict.adminReasons : [];
  const escalation = verdict && !verdict.adminEquivalent && verdict.escalationActions.length > 0 ? [`grants privilege-escalation actions on any resource: ${verdict.escalationActions.join(", ")}`] : [];
  return {
    severity: "critical",
    title: grants.length > 0 ? "Admin grant hidden under the containment policy's name" : "Containment policy tampered with",
    why:
      grants.length > 0
        ? "A document named like the revoke-sessions containment policy grants administrator-equivalent power: the name is cover for a backdoor."
        : "A policy under the revoke-sessions containment name is not the exact revoking deny: containment may be weakened (an older cut-off revives stolen sessions) or the name is cover for something else.",
    reasons: [`inline policy ${quoted(policyName)} is not the exact revoking deny: ${why.join("; ")}`, ...grants, ...escalation],
    signals: [...(grants.length > 0 ? (["admin-grant"] as const) : []), ...(escalation.length > 0 ? (["escalation-grant"] as const) : []), "revoke-policy-removed"],
  };
}

function assessAttachment(record: CloudTrailRecord): Assessment {
  const policyArn = requestString(record, "policyArn");
  const kind = policyArn ? classifyManagedPolicyArn(policyArn) : "other";
  if (kind === "admin") {
    return {
      severity: "critical",
      title: "Admin-equivalent IAM policy attached",
      why: "An administrator-level AWS managed policy was attached: the identity can now do anything, including granting itself more.",
      reasons: [`attached ${quoted(policyArn)}, an admin-equivalent managed policy`],
      signals: ["admin-grant"],
    };
  }
  if (kind === "broad") {
    return {
      severity: "high",
      why: "A broad AWS managed policy gives wide access to data and infrastructure.",
      reasons: [`attached ${quoted(policyArn)}, a broad managed policy`],
      signals: [],
    };
  }
  return { severity: "medium", why: GENERIC_WHY, reasons: [`attached ${policyArn ? quoted(policyArn) : "(policy not recorded)"}`], signals: [] };
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
