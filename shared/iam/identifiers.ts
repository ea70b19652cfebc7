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
