import { isIamName } from "../../arn/arn.js";
import { grantScope } from "../../iam/grant-scope.js";
import { type Grantee, analysePermissions } from "../../iam/permission-analysis.js";
import { quoted } from "../../model/untrusted.js";
import { type RuleInput, defineRule } from "../rule.js";
import { IAM_SOURCE } from "../rule-helpers.js";
import { GENERIC_POLICY_WHY, NARROW_POLICY_WHY, type PolicyAssessment, escalationReasons, isIamCall, policyMatch, recordedDocument, touchesRevokePolicy } from "../policy-change.js";

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
    "Read the policy document in the alert and ask the actor's owner whether the change was planned (a deployment pipeline should be on the allowlist). For an unplanned admin-equivalent grant, the actor and the principal that received the grant need containing (a user: every key deactivated, AWSDenyAll attached, sessions revoked; a role: sessions revoked): the actions in the alert say what trailguard did, skipped or failed, and what is left to do by hand (`npm run release` undoes what it did if the change was planned). Remove the grant, review what the grantee did since, and look for further persistence (new keys, users, trust changes). A managed policy or version that is not attached or not default yet is one call away from taking effect: delete it or find out who will attach it.",
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
    // IAM accepts documents padded with whitespace past the size CloudTrail records: a missing
    // document is what an attacker who has read this would send. Rated like one it cannot parse.
    return {
      severity: "high",
      why: "The policy document was not recorded, so trailguard cannot rule out an admin grant: read it by hand (aws iam get-user-policy / get-role-policy / get-policy-version).",
      reasons: ["policy document not recorded (CloudTrail omits request parameters over 100 KB; IAM accepts whitespace-padded documents that size)"],
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
  const verdict = analysePermissions(written.document, granteeOf(record, event.eventName));
  const notDefault = event.eventName === "CreatePolicyVersion" && String(record.requestParameters?.setAsDefault) !== "true";
  const notAttached = event.eventName === "CreatePolicy";
  const caveats = [
    ...(notDefault ? ["new version is not set as default yet"] : []),
    ...(notAttached ? ["new managed policy is not attached to anyone yet"] : []),
    ...(verdict.conditional ? ["the grant has conditions: check whether they restrict it"] : []),
    ...unknownReasons(verdict.unknownActions),
  ];
  if (verdict.adminEquivalent) {
    return {
      severity: "critical",
      title: "Admin-equivalent IAM policy granted",
      why: "This document grants administrator-equivalent power: every IAM action, or a way to grant itself more (attach or write policies, mint keys or passwords for others, rewrite trust, pass any role to compute it runs). Whoever holds it can do anything, including erasing traces.",
      reasons: [...verdict.adminReasons, ...caveats],
      signals: ["admin-grant"],
      evidence: written.evidence,
    };
  }
  const escalation = escalationReasons(verdict);
  if (escalation.length > 0 || verdict.broadReasons.length > 0) {
    return {
      severity: "high",
      why:
        escalation.length > 0
          ? "These permissions are one step from admin: any role passed to compute (admin-equivalent once the holder may also create that compute) or assumed reaches whatever the role can do."
          : "This document grants every action but IAM's writes on any resource: wide access to data and infrastructure, close to PowerUserAccess.",
      reasons: [...escalation, ...verdict.broadReasons, ...caveats],
      signals: escalation.length > 0 ? ["escalation-grant"] : [],
      evidence: written.evidence,
    };
  }
  // Only read-only metadata actions and telemetry writes (grant-scope.ts): low, never lower than that.
  const scope = grantScope(written.document);
  if (scope.narrow) return { severity: "low", why: NARROW_POLICY_WHY, reasons: [scope.reason, ...caveats], signals: [], evidence: written.evidence };
  return { severity: "medium", why: GENERIC_POLICY_WHY, reasons: ["grants permissions that are not admin-equivalent", ...caveats], signals: [], evidence: written.evidence };
}

/** Action names that do not exist grant nothing: said, never counted against the document. */
function unknownReasons(unknown: readonly string[]): string[] {
  if (unknown.length === 0) return [];
  const shown = unknown.slice(0, 5).map((text) => quoted(text));
  return [`names actions that do not exist, which grant nothing: ${shown.join(", ")}${unknown.length > shown.length ? `, … (${unknown.length - shown.length} more)` : ""}`];
}

/** Who receives an inline policy: the user, role or group the event names. */
function granteeOf(record: RuleInput["record"], eventName: string): Grantee | undefined {
  const kind = eventName === "PutUserPolicy" ? "user" : eventName === "PutRolePolicy" ? "role" : eventName === "PutGroupPolicy" ? "group" : undefined;
  const name = kind && record.requestParameters?.[`${kind}Name`];
  return kind && typeof name === "string" && isIamName(name) ? { kind, name } : undefined;
}
