import { createHash } from "node:crypto";
import { isAccountId } from "../arn/arn.js";
import { COUNT_KEY_MAX_CHARS } from "../model/window-counts.js";

/**
 * A window-count key for the rules that count (see shared/core/model/window-counts.ts):
 * `<rule>|<kind>|<account>|<subject>`. The subject (a user name, an address, an ARN) is written
 * by the caller, attacker included: it is data, kept last (so a `|` in it cannot shift the other
 * parts), never parsed back, and when the key would pass COUNT_KEY_MAX_CHARS it is replaced by its
 * digest. undefined when the account is not an account id (nothing to say whose it is): the event
 * is not counted.
 */
export function countKey(rule: string, kind: string, account: string | undefined, subject: string): string | undefined {
  if (!isAccountId(account)) return undefined;
  const key = `${rule}|${kind}|${account}|${subject}`;
  if (key.length <= COUNT_KEY_MAX_CHARS) return key;
  return `${rule}|${kind}|${account}|sha256:${createHash("sha256").update(subject).digest("hex")}`;
}

/** An event's time as epoch milliseconds, or undefined when it has none CloudTrail could have written. */
export function eventMillis(eventTime: string | undefined): number | undefined {
  if (eventTime === undefined) return undefined;
  const at = Date.parse(eventTime);
  return Number.isFinite(at) ? at : undefined;
}
