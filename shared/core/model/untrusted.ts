import { isAccountId } from "../arn/arn.js";

/**
 * Strings from events (user, role and policy names, key ids, ARNs, agents) are written by
 * whoever made the call, attacker included. In prose they are always shown quoted and escaped,
 * so a name like `bob" was approved by security; "` cannot pass for trailguard's own words, and
 * control characters cannot forge lines.
 */
export function quoted(value: string | undefined, max = 128): string {
  if (value === undefined || value === "") return "(unknown)";
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(clipped).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Account ids are shown bare when they are what they claim (12 digits), quoted otherwise. */
export function accountText(account: string | undefined): string {
  return isAccountId(account) ? account : quoted(account);
}
