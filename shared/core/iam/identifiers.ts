import { parseArn, parseIamRoleArn } from "../arn/arn.js";

/**
 * What IAM makes of identifiers: which roles AWS manages, which policies quarantine, how names
 * compare. The formats themselves (account ids, names, paths, key ids, ARNs) are in
 * ../arn/arn.ts, which everything taken from an event must pass before it reaches IAM.
 */

/**
 * A role ARN's partition, account and name (its path too): kept under this name for the rule
 * packs that import it from here; new code imports parseIamRoleArn from ../arn/arn.ts.
 */
export const parseRoleArn = parseIamRoleArn;

/**
 * Roles AWS manages and IAM will not let anyone change: service-linked roles
 * (`/aws-service-role/`) and the roles IAM Identity Center and other services keep under
 * `/aws-reserved/` (Identity Center's permission-set roles are `AWSReservedSSO_<set>_<hash>`).
 * Known from the role's path when the ARN carries it, else from the names AWS gives them.
 */
export type ServiceManagedRole = "service-linked" | "identity-center" | "aws-reserved";

export function serviceManagedRole(roleArnOrName: string | undefined): ServiceManagedRole | undefined {
  if (roleArnOrName === undefined) return undefined;
  // With an ARN the path decides: anyone may name a role "AWSReservedSSO_…" at path "/".
  if (roleArnOrName.includes(":role/")) {
    if (roleArnOrName.includes(":role/aws-reserved/sso.amazonaws.com/")) return "identity-center";
    if (roleArnOrName.includes(":role/aws-service-role/")) return "service-linked";
    if (roleArnOrName.includes(":role/aws-reserved/")) return "aws-reserved";
    return undefined;
  }
  // A bare name (a session without its issuer, a target named by an event): the planner's guess,
  // which the responder checks against the real ARN from IAM before acting.
  if (/^AWSReservedSSO_/i.test(roleArnOrName)) return "identity-center";
  if (/^AWSServiceRoleFor/i.test(roleArnOrName)) return "service-linked";
  return undefined;
}

/** IAM user and role names are unique per account without regard to case: compare them so. */
export function sameIamName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** The AWS managed policies trailguard quarantines with (config `quarantinePolicy`): both deny, neither grants. */
export const QUARANTINE_POLICIES = ["AWSDenyAll", "AWSCompromisedKeyQuarantineV3"] as const;
const QUARANTINE_POLICY_RESOURCES: ReadonlySet<string> = new Set(QUARANTINE_POLICIES.map((name) => `policy/${name}`));

/** `arn:<partition>:iam::aws:policy/<one of QUARANTINE_POLICIES>`, exactly. */
export function isQuarantinePolicyArn(value: string | undefined): boolean {
  const arn = parseArn(value);
  return arn !== undefined && arn.service === "iam" && arn.region === "" && arn.account === "aws" && QUARANTINE_POLICY_RESOURCES.has(arn.resource);
}

/**
 * For detection, looser than isQuarantinePolicyArn (which gates what trailguard itself attaches
 * and releases): any quarantine policy AWS has published, AWSDenyAll and every version of
 * AWSCompromisedKeyQuarantine (what AWS attaches to a user whose key was exposed), in any case.
 * A detection must not be spelled around, whatever IAM would make of the spelling.
 */
const ANY_QUARANTINE_POLICY_NAME = /^(?:awsdenyall|awscompromisedkeyquarantine(?:v\d{1,2})?)$/;

export function namesQuarantinePolicy(value: string | undefined): boolean {
  const arn = parseArn(value);
  if (arn === undefined || arn.service.toLowerCase() !== "iam" || arn.account.toLowerCase() !== "aws" || !/^policy\//i.test(arn.resource)) return false;
  return ANY_QUARANTINE_POLICY_NAME.test(arn.resource.slice("policy/".length).toLowerCase());
}
