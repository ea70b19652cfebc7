/**
 * IAM's own formats for what the responder puts into API calls. Everything taken from an event
 * is attacker-controlled: it must match these before it reaches IAM, so a crafted name can never
 * address a different entity or smuggle anything into a request.
 */
const ACCOUNT_ID = /^\d{12}$/;
/** User and role names: 1–64 of letters, digits and +=,.@_- (role names also 1–64). */
const PRINCIPAL_NAME = /^[\w+=,.@-]{1,64}$/;
/** Long-term access keys; ASIA… session keys cannot be deactivated with UpdateAccessKey. */
const LONG_TERM_ACCESS_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;

export function isAccountId(value: string | undefined): value is string {
  return value !== undefined && ACCOUNT_ID.test(value);
}

export function isPrincipalName(value: string | undefined): value is string {
  return value !== undefined && PRINCIPAL_NAME.test(value);
}

export function isLongTermAccessKeyId(value: string | undefined): value is string {
  return value !== undefined && LONG_TERM_ACCESS_KEY_ID.test(value);
}


/** An IAM role ARN, path and all: `arn:<partition>:iam::<account>:role/[<path>/]<name>`. */
export interface RoleArnParts {
  readonly partition: string;
  readonly account: string;
  readonly name: string;
}

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

export function parseRoleArn(arn: string | undefined): RoleArnParts | undefined {
  const match = arn === undefined ? null : ROLE_ARN.exec(arn);
  return match ? { partition: match[1] ?? "aws", account: match[2] ?? "", name: match[3] ?? "" } : undefined;
}

/** The prefix every session ARN of a role starts with (sessions name the role without its path). */
export function sessionArnPrefix(role: RoleArnParts): string {
  return `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/`;
}

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

/** An IAM user or role ARN, path included: `arn:<partition>:iam::<account>:<kind>/[<path>/]<name>`. */
export interface PrincipalArnParts {
  readonly partition: string;
  readonly account: string;
  readonly kind: "user" | "role";
  /** "/" or "/admins/": as IAM writes paths. */
  readonly path: string;
  readonly name: string;
}

const PRINCIPAL_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):(user|role)(\/(?:[^/]+\/)*)([^/]+)$/;

export function parsePrincipalArn(arn: string | undefined): PrincipalArnParts | undefined {
  const match = arn === undefined ? null : PRINCIPAL_ARN.exec(arn);
  if (!match) return undefined;
  return { partition: match[1] ?? "aws", account: match[2] ?? "", kind: match[3] as "user" | "role", path: match[4] ?? "/", name: match[5] ?? "" };
}

/** The AWS managed policies trailguard quarantines with (config `quarantinePolicy`): both deny, neither grants. */
export const QUARANTINE_POLICIES = ["AWSDenyAll", "AWSCompromisedKeyQuarantineV3"] as const;
const QUARANTINE_POLICY_ARN = new RegExp(`^arn:aws[\\w-]*:iam::aws:policy/(${QUARANTINE_POLICIES.join("|")})$`);

export function isQuarantinePolicyArn(value: string | undefined): boolean {
  return value !== undefined && QUARANTINE_POLICY_ARN.test(value);
}
