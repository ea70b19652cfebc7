import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  // The actor (role ops-admin) and the role just granted admin (lambda-build) both have their sessions revoked.
  "admin-grant-under-revoke-policy-name": [{ rule: "containment-policy-tampering", severity: "critical", actions: ["revoke-sessions:planned", "revoke-sessions:planned"] }],
  // Look-alike: an ordinary inline policy deleted is a low removal, not tampering with containment.
  "ordinary-inline-policy-deleted-from-user": [{ rule: "policy-permissions-removed", severity: "low", actions: [] }],
  "policy-revoke-sessions-policy-deleted": [{ rule: "containment-policy-tampering", severity: "critical", actions: ["revoke-sessions:planned"] }],
  // The IAM console's Revoke active sessions: the exact revoking deny, recorded as info, nothing done.
  "revoke-sessions-policy-applied-by-console": [{ rule: "containment-policy-tampering", severity: "info", actions: [] }],
  "quarantine-policy-detached-from-user": [
    // Alert only by default: who detached it and whether to re-attach is the on-call's call (see the rule's runbook).
    { rule: "containment-policy-tampering", severity: "critical", actions: [] },
  ],
};
