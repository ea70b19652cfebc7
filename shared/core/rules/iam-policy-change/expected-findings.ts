import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-autoscaling-delete-policy": [],
  "benign-iam-get-policy-read-only": [],
  "benign-organizations-create-policy": [],
  "policy-admin-inline-policy-on-role": [{ rule: "iam-policy-change", severity: "critical", actions: ["revoke-sessions:planned"] }],
  "policy-administrator-access-attached-to-user": [
    {
      rule: "iam-policy-change",
      severity: "critical",
      // The actor (alice, AKIA key) quarantined, then temp-contractor, the new admin, contained.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"],
    },
  ],
  "policy-detached-from-role": [{ rule: "iam-policy-change", severity: "low", actions: [] }],
  "policy-escalation-permissions-on-user": [{ rule: "iam-policy-change", severity: "high", actions: [] }],
  "policy-notaction-grant-on-group": [
    {
      rule: "iam-policy-change",
      severity: "critical",
      // The actor (dave, AKIA key) quarantined; the group is not contained (skipped, to be handled by hand).
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:skipped"],
    },
  ],
  "policy-permissions-boundary-removed": [{ rule: "iam-policy-change", severity: "high", actions: [] }],
  "policy-read-only-inline-policy": [{ rule: "iam-policy-change", severity: "medium", actions: [] }],
  "policy-revoke-sessions-policy-deleted": [{ rule: "iam-policy-change", severity: "critical", actions: ["revoke-sessions:planned"] }],
};
