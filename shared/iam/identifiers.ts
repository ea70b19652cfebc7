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

