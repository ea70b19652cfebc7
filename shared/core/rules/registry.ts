import { accessKeyCreated } from "./access-key-created/access-key-created.js";
import { cloudTrailTampering } from "./cloudtrail-tampering/cloudtrail-tampering.js";
import { consoleLoginWithoutMfa } from "./console-login-without-mfa/console-login-without-mfa.js";
import { credentialForOtherUser } from "./credential-for-other-user/credential-for-other-user.js";
import { accessKeyReactivated } from "./access-key-reactivated/access-key-reactivated.js";
import { containmentPolicyTampering } from "./containment-policy-tampering/containment-policy-tampering.js";
import { managedPolicyAttached } from "./managed-policy-attached/managed-policy-attached.js";
import { permissionsBoundaryChange } from "./permissions-boundary-change/permissions-boundary-change.js";
import { policyDefaultVersionSet } from "./policy-default-version-set/policy-default-version-set.js";
import { policyDocumentGrant } from "./policy-document-grant/policy-document-grant.js";
import { policyPermissionsRemoved } from "./policy-permissions-removed/policy-permissions-removed.js";
import { roleTrustUpdate } from "./role-trust-update/role-trust-update.js";
import { rootActivity } from "./root-activity/root-activity.js";
import { rootConsoleLogin } from "./root-console-login/root-console-login.js";
import type { DetectionRule } from "./rule.js";
import { securityToolingDisabled } from "./security-tooling-disabled/security-tooling-disabled.js";
import { trailguardHeartbeat } from "./trailguard-heartbeat/trailguard-heartbeat.js";
import { trailguardIdentityMisuse } from "./trailguard-identity-misuse/trailguard-identity-misuse.js";
import { trailguardTampering } from "./trailguard-tampering/trailguard-tampering.js";

/** Every rule trailguard runs, in report order. Adding a rule: one file, one line here, samples in events/. */
export const RULES: readonly DetectionRule[] = [
  rootConsoleLogin,
  rootActivity,
  accessKeyCreated,
  accessKeyReactivated,
  credentialForOtherUser,
  consoleLoginWithoutMfa,
  policyDocumentGrant,
  managedPolicyAttached,
  containmentPolicyTampering,
  permissionsBoundaryChange,
  policyDefaultVersionSet,
  policyPermissionsRemoved,
  roleTrustUpdate,
  cloudTrailTampering,
  securityToolingDisabled,
  trailguardTampering,
  trailguardIdentityMisuse,
  trailguardHeartbeat,
];

/** Split between the deployed functions so no event is judged twice by the same rule. */
export const ROOT_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.category === "root-activity");
export const IAM_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.category !== "root-activity" && rule.category !== "tampering");
/** Tampering with CloudTrail, the account's security services or trailguard, misuse of trailguard's identity, the heartbeat: the tamper monitor's rules. */
export const TAMPER_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.category === "tampering");
/**
 * The root monitor also watches the watcher: changes to the tamper monitor and misuse of its
 * role, which the tamper monitor cannot be trusted to report once its code is replaced.
 */
export const ROOT_MONITOR_RULES: readonly DetectionRule[] = [...ROOT_RULES, trailguardTampering, trailguardIdentityMisuse];
