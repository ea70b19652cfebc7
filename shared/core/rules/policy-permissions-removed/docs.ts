import type { RuleDocs } from "../rule-docs.js";

/** What people read about policy-permissions-removed: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Low: always (a failed call too). Removing the revoke-sessions containment policy or detaching a quarantine policy (AWSDenyAll, AWSCompromisedKeyQuarantine*) is not this rule's: containment-policy-tampering raises it as critical.",
  firesOn:
    "`DetachUserPolicy`, `DetachRolePolicy`, `DetachGroupPolicy`, `DeleteUserPolicy`, `DeleteRolePolicy`, `DeleteGroupPolicy` (except of the revoke-sessions policy and quarantine policies), `DeletePolicy`, `DeletePolicyVersion` (IAM only: Auto Scaling policies are ignored)",
  severity: "low",
};
