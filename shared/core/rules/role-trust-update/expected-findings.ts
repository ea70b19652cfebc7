import type { SampleExpectations } from "../rule-pack.js";

/** The opened role closed after the actor's role sessions are revoked. */
const CONTAIN_ROLE_ACTOR_AND_CLOSE = ["revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"];

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-role-session-duration-raised": [],
  // A rename keeps the trust anchor's CA: nobody new can mint credentials.
  "benign-trust-anchor-renamed": [],
  // Denied: nothing changed, but someone tried to plant a CA (failedCallCap medium); never acted on.
  "trust-anchor-creation-denied": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  // An uploaded CA (the Stratus Red Team persistence step): alert only, no signal to contain on.
  "trust-anchor-external-ca-created": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-anchor-private-ca-in-account": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  "trust-create-role-for-lambda-service": [{ rule: "role-trust-update", severity: "low", actions: [] }],
  // Null {"sts:ExternalId": "true"} requires the id to be absent: as without one.
  "trust-external-id-required-absent": [{ rule: "role-trust-update", severity: "critical", actions: CONTAIN_ROLE_ACTOR_AND_CLOSE }],
  // sub "repo:*": every repository on GitHub.
  "trust-github-oidc-any-repository": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-github-oidc-one-repository": [{ rule: "role-trust-update", severity: "low", actions: [] }],
  "trust-github-oidc-whole-organisation": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  "trust-github-oidc-without-sub-condition": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-opened-to-everyone": [
    // The actor's role sessions revoked, then the opened role closed (sessions revoked, deny policy).
    { rule: "role-trust-update", severity: "critical", actions: CONTAIN_ROLE_ACTOR_AND_CLOSE },
  ],
  // StringLike aws:PrincipalArn "*" names a pinning key and pins nothing.
  "trust-principal-arn-wildcard-pins-nothing": [{ rule: "role-trust-update", severity: "critical", actions: CONTAIN_ROLE_ACTOR_AND_CLOSE }],
  "trust-principal-pinned-to-own-account": [{ rule: "role-trust-update", severity: "low", actions: [] }],
  "trust-policy-not-recorded": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-roles-anywhere-role-pinned-to-anchor": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  // Any certificate from any trust anchor in the account becomes the role.
  "trust-roles-anywhere-role-unpinned": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-untrusted-account-without-external-id": [
    {
      rule: "role-trust-update",
      severity: "critical",
      // The actor (mallory, AKIA key) quarantined, then the opened role closed.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"],
    },
  ],
  "trust-vendor-account-with-external-id": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-vendor-external-id-fixed-and-present": [{ rule: "role-trust-update", severity: "high", actions: [] }],
};
