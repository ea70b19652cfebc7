import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-iam-get-policy-read-only": [],
  "policy-administrator-access-attached-to-user": [
    {
      rule: "managed-policy-attached",
      severity: "critical",
      // The actor (alice, AKIA key) quarantined, then temp-contractor, the new admin, contained.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"],
    },
  ],
};
