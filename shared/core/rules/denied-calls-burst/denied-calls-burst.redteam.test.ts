import { describe, expect, it } from "vitest";
import { ACCOUNT, cloudTrailRecord, findingsOf } from "../../../../test/support/records.js";
import { parseConfig } from "../../config/config.js";
import { createAnalyser } from "../../engine/analyse.js";
import { memoryWindowCounter } from "../../state/memory-window-counter.js";
import { RULES } from "../registry.js";

/**
 * Red team: the principal a burst is counted under. A stolen IAM user key can mint federated
 * sessions under any name (sts:GetFederationToken, allowed by any user policy granting sts:* or
 * *); each session is a new ARN, so a new key, though every call is the same user's key at work.
 */
const T0 = Date.parse("2024-05-01T12:00:00Z");
const federated = (name: string) => ({
  type: "FederatedUser",
  principalId: `${ACCOUNT}:${name}`,
  arn: `arn:aws:sts::${ACCOUNT}:federated-user/${name}`,
  accountId: ACCOUNT,
  accessKeyId: `ASIAFEDERATED${name.toUpperCase().padEnd(7, "0")}`,
  sessionContext: {
    sessionIssuer: { type: "IAMUser", principalId: "AIDAEXAMPLEPRINCIPAL1", arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: "alice" },
    attributes: { creationDate: "2024-05-01T11:59:00Z", mfaAuthenticated: "false" },
  },
});

async function raisedFor(names: (n: number) => string): Promise<number> {
  const analyser = createAnalyser(parseConfig({}, "test"), RULES);
  const counter = memoryWindowCounter();
  let raised = 0;
  for (let n = 0; n < 30; n++) {
    const record = cloudTrailRecord({
      eventSource: "ec2.amazonaws.com",
      eventName: "DescribeInstances",
      eventTime: new Date(T0 + n * 2000).toISOString().replace(/\.000Z$/, "Z"),
      eventID: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
      userIdentity: federated(names(n)),
      errorCode: "Client.UnauthorizedOperation",
      errorMessage: "You are not authorized to perform this operation.",
      readOnly: true,
    });
    const requests = analyser.countsFor(record);
    const findings = findingsOf(analyser.analyse(record, requests.length > 0 ? { counts: await counter.count(requests) } : {}));
    raised += findings.filter((finding) => finding.ruleId === "denied-calls-burst").length;
  }
  return raised;
}

describe("red team: denied-calls-burst keys", () => {
  it("control: thirty refused calls in a minute by one federated session raise once", async () => {
    expect(await raisedFor(() => "s0")).toBe(1);
  });

  it("thirty refused calls in a minute through ten federated sessions of one IAM user raise a burst", async () => {
    expect(await raisedFor((n) => `s${n % 10}`)).toBe(1);
  });
});
