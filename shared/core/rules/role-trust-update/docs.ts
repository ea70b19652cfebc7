import type { RuleDocs } from "../rule-docs.js";

/** What people read about role-trust-update: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Conditions count by operator and value, never by the key's presence: a condition narrows who may assume the role only under StringEquals, StringLike, ArnEquals or ArnLike (alone or under ForAnyValue:) with every value concrete (no policy variable, no wildcard where the account, organization or repository goes); negated operators, Null, ...IfExists (the key is absent for some callers: aws:SourceAccount for any direct caller) and ForAllValues: (true when the key is absent) narrow nothing. " +
    "Critical: Principal \"*\" (or NotPrincipal) with no such pin (StringLike aws:PrincipalArn \"*\" is none), or an AWS account outside this account and the trusted accounts, as a principal or as the pin of Principal \"*\", without sts:ExternalId required to equal fixed values (Null sts:ExternalId true, \"*\", ...IfExists or negated forms are none). " +
    "High: such an account with a fixed sts:ExternalId; Principal \"*\" pinned to an organization (aws:PrincipalOrgID, aws:PrincipalOrgPaths…) or a value trailguard cannot place, to verify; an OIDC provider whose sub condition admits every identity (none, aud alone, \"*\"; for GitHub Actions \"repo:*\", \"repo:*/…\" or a subject naming no repository owner); IAM Roles Anywhere (rolesanywhere.amazonaws.com) trusted with no condition naming one trust anchor (aws:SourceArn) or certificate field (aws:PrincipalTag/x509Subject/…); a document trailguard cannot parse; " +
    "CreateTrustAnchor, or UpdateTrustAnchor replacing the CA, with an uploaded CA certificate, an AWS Private CA outside this account and the trusted accounts, or a source not recorded. " +
    "Medium: the document was not recorded, or a principal it cannot classify; GitHub Actions scoped to one owner's repositories (\"repo:example-org/*\"), to verify; Roles Anywhere pinned to a trust anchor or certificate field; a trust anchor on an AWS Private CA in this or a trusted account; a failed CreateTrustAnchor or UpdateTrustAnchor. " +
    "Low: this account or trusted accounts (as principals or as the pin of Principal \"*\"), OIDC scoped to one repository or identity, other AWS services, SAML providers, a failed trust policy change. Nothing for an UpdateTrustAnchor that leaves the CA as it was (a rename).",
  firesOn:
    "`UpdateAssumeRolePolicy`, `CreateRole`; IAM Roles Anywhere `CreateTrustAnchor`, `UpdateTrustAnchor` (a new CA source)",
  severity:
    "critical for `Principal: \"*\"` with no concrete pin or an untrusted account without a fixed `sts:ExternalId`; high with one, for `*` pinned to an organization, OIDC whose `sub` admits every repository or identity, Roles Anywhere trusted without a trust anchor or certificate condition, and a trust anchor on an outside CA; medium for one GitHub owner's repositories, pinned Roles Anywhere, a trust anchor on this account's Private CA, a failed trust anchor call; low for services, this account and trusted accounts",
};
