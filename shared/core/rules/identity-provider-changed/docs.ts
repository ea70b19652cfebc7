import type { RuleDocs } from "../rule-docs.js";

/** What people read about identity-provider-changed: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "High: a provider replaced under the roles that trust it (UpdateSAMLProvider's metadata, UpdateOpenIDConnectProviderThumbprint). Medium: a new provider (CreateSAMLProvider, CreateOpenIDConnectProvider) or a new OIDC audience (AddClientIDToOpenIDConnectProvider); the trust policies that use a provider are role-trust-update's. A failed call is low. Alert only.",
  firesOn: "`UpdateSAMLProvider`, `UpdateOpenIDConnectProviderThumbprint`, `AddClientIDToOpenIDConnectProvider`, `CreateSAMLProvider`, `CreateOpenIDConnectProvider`",
  severity: "high when a provider roles trust is replaced; medium for a new provider or audience; alert only",
};
