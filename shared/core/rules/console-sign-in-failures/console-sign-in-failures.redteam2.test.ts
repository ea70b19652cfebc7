import { describe, expect, it } from "vitest";
import { ACCOUNT, eventBridge, findingsOf } from "../../../../test/support/records.js";
import { parseConfig } from "../../config/config.js";
import { createAnalyser } from "../../engine/analyse.js";
import { memoryWindowCounter } from "../../state/memory-window-counter.js";
import { RULES } from "../registry.js";

/**
 * Red team 2: the per-address key is the exact sourceIPAddress. One IPv6 host holds a /64
 * (2^64 addresses, free with any cloud VM or home connection) and may use a new address per
 * attempt, so the spraying key (10 failures from one address) never fills, while each user
 * stays under its own threshold (5 in 10 minutes). Rotating IPv4 addresses needs proxies; this
 * costs nothing.
 */
const T0 = Date.parse("2026-11-28T08:00:00Z");
let serial = 0;
const failure = (userName: string, sourceIPAddress: string, seconds: number) =>
  eventBridge({
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: `AIDAEXAMPLE${userName.toUpperCase()}`, accountId: ACCOUNT, accessKeyId: "", userName },
    eventTime: new Date(T0 + seconds * 1000).toISOString().replace(/\.000Z$/, "Z"),
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    sourceIPAddress,
    userAgent: "Mozilla/5.0",
    errorMessage: "Failed authentication",
    requestParameters: null,
    responseElements: { ConsoleLogin: "Failure" },
    additionalEventData: { MFAUsed: "No" },
    eventID: `00000000-0000-4000-8000-${String(++serial).padStart(12, "0")}`,
    readOnly: false,
    eventType: "AwsConsoleSignIn",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  });

async function findings(address: (n: number) => string): Promise<number> {
  const analyser = createAnalyser(parseConfig({}, "test"), RULES);
  const counter = memoryWindowCounter();
  let raised = 0;
  // 30 failures in 5 minutes: 10 users, 3 passwords each.
  for (let n = 0; n < 30; n++) {
    const input = failure(`user${n % 10}`, address(n), n * 10);
    const requests = analyser.countsFor(input);
    raised += findingsOf(analyser.analyse(input, requests.length > 0 ? { counts: await counter.count(requests) } : {})).filter((f) => f.ruleId === "console-sign-in-failures").length;
  }
  return raised;
}

describe("red team 2: console password spraying from one IPv6 /64", () => {
  it("control: from one address, it raises", async () => {
    expect(await findings(() => "2001:db8:1:2::1")).toBeGreaterThan(0);
  });

  it("from one /64, a new address per attempt, it raises too", async () => {
    expect(await findings((n) => `2001:db8:1:2::${(n + 1).toString(16)}`)).toBeGreaterThan(0);
  });
});
