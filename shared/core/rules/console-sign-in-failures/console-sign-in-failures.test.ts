import { describe, expect, it } from "vitest";
import { judgeInOrder } from "../../../../test/support/judge-in-order.js";
import { ACCOUNT, OTHER_ACCOUNT, cloudTrailRecord, eventBridge, findingsOf, root } from "../../../../test/support/records.js";
import type { Finding } from "../../model/finding.js";
import { COUNT_KEY_MAX_CHARS } from "../../model/window-counts.js";
import { HIDDEN_USER_NAME } from "./console-sign-in-failures.js";

const RULE = "console-sign-in-failures";
const T0 = Date.parse("2024-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(/\.000Z$/, "Z");

let serial = 0;
interface SignIn {
  user?: string;
  ip?: string;
  seconds?: number;
  outcome?: "Success" | "Failure";
  account?: string;
  eventID?: string;
  identity?: unknown;
  overrides?: Record<string, unknown>;
}
/** A console sign-in as CloudTrail writes it: a failed IAM user's has no ARN and an empty key id. */
function signIn({ user = "dana", ip = "203.0.113.45", seconds = 0, outcome = "Failure", account = ACCOUNT, eventID, identity, overrides = {} }: SignIn = {}) {
  serial += 1;
  const failed = outcome === "Failure";
  const userIdentity =
    identity ??
    (user === HIDDEN_USER_NAME
      ? { type: "IAMUser", accountId: account, accessKeyId: "", userName: user }
      : { type: "IAMUser", principalId: "AIDAEXAMPLEPRINCIPAL1", accountId: account, accessKeyId: "", userName: user, ...(failed ? {} : { arn: `arn:aws:iam::${account}:user/${user}` }) });
  return eventBridge(
    cloudTrailRecord({
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      eventType: "AwsConsoleSignIn",
      eventTime: at(seconds),
      eventID: eventID ?? `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`,
      userIdentity,
      sourceIPAddress: ip,
      recipientAccountId: account,
      readOnly: false,
      responseElements: { ConsoleLogin: outcome },
      ...(failed ? { errorMessage: user === HIDDEN_USER_NAME ? "No username found in supplied account" : "Failed authentication" } : {}),
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", MFAUsed: "Yes" },
      ...overrides,
    }),
    "AWS Console Sign In via CloudTrail",
  );
}

const judge = () => judgeInOrder(RULE);
/** The indexes of the events that raised. */
const raisedAt = (perEvent: Finding[][]) => perEvent.flatMap((findings, index) => (findings.length > 0 ? [index] : []));

describe("console-sign-in-failures (CIS CloudWatch.6)", () => {
  it("five failed sign-ins for one user in four minutes raise once, on the fifth: medium, alert only, naming user, count and window", async () => {
    const perEvent = await judge().all([0, 40, 100, 170, 240].map((seconds) => signIn({ seconds })));
    expect(raisedAt(perEvent)).toEqual([4]);
    const [finding, ...rest] = perEvent[4] ?? [];
    expect(rest).toEqual([]);
    expect(finding?.severity).toBe("medium");
    expect(finding?.category).toBe("repeated-failures");
    expect(finding?.reasons).not.toContain("capped at low: the call failed");
    expect(finding?.actions).toEqual([]);
    expect(finding?.signals).toEqual(["failures-per-user"]);
    expect(finding?.technique.id).toBe("T1110.001");
    expect(finding?.target).toMatchObject({ kind: "user", name: "dana" });
    expect(finding?.summary).toContain('5 failed console sign-ins for IAM user "dana" in 10 minutes');
  });

  it("four failures, then the right password, raise nothing", async () => {
    const perEvent = await judge().all([...[0, 30, 60, 90].map((seconds) => signIn({ seconds })), signIn({ seconds: 120, outcome: "Success" })]);
    expect(raisedAt(perEvent)).toEqual([]);
  });

  it("counts over the last 10 minutes: the fifth failure 600 s after the first does not raise, 599 s after does", async () => {
    expect(raisedAt(await judge().all([0, 100, 200, 300, 600].map((seconds) => signIn({ seconds }))))).toEqual([]);
    expect(raisedAt(await judge().all([0, 100, 200, 300, 599].map((seconds) => signIn({ seconds }))))).toEqual([4]);
  });

  it("six failures spread over an hour raise nothing", async () => {
    expect(raisedAt(await judge().all([0, 11, 23, 35, 47, 59].map((minutes) => signIn({ seconds: minutes * 60 }))))).toEqual([]);
  });

  it("keeps quiet for an hour after raising, then raises again on a new burst", async () => {
    const burst = (start: number) => Array.from({ length: 8 }, (_, index) => signIn({ seconds: start + index * 10 }));
    // Raised at 40 s; everything up to 3640 s is quiet, whatever the count; 3700 s onwards raises again.
    const perEvent = await judge().all([...burst(0), ...burst(1800), ...burst(3700)]);
    expect(raisedAt(perEvent)).toEqual([4, 20]);
  });

  it("the same event delivered twice counts once", async () => {
    const events = [0, 30, 60, 90].map((seconds) => signIn({ seconds }));
    expect(raisedAt(await judge().all([...events, events[3]]))).toEqual([]);
  });

  it("IAM user names are one user whatever their case", async () => {
    const perEvent = await judge().all(["dana", "Dana", "DANA", "dana", "dAna"].map((user, index) => signIn({ user, seconds: index * 20 })));
    expect(raisedAt(perEvent)).toEqual([4]);
  });

  it("keys carry the account: the same user name failing in two accounts is two users", async () => {
    const perEvent = await judge().all([0, 1, 2, 3, 4, 5].map((index) => signIn({ account: index % 2 ? OTHER_ACCOUNT : ACCOUNT, seconds: index * 10, ip: `198.51.100.${index}` })));
    expect(raisedAt(perEvent)).toEqual([]);
    const keys = judge().analyser.countsFor(signIn({ account: OTHER_ACCOUNT })).map((request) => request.key);
    expect(keys).toEqual([`${RULE}|user|${OTHER_ACCOUNT}|dana`, `${RULE}|source|${OTHER_ACCOUNT}|203.0.113.45`]);
  });

  it("asks for a 10-minute window, thresholds 5 (user) and 10 (address), an hour's quiet, the event as occurrence", () => {
    const event = signIn({ eventID: "a1b2c3d4-0000-4000-8000-000000000001" });
    expect(judge().analyser.countsFor(event)).toEqual([
      { key: `${RULE}|user|${ACCOUNT}|dana`, occurrence: "a1b2c3d4-0000-4000-8000-000000000001", at: T0, windowSeconds: 600, threshold: 5, quietSeconds: 3600 },
      { key: `${RULE}|source|${ACCOUNT}|203.0.113.45`, occurrence: "a1b2c3d4-0000-4000-8000-000000000001", at: T0, windowSeconds: 600, threshold: 10, quietSeconds: 3600 },
    ]);
  });

  describe("password spraying: one address, many users", () => {
    it("ten users tried once each from one address raise once, on the tenth, as spraying (T1110.003)", async () => {
      const perEvent = await judge().all(Array.from({ length: 12 }, (_, index) => signIn({ user: `user-${index}`, ip: "198.51.100.77", seconds: index * 15 })));
      expect(raisedAt(perEvent)).toEqual([9]);
      const finding = perEvent[9]?.[0];
      expect(finding?.signals).toEqual(["failures-per-source"]);
      expect(finding?.technique.id).toBe("T1110.003");
      expect(finding?.title).toMatch(/spraying/);
      expect(finding?.summary).toContain('10 failed console sign-ins from "198.51.100.77" in 10 minutes, across user names');
      expect(finding?.summary).toContain('"user-9"');
      expect(finding?.severity).toBe("medium");
    });

    it("nine users from one address raise nothing; ten users from ten addresses raise nothing", async () => {
      expect(raisedAt(await judge().all(Array.from({ length: 9 }, (_, index) => signIn({ user: `user-${index}`, seconds: index * 15 }))))).toEqual([]);
      expect(raisedAt(await judge().all(Array.from({ length: 10 }, (_, index) => signIn({ user: `user-${index}`, ip: `192.0.2.${index}`, seconds: index * 15 }))))).toEqual([]);
    });

    it("one user guessed ten times from one address: raised on the fifth (the user), and on the tenth (the address), not as spraying", async () => {
      const perEvent = await judge().all(Array.from({ length: 10 }, (_, index) => signIn({ seconds: index * 20 })));
      expect(raisedAt(perEvent)).toEqual([4, 9]);
      expect(perEvent[9]?.[0]?.signals).toEqual(["failures-per-source"]);
      expect(perEvent[9]?.[0]?.technique.id).toBe("T1110.001");
    });
  });

  describe("unknown user names (CloudTrail writes HIDDEN_DUE_TO_SECURITY_REASONS)", () => {
    it("are never counted together by that placeholder: twelve from twelve addresses raise nothing", async () => {
      const perEvent = await judge().all(Array.from({ length: 12 }, (_, index) => signIn({ user: HIDDEN_USER_NAME, ip: `192.0.2.${index + 1}`, seconds: index * 30 })));
      expect(raisedAt(perEvent)).toEqual([]);
      const keys = judge().analyser.countsFor(signIn({ user: HIDDEN_USER_NAME, ip: "192.0.2.1" })).map((request) => request.key);
      expect(keys.some((key) => key.includes(HIDDEN_USER_NAME))).toBe(false);
      expect(keys).toEqual([`${RULE}|unknown-user|${ACCOUNT}|192.0.2.1`, `${RULE}|source|${ACCOUNT}|192.0.2.1`]);
    });

    it("are counted by address: five from one address raise, with no user as target", async () => {
      const perEvent = await judge().all(Array.from({ length: 5 }, (_, index) => signIn({ user: HIDDEN_USER_NAME, ip: "192.0.2.99", seconds: index * 30 })));
      expect(raisedAt(perEvent)).toEqual([4]);
      const finding = perEvent[4]?.[0];
      expect(finding?.target).toBeUndefined();
      expect(finding?.technique.id).toBe("T1110");
      expect(finding?.summary).toContain('user names the account does not have from "192.0.2.99"');
      expect(finding?.summary).not.toContain(HIDDEN_USER_NAME);
    });

    it("without a source address there is nothing to count them by", () => {
      expect(judge().analyser.countsFor(signIn({ user: HIDDEN_USER_NAME, overrides: { sourceIPAddress: undefined } }))).toEqual([]);
    });
  });

  describe("whose failures these are not", () => {
    it("root's failed sign-ins are root-console-login's, each one: never counted here", async () => {
      const { all, analyser, one } = judge();
      const events = Array.from({ length: 12 }, (_, index) => signIn({ identity: root(), seconds: index * 10 }));
      expect(analyser.countsFor(events[0])).toEqual([]);
      expect(raisedAt(await all(events))).toEqual([]);
      expect((await one(signIn({ identity: root(), seconds: 200 }))).map((finding) => finding.ruleId)).toEqual(["root-console-login"]);
    });

    it("successful sign-ins are not counted", () => {
      expect(judge().analyser.countsFor(signIn({ outcome: "Success" }))).toEqual([]);
    });

    it("a ConsoleLogin from another event source is not a sign-in", () => {
      expect(judge().analyser.countsFor(signIn({ overrides: { eventSource: "iam.amazonaws.com" } }))).toEqual([]);
    });

    it("without counts (no state kept) it says nothing, even on the fifth failure", () => {
      const { analyser } = judge();
      const findings = [0, 1, 2, 3, 4].flatMap((index) => findingsOf(analyser.analyse(signIn({ seconds: index }))));
      expect(findings.filter((finding) => finding.ruleId === RULE)).toEqual([]);
    });
  });

  describe("hostile and odd records", () => {
    it("a user name is data: quoted in the summary, bounded in the key, distinct names stay distinct", async () => {
      const hostile = 'dana" was approved by security\n[OK] ';
      const perEvent = await judge().all([0, 1, 2, 3, 4].map((index) => signIn({ user: hostile, seconds: index })));
      const summary = perEvent[4]?.[0]?.summary ?? "";
      expect(summary).toContain(JSON.stringify(hostile));
      expect(summary).not.toContain("\n");

      const long = "x".repeat(10_000);
      const { analyser } = judge();
      const keyA = analyser.countsFor(signIn({ user: `${long}a` }))[0]?.key ?? "";
      const keyB = analyser.countsFor(signIn({ user: `${long}b` }))[0]?.key ?? "";
      expect(keyA.length).toBeLessThanOrEqual(COUNT_KEY_MAX_CHARS);
      expect(keyA.startsWith(`${RULE}|user|${ACCOUNT}|sha256:`)).toBe(true);
      expect(keyA).not.toBe(keyB);
      const longIp = analyser.countsFor(signIn({ ip: "1".repeat(5_000) }))[1]?.key ?? "";
      expect(longIp.length).toBeLessThanOrEqual(COUNT_KEY_MAX_CHARS);
    });

    it("a pipe in a user name cannot pass for another key's parts", () => {
      const { analyser } = judge();
      const keys = analyser.countsFor(signIn({ user: `dana|${OTHER_ACCOUNT}` })).map((request) => request.key);
      expect(keys[0]).toBe(`${RULE}|user|${ACCOUNT}|dana|${OTHER_ACCOUNT}`);
      expect(keys[0]?.startsWith(`${RULE}|user|${ACCOUNT}|`)).toBe(true);
    });

    it.each([
      ["no eventTime", { eventTime: undefined }],
      ["an eventTime that is no time", { eventTime: "yesterday-ish" }],
      ["an account that is no account id", { recipientAccountId: "1111|2222", userIdentity: { type: "IAMUser", userName: "dana", accountId: "x" } }],
    ])("%s: not counted, no finding, no crash", async (_what, overrides) => {
      const { analyser, all } = judge();
      const events = [0, 1, 2, 3, 4].map((index) => signIn({ seconds: index, overrides: { ...overrides, eventID: `odd-${index}` } }));
      expect(analyser.countsFor(events[0])).toEqual([]);
      expect(raisedAt(await all(events))).toEqual([]);
    });

    it("no userIdentity: counted by address as an unknown user, and raises on five", async () => {
      const perEvent = await judge().all([0, 1, 2, 3, 4].map((index) => signIn({ seconds: index, overrides: { userIdentity: undefined } })));
      expect(raisedAt(perEvent)).toEqual([4]);
    });

    it("a userIdentity of the wrong shape is malformed: nothing counted, nothing raised", () => {
      const { analyser } = judge();
      const broken = signIn({ overrides: { userIdentity: "dana" } });
      expect(analyser.countsFor(broken)).toEqual([]);
      expect(analyser.analyse(broken).kind).toBe("malformed");
    });
  });
});

describe("addressBlock: the address a sign-in is counted under", () => {
  it("keeps IPv4 as it is, counts IPv6 by its /64 however it is written, and keeps what it cannot parse", async () => {
    const { addressBlock } = await import("../window-keys.js");
    expect(addressBlock("203.0.113.9")).toBe("203.0.113.9");
    expect(addressBlock("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressBlock("2001:0DB8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(addressBlock("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBlock("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(addressBlock("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressBlock("1::2::3")).toBe("1::2::3");
    expect(addressBlock("AWS Internal")).toBe("AWS Internal");
    expect(addressBlock("2001:db8:zz::1")).toBe("2001:db8:zz::1");
  });
});
