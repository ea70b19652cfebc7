import { defineRule } from "../rule.js";
import { IAM_SOURCE } from "../rule-helpers.js";
import { INLINE_DELETE_EVENTS, isIamCall, policyMatch, touchesContainment } from "../policy-change.js";

/** Calls that take permissions away: detaching managed policies, deleting inline and managed policies and versions. */
const REMOVAL_EVENTS = ["DetachUserPolicy", "DetachRolePolicy", "DetachGroupPolicy", ...INLINE_DELETE_EVENTS, "DeletePolicy", "DeletePolicyVersion"];

/**
 * Permissions removed. Low on its own, but a removal can break workloads or take a guardrail
 * away (a deny policy, a restrictive version). Deleting the revoke-sessions containment policy
 * or detaching a quarantine policy is containment-policy-tampering's, not this rule's.
 */
export const policyPermissionsRemoved = defineRule({
  id: "policy-permissions-removed",
  title: "IAM policy detached or deleted",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Usually routine clean-up: confirm with the actor's owner. Look closer when the removed policy was a deny or a guardrail (a quarantine policy, an explicit deny, a restrictive managed policy version): removing it widens what the principal can do, and an attacker removes such policies before acting. Re-attach or recreate it if the removal was not planned.",
  eventNames: REMOVAL_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: [],
  evaluate(input) {
    if (!isIamCall(input, REMOVAL_EVENTS) || touchesContainment(input.record, input.event.eventName)) return undefined;
    return policyMatch(input, {
      severity: "low",
      why: "Detaching or deleting policies removes permissions; it can still break workloads or remove guardrails.",
      reasons: ["permissions removed"],
      signals: [],
    });
  },
});
