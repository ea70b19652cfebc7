import { analysePermissions } from "../../iam/permission-analysis.js";
import { type RuleInput, defineRule } from "../rule.js";
import { IAM_SOURCE } from "../rule-helpers.js";
import { GENERIC_POLICY_WHY, type PolicyAssessment, escalationReasons, isIamCall, policyMatch, recordedDocument, touchesRevokePolicy } from "../policy-change.js";

/** The calls that write a policy document: inline policies, new managed policies and their versions. */
const DOCUMENT_EVENTS = ["PutUserPolicy", "PutRolePolicy", "PutGroupPolicy", "CreatePolicy", "CreatePolicyVersion"];

type GrantSignal = "admin-grant" | "escalation-grant";

/**
 * A policy document written to IAM, read in full: does it grant administrator-equivalent power
 * or a path to it? A document under the revoke-sessions containment name is
 * containment-policy-tampering's to judge, not this rule's.
 */
export const policyDocumentGrant = defineRule({
  id: "policy-document-grant",
  title: "IAM policy document written",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Read the policy document in the alert and ask the actor's owner whether the change was planned (a deployment pipeline should be on the allowlist). For an unplanned admin-equivalent grant, trailguard's default response quarantines the actor (a user: every key deactivated, AWSDenyAll attached, sessions revoked; a role: sessions revoked) and contains the principal that received the grant (the actions say what was done, skipped or failed; `npm run release` undoes it if the change was planned); remove the grant, review what the grantee did since, and look for further persistence (new keys, users, trust changes). A managed policy or version that is not attached or not default yet is one call away from taking effect: delete it or find out who will attach it.",
  eventNames: DOCUMENT_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant"],
  evaluate(input) {
    if (!isIamCall(input, DOCUMENT_EVENTS) || touchesRevokePolicy(input.record, input.event.eventName)) return undefined;
    return policyMatch(input, assessDocument(input));
  },
});

function assessDocument({ record, event }: RuleInput): PolicyAssessment<GrantSignal> {
  const written = recordedDocument(record);
  if (written.kind === "not-recorded") {
    return {
      severity: "medium",
      why: GENERIC_POLICY_WHY,
      reasons: ["policy document not recorded (CloudTrail omits request parameters over 100 KB)"],
      signals: [],
    };
  }
  if (written.kind === "unparseable") {
    return {
      severity: "high",
      why: "The policy document could not be analysed, so trailguard cannot rule out an admin grant: read it by hand.",
      reasons: [written.reason],
      signals: [],
      evidence: written.evidence,
    };
  }
  // Every document is read in full, whatever its name: a name proves nothing.
  const verdict = analysePermissions(written.document);
  const notDefault = event.eventName === "CreatePolicyVersion" && String(record.requestParameters?.setAsDefault) !== "true";
  const notAttached = event.eventName === "CreatePolicy";
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
      evidence: written.evidence,
    };
  }
  const escalation = escalationReasons(verdict);
  if (escalation.length > 0) {
    return {
      severity: "high",
      why: "These permissions let the holder raise its own privileges (attach policies, mint keys, pass roles): one step from admin.",
      reasons: [...escalation, ...caveats],
      signals: ["escalation-grant"],
      evidence: written.evidence,
    };
  }
  return { severity: "medium", why: GENERIC_POLICY_WHY, reasons: ["grants permissions that are not admin-equivalent", ...caveats], signals: [], evidence: written.evidence };
}
