import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, outcome, requestString } from "../rule-helpers.js";

/**
 * The identity providers roles trust: a SAML provider's metadata or an OIDC provider's
 * thumbprints and audiences decide whose tokens IAM accepts. Replacing them swaps the door
 * behind every role that already trusts the provider, without touching a trust policy; creating
 * one prepares a door a trust policy can open later (role-trust-update judges that policy).
 */
const EVENTS: Readonly<Record<string, { readonly severity: Severity; readonly what: string; readonly why: string }>> = {
  UpdateSAMLProvider: { severity: "high", what: "replaced the metadata of SAML provider", why: "Every role that trusts this provider now accepts assertions signed by whoever controls the new metadata's keys." },
  UpdateOpenIDConnectProviderThumbprint: { severity: "high", what: "replaced the certificate thumbprints of OIDC provider", why: "Every role that trusts this provider now accepts tokens from a server presenting the new certificates." },
  AddClientIDToOpenIDConnectProvider: { severity: "medium", what: "added an audience (client id) to OIDC provider", why: "Tokens issued for the new audience are now accepted by roles that trust this provider and do not pin the audience." },
  CreateSAMLProvider: { severity: "medium", what: "created SAML provider", why: "A new identity provider is a door any trust policy can open; check who set it up and which roles trust it." },
  CreateOpenIDConnectProvider: { severity: "medium", what: "created OIDC provider", why: "A new identity provider is a door any trust policy can open; check who set it up and which roles trust it." },
};

export const identityProviderChanged = defineRule({
  id: "identity-provider-changed",
  title: "IAM identity provider created or changed",
  category: "trust-update",
  technique: { id: "T1484.002", name: "Domain or Tenant Policy Modification: Trust Modification" },
  runbook:
    "Ask the identity team whether the provider change was planned. If not, restore the previous SAML metadata or OIDC thumbprints (CloudTrail has the earlier values) or delete the new provider, list the roles that trust it (aws iam list-roles, filter on the provider ARN in AssumeRolePolicyDocument) and look for AssumeRoleWithSAML / AssumeRoleWithWebIdentity calls since the change.",
  eventNames: Object.keys(EVENTS),
  eventSources: [IAM_SOURCE],
  signals: [],
  evaluate({ record, actor, event }) {
    const spec = event.eventSource === IAM_SOURCE && Object.hasOwn(EVENTS, event.eventName) ? EVENTS[event.eventName] : undefined;
    if (spec === undefined) return undefined;
    const provider = requestString(record, "sAMLProviderArn") ?? requestString(record, "openIDConnectProviderArn") ?? requestString(record, "name") ?? requestString(record, "url");
    return {
      severity: spec.severity,
      summary: `${describeActor(actor)} ${spec.what} ${quoted(provider)}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: spec.why,
      reasons: [`${event.eventName} on ${quoted(provider)}`],
      signals: [],
      target: undefined,
    };
  },
});
