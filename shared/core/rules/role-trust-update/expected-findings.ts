import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-role-session-duration-raised": [],
  "trust-create-role-for-lambda-service": [{ rule: "role-trust-update", severity: "low", actions: [] }],
  "trust-github-oidc-without-sub-condition": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-opened-to-everyone": [
    // The actor's role sessions revoked, then the opened role closed (sessions revoked, deny policy).
    { rule: "role-trust-update", severity: "critical", actions: ["revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"] },
  ],
  "trust-policy-not-recorded": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  "trust-untrusted-account-without-external-id": [
    {
      rule: "role-trust-update",
      severity: "critical",
      // The actor (mallory, AKIA key) quarantined, then the opened role closed.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"],
    },
  ],
  "trust-vendor-account-with-external-id": [{ rule: "role-trust-update", severity: "high", actions: [] }],
};
