import { accessKeyCreated } from "./access-key-created/access-key-created.js";
import { accessKeyReactivated } from "./access-key-reactivated/access-key-reactivated.js";
import { consoleLoginWithoutMfa } from "./console-login-without-mfa/console-login-without-mfa.js";
import { containmentPolicyTampering } from "./containment-policy-tampering/containment-policy-tampering.js";
import { credentialForOtherUser } from "./credential-for-other-user/credential-for-other-user.js";
import { groupMembershipAdded } from "./group-membership-added/group-membership-added.js";
import { identityProviderChanged } from "./identity-provider-changed/identity-provider-changed.js";
import { managedPolicyAttached } from "./managed-policy-attached/managed-policy-attached.js";
import { permissionsBoundaryChange } from "./permissions-boundary-change/permissions-boundary-change.js";
import { policyDefaultVersionSet } from "./policy-default-version-set/policy-default-version-set.js";
import { policyDocumentGrant } from "./policy-document-grant/policy-document-grant.js";
import { policyPermissionsRemoved } from "./policy-permissions-removed/policy-permissions-removed.js";
import { roleTrustUpdate } from "./role-trust-update/role-trust-update.js";
import type { DetectionRule } from "./rule.js";

/**
 * The IAM responder's rules, in report order: every category but root-activity, resource-exposure and tampering.
 * Credentials, privilege and trust: what the responder can contain.
 */
export const IAM_RULES: readonly DetectionRule[] = [
  accessKeyCreated,
  accessKeyReactivated,
  credentialForOtherUser,
  consoleLoginWithoutMfa,
  policyDocumentGrant,
  managedPolicyAttached,
  groupMembershipAdded,
  containmentPolicyTampering,
  permissionsBoundaryChange,
  policyDefaultVersionSet,
  policyPermissionsRemoved,
  roleTrustUpdate,
  identityProviderChanged,
];
