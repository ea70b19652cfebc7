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

/**
 * The address a sign-in is counted under: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's network: a new address per attempt inside it costs nothing and must not
 * split a spray). Anything unparseable is kept as written (it is data in a key, nothing more).
 */
export function addressBlock(ip: string): string {
  if (!ip.includes(":")) return ip;
  const address = (ip.split("%")[0] ?? ip).toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  const halves = address.split("::");
  if (halves.length > 2) return ip;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const parts = halves.length === 2 ? [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  if (parts.length !== 8 || !parts.every((part) => /^[0-9a-f]{1,4}$/.test(part))) return ip;
  return `${parts
    .slice(0, 4)
    .map((part) => part.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
