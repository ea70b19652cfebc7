import { docs as accessKeyCreated } from "./access-key-created/docs.js";
import { docs as accessKeyReactivated } from "./access-key-reactivated/docs.js";
import { docs as cloudtrailTampering } from "./cloudtrail-tampering/docs.js";
import { docs as consoleLoginWithoutMfa } from "./console-login-without-mfa/docs.js";
import { docs as consoleSignInFailures } from "./console-sign-in-failures/docs.js";
import { docs as containmentPolicyTampering } from "./containment-policy-tampering/docs.js";
import { docs as credentialForOtherUser } from "./credential-for-other-user/docs.js";
import { docs as deniedCallsBurst } from "./denied-calls-burst/docs.js";
import { docs as managedPolicyAttached } from "./managed-policy-attached/docs.js";
import { docs as groupMembershipAdded } from "./group-membership-added/docs.js";
import { docs as permissionsBoundaryChange } from "./permissions-boundary-change/docs.js";
import { docs as policyDefaultVersionSet } from "./policy-default-version-set/docs.js";
import { docs as policyDocumentGrant } from "./policy-document-grant/docs.js";
import { docs as policyPermissionsRemoved } from "./policy-permissions-removed/docs.js";
import { docs as roleTrustUpdate } from "./role-trust-update/docs.js";
import { docs as identityProviderChanged } from "./identity-provider-changed/docs.js";
import { docs as resourceSharedOutside } from "./resource-shared-outside/docs.js";
import { docs as rootActivity } from "./root-activity/docs.js";
import { docs as rootSessionAssumed } from "./root-session-assumed/docs.js";
import { docs as rootConsoleLogin } from "./root-console-login/docs.js";
import { docs as securityToolingDisabled } from "./security-tooling-disabled/docs.js";
import { docs as trailguardHeartbeat } from "./trailguard-heartbeat/docs.js";
import { docs as trailguardIdentityMisuse } from "./trailguard-identity-misuse/docs.js";
import { docs as trailguardTampering } from "./trailguard-tampering/docs.js";

/**
 * What people read about a rule and the functions never need: how it rates (shown by
 * `--list-rules`) and its row in the README's rule table (`npm run docs:rules`). Each pack keeps
 * its own in `docs.ts`; only the CLI, the docs script and the tests import this map, so the
 * Lambda bundles do not carry it. rule-packs.test.ts checks it names exactly the registered rules.
 */
export interface RuleDocs {
  /** How severity is decided, in one paragraph. */
  readonly severityLogic: string;
  /** Markdown, one line: what the rule fires on. Names every one of its eventNames unless listsEventNames is false. */
  readonly firesOn: string;
  /** Markdown, one line: its severities in brief. */
  readonly severity: string;
  /** false for a rule that watches too many calls to list (its row names what they change instead). */
  readonly listsEventNames?: false;
}

export const RULE_DOCS: Readonly<Record<string, RuleDocs>> = {
  "root-console-login": rootConsoleLogin,
  "root-activity": rootActivity,
  "root-session-assumed": rootSessionAssumed,
  "access-key-created": accessKeyCreated,
  "access-key-reactivated": accessKeyReactivated,
  "credential-for-other-user": credentialForOtherUser,
  "console-login-without-mfa": consoleLoginWithoutMfa,
  "policy-document-grant": policyDocumentGrant,
  "managed-policy-attached": managedPolicyAttached,
  "group-membership-added": groupMembershipAdded,
  "containment-policy-tampering": containmentPolicyTampering,
  "permissions-boundary-change": permissionsBoundaryChange,
  "policy-default-version-set": policyDefaultVersionSet,
  "policy-permissions-removed": policyPermissionsRemoved,
  "role-trust-update": roleTrustUpdate,
  "identity-provider-changed": identityProviderChanged,
  "resource-shared-outside": resourceSharedOutside,
  "console-sign-in-failures": consoleSignInFailures,
  "denied-calls-burst": deniedCallsBurst,
  "cloudtrail-tampering": cloudtrailTampering,
  "security-tooling-disabled": securityToolingDisabled,
  "trailguard-tampering": trailguardTampering,
  "trailguard-identity-misuse": trailguardIdentityMisuse,
  "trailguard-heartbeat": trailguardHeartbeat,
};
