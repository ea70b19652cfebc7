import { knownNarrowManagedPolicy } from "../../iam/grant-scope.js";
import { classifyManagedPolicyArn } from "../../iam/permission-analysis.js";
import { quoted } from "../../model/untrusted.js";
import { type RuleInput, defineRule } from "../rule.js";
import { IAM_SOURCE, requestString } from "../rule-helpers.js";
import { GENERIC_POLICY_WHY, NARROW_POLICY_WHY, type PolicyAssessment, assessLookedUpDocument, customerPolicyRequest, isIamCall, lookedUpPolicy, policyMatch } from "../policy-change.js";

const ATTACH_EVENTS = ["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"];

/**
 * A managed policy attached to a user, role or group, judged by which policy it is: the event
 * carries only its ARN, so AWS's administrator and broad managed policies are known by name (and a
 * few narrow ones, grant-scope.ts: low), and
 * a customer policy (whatever it is called) by its default version's document, which the
 * responder reads (lookups); replay, without it, says the document is unknown.
 */
export const managedPolicyAttached = defineRule({
  id: "managed-policy-attached",
  title: "Managed IAM policy attached",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Check which policy was attached and ask the actor's owner whether the change was planned (a deployment pipeline should be on the allowlist). For an unplanned admin-equivalent attachment, the actor and the principal that received the policy need containing (a user: every key deactivated, AWSDenyAll attached, sessions revoked; a role: sessions revoked; a group cannot be contained wholesale): the actions in the alert say what trailguard did, skipped or failed, and what is left to do by hand (`npm run release` undoes what it did if the change was planned). Detach the policy, review what the grantee did since, and look for further persistence (new keys, users, trust changes). For a customer managed policy, read its default version (aws iam get-policy-version) to see what it grants.",
  eventNames: ATTACH_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant"],
  lookups: (record, event) => [customerPolicyRequest(record, event)].filter((request) => request !== undefined),
  evaluate(input) {
    if (!isIamCall(input, ATTACH_EVENTS)) return undefined;
    return policyMatch(input, assessAttachment(input));
  },
});

function assessAttachment({ record, event, lookups }: RuleInput): PolicyAssessment<"admin-grant" | "escalation-grant"> {
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
  // A few AWS managed policies known narrow by name (exact ARN, AWS's case and path): low.
  const narrow = policyArn ? knownNarrowManagedPolicy(policyArn) : undefined;
  // A policy meant only for an instance's role is never low: the event does not show whether the
  // role is an instance's or one a person can assume (the red team's case: every SSM parameter).
  if (narrow && narrow.rolesOnly === undefined) {
    return { severity: "low", why: NARROW_POLICY_WHY, reasons: [`attached ${quoted(policyArn)}: ${narrow.name}: ${narrow.why}, a known narrow AWS managed policy`], signals: [] };
  }
  if (narrow?.rolesOnly !== undefined) return { severity: "medium", why: GENERIC_POLICY_WHY, reasons: [`attached ${quoted(policyArn)}: ${narrow.name} is ${narrow.rolesOnly}`], signals: [] };
  return assessLookedUpDocument(lookedUpPolicy(lookups, customerPolicyRequest(record, event)), `attached ${policyArn ? quoted(policyArn) : "(policy not recorded)"}`);
}
