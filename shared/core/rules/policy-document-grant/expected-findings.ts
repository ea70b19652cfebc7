import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-organizations-create-policy": [],
  "policy-admin-inline-policy-on-role": [{ rule: "policy-document-grant", severity: "critical", actions: ["revoke-sessions:planned"] }],
  "policy-escalation-permissions-on-user": [{ rule: "policy-document-grant", severity: "high", actions: [] }],
  "policy-notaction-grant-on-group": [
    {
      rule: "policy-document-grant",
      severity: "critical",
      // The actor (dave, AKIA key) quarantined; the group is not contained (skipped, to be handled by hand).
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:skipped"],
    },
  ],
  "policy-read-only-inline-policy": [{ rule: "policy-document-grant", severity: "medium", actions: [] }],
};
