import type { RuleDocs } from "../rule-docs.js";

/** What people read about role-trust-update: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: Principal \"*\" (or NotPrincipal) with no pinning condition, or an AWS account outside this account and the trusted accounts without an sts:ExternalId condition. High: an untrusted account with sts:ExternalId, \"*\" pinned only by conditions (aws:PrincipalOrgID\u2026), an OIDC provider without a sub condition, or a document trailguard cannot parse. Medium: the document was not recorded, or a principal it cannot classify. Low: this account, trusted accounts, AWS services, SAML providers.",
  firesOn:
    "`UpdateAssumeRolePolicy`, `CreateRole`",
  severity: "critical for `Principal: \"*\"` or an untrusted account without `sts:ExternalId`; high with ExternalId, for OIDC providers without a `sub` condition, or `*` pinned only by conditions; low for services, this account and trusted accounts",
};
