import { describe, expect, it } from "vitest";
import { judgeInOrder } from "../../../../test/support/judge-in-order.js";
import { ACCOUNT, OTHER_ACCOUNT, assumedRole, cloudTrailRecord, eventBridge, findingsOf, iamUser, root } from "../../../../test/support/records.js";
import type { Finding } from "../../model/finding.js";
import { COUNT_KEY_MAX_CHARS } from "../../model/window-counts.js";

const RULE = "denied-calls-burst";
const T0 = Date.parse("2024-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
const SESSION = assumedRole("ci-build-runner", "aws-go-sdk-1688990082523310002", { accessKeyId: "ASIAEXAMPLESESSION01" });
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ci-build-runner/aws-go-sdk-1688990082523310002`;

let serial = 0;
interface Call {
  identity?: unknown;
  seconds?: number;
  eventName?: string;
  eventSource?: string;
  errorCode?: string | undefined;
  overrides?: Record<string, unknown>;
}
/** A refused call as the corpus's stratus runs record it (EC2's error code, read-only). */
function refused({ identity = SESSION, seconds = 0, eventName = "GetPasswordData", eventSource = "ec2.amazonaws.com", errorCode = "Client.UnauthorizedOperation", overrides = {} }: Call = {}) {
  serial += 1;
  return eventBridge(
    cloudTrailRecord({
      eventSource,
      eventName,
      eventTime: at(seconds),
      eventID: `00000000-0000-4000-9000-${String(serial).padStart(12, "0")}`,
      userIdentity: identity,
      sourceIPAddress: "192.168.10.20",
      userAgent: "aws-sdk-go-v2/1.32.6",
      errorCode,
      errorMessage: "You are not authorized to perform this operation.",
      requestParameters: { instanceId: "i-0a1b2c3d4e5f60718" },
      readOnly: true,
      ...overrides,
    }),
  );
}
const burst = (count: number, spacing: number, call: Call = {}, start = 0) => Array.from({ length: count }, (_, index) => refused({ ...call, seconds: start + index * spacing }));

const judge = () => judgeInOrder(RULE);
const raisedAt = (perEvent: Finding[][]) => perEvent.flatMap((findings, index) => (findings.length > 0 ? [index] : []));

describe("denied-calls-burst (CIS CloudWatch.2)", () => {
  it("ten refused calls by one role session in three seconds raise once, on the tenth: medium, alert only, naming who, how many, what, the window", async () => {
    const perEvent = await judge().all(burst(29, 0.1));
    expect(raisedAt(perEvent)).toEqual([9]);
    const [finding, ...rest] = perEvent[9] ?? [];
    expect(rest).toEqual([]);
    // A failed call is capped at low unless the rule says otherwise: this one is medium.
    expect(finding?.severity).toBe("medium");
    expect(finding?.reasons.join(" ")).not.toMatch(/capped/);
    expect(finding?.category).toBe("repeated-failures");
    expect(finding?.actions).toEqual([]);
    expect(finding?.technique.id).toBe("T1580");
    expect(finding?.signals).toEqual(["denied-calls-burst"]);
    expect(finding?.target).toEqual({ kind: "role", name: "ci-build-runner", arn: `arn:aws:iam::${ACCOUNT}:role/ci-build-runner` });
    expect(finding?.summary).toContain('role "ci-build-runner" (session "aws-go-sdk-1688990082523310002")');
    expect(finding?.summary).toContain("10 API calls refused in 5 minutes");
    expect(finding?.summary).toContain('"ec2:GetPasswordData" ("Client.UnauthorizedOperation")');
  });

  it("nine refused calls raise nothing", async () => {
    expect(raisedAt(await judge().all(burst(9, 5)))).toEqual([]);
  });

  it("counts over the last 5 minutes: ten calls whose first and last are 300 s apart do not raise, 297 s apart do", async () => {
    expect(raisedAt(await judge().all(burst(10, 300 / 9)))).toEqual([]);
    expect(raisedAt(await judge().all(burst(10, 33)))).toEqual([9]);
  });

  it("keeps quiet for an hour after raising, then raises again", async () => {
    const perEvent = await judge().all([...burst(40, 3), ...burst(20, 3, {}, 1800), ...burst(12, 3, {}, 3700)]);
    expect(raisedAt(perEvent)).toEqual([9, 69]);
  });

  it("asks for a 5-minute window, threshold 10, an hour's quiet, keyed by account and the session's role", () => {
    const requests = judge().analyser.countsFor(refused({ overrides: { eventID: "e1" } }));
    expect(requests).toEqual([{ key: `${RULE}|principal|${ACCOUNT}|arn:aws:iam::${ACCOUNT}:role/ci-build-runner`, occurrence: "e1", at: T0, windowSeconds: 300, threshold: 10, quietSeconds: 3600 }]);
    expect(SESSION_ARN).toContain("ci-build-runner");
  });

  describe("the principal counted", () => {
    it("a role session stays one caller when its keys change (a refreshed or console session)", async () => {
      const keys = ["ASIAEXAMPLESESSION01", "ASIAEXAMPLESESSION02"];
      const events = Array.from({ length: 10 }, (_, index) =>
        refused({ identity: assumedRole("ci-build-runner", "aws-go-sdk-1688990082523310002", { accessKeyId: keys[index % 2] }), seconds: index }),
      );
      expect(raisedAt(await judge().all(events))).toEqual([9]);
    });

    it("sessions of one role are one caller: a session per call under fresh names does not split a burst", async () => {
      const events = Array.from({ length: 10 }, (_, index) => refused({ identity: assumedRole("ci-build-runner", `session-${index}`), seconds: index }));
      expect(raisedAt(await judge().all(events))).toEqual([9]);
      // Two roles are two callers.
      const two = Array.from({ length: 10 }, (_, index) => refused({ identity: assumedRole(index % 2 ? "ci-build-runner" : "deployer", "s"), seconds: index }));
      expect(raisedAt(await judge().all(two))).toEqual([]);
    });

    it("a user is its ARN, whichever key signed (a long-term key and the session tokens it mints)", async () => {
      const events = Array.from({ length: 10 }, (_, index) => refused({ identity: iamUser("bert-jan", { accessKeyId: index % 2 ? "AKIAEXAMPLEUSERKEY01" : "ASIAEXAMPLETOKEN0001" }), seconds: index, eventSource: "sts.amazonaws.com", eventName: "AssumeRole", errorCode: "AccessDenied" }));
      const perEvent = await judge().all(events);
      expect(raisedAt(perEvent)).toEqual([9]);
      expect(perEvent[9]?.[0]?.target).toMatchObject({ kind: "user", name: "bert-jan" });
      expect(perEvent[9]?.[0]?.summary).toContain('IAM user "bert-jan"');
    });

    it("keys carry the account: the same ARN recorded in two accounts is counted apart", async () => {
      const events = Array.from({ length: 10 }, (_, index) => refused({ seconds: index, overrides: { recipientAccountId: index % 2 ? OTHER_ACCOUNT : ACCOUNT } }));
      expect(raisedAt(await judge().all(events))).toEqual([]);
    });

    it("without an ARN (another account's caller), the principal id's unique id (a role's, for its sessions), then the access key id", () => {
      const { analyser } = judge();
      const keyOf = (identity: unknown) => analyser.countsFor(refused({ identity }))[0]?.key;
      expect(keyOf({ type: "AWSAccount", principalId: "AIDAOTHERACCOUNTUSER", accountId: OTHER_ACCOUNT, accessKeyId: "AKIAOTHERACCOUNTKEY1" })).toBe(`${RULE}|principal|${ACCOUNT}|AIDAOTHERACCOUNTUSER`);
      expect(keyOf({ type: "AWSAccount", principalId: "AROAOTHERACCOUNTROLE:session-7", accountId: OTHER_ACCOUNT, accessKeyId: "ASIAOTHERSESSION0007" })).toBe(`${RULE}|principal|${ACCOUNT}|AROAOTHERACCOUNTROLE`);
      expect(keyOf({ type: "AWSAccount", accountId: OTHER_ACCOUNT, accessKeyId: "AKIAOTHERACCOUNTKEY1" })).toBe(`${RULE}|principal|${ACCOUNT}|AKIAOTHERACCOUNTKEY1`);
      expect(keyOf({ type: "AWSAccount", accountId: OTHER_ACCOUNT })).toBeUndefined();
    });
  });

  describe("what is counted", () => {
    it("read-only refused calls count (discovery is read-only)", async () => {
      expect(raisedAt(await judge().all(burst(10, 1, { eventName: "DescribeInstanceAttribute" })))).toEqual([9]);
    });

    it.each(["AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation"])("errorCode %s counts", (errorCode) => {
      expect(judge().analyser.countsFor(refused({ errorCode }))).toHaveLength(1);
    });

    it.each([
      ["ThrottlingException", { errorCode: "ThrottlingException" }],
      ["NoSuchEntity", { errorCode: "NoSuchEntity" }],
      ["Client.InvalidInstanceID.NotFound", { errorCode: "Client.InvalidInstanceID.NotFound" }],
      ["none (the call succeeded)", { overrides: { errorCode: undefined, errorMessage: undefined } }],
    ] as Array<[string, Call]>)("errorCode %s is no refusal: not counted", async (_what, call) => {
      const { analyser, all } = judge();
      expect(analyser.countsFor(refused(call))).toEqual([]);
      expect(raisedAt(await all(burst(12, 1, call)))).toEqual([]);
    });
  });

  describe("what is not a person's call (CIS CloudWatch.2's exclusions, and services)", () => {
    it.each([
      ["invokedBy: a service on the principal's behalf (30 calls)", { identity: { ...SESSION, invokedBy: "cloudformation.amazonaws.com" } }],
      ["an AWS service principal", { identity: { type: "AWSService", invokedBy: "config.amazonaws.com" } }],
      ["log delivery", { overrides: { sourceIPAddress: "delivery.logs.amazonaws.com" } }],
      ["a service as source address", { overrides: { sourceIPAddress: "cloudformation.amazonaws.com" } }],
      ["HeadBucket", { eventSource: "s3.amazonaws.com", eventName: "HeadBucket", errorCode: "AccessDenied" }],
      ["a service-linked role", { identity: assumedRole("AWSServiceRoleForConfig", "AWSConfig-Describe", { path: "aws-service-role/config.amazonaws.com/" }) }],
    ] as Array<[string, Call]>)("%s: not counted, nothing raised", async (_what, call) => {
      const { analyser, all } = judge();
      expect(analyser.countsFor(refused(call))).toEqual([]);
      expect(raisedAt(await all(burst(30, 1, call)))).toEqual([]);
    });

    it("root's refused calls are root-activity's, each one: not counted here", async () => {
      const { analyser, one, all } = judge();
      const call = { identity: root(), eventSource: "organizations.amazonaws.com", eventName: "LeaveOrganization", errorCode: "AccessDeniedException" };
      expect(analyser.countsFor(refused(call))).toEqual([]);
      expect(raisedAt(await all(burst(12, 1, call)))).toEqual([]);
      expect((await one(refused(call))).map((finding) => finding.ruleId)).toEqual(["root-activity"]);
    });
  });

  describe("hostile and odd records", () => {
    it("a long ARN is bounded in the key, and two stay distinct", () => {
      const { analyser } = judge();
      // A user ARN (path and name) made long; sessions are counted under their role, whose name IAM bounds.
      const keyOf = (name: string) => analyser.countsFor(refused({ identity: iamUser(name, { path: `${"p".repeat(4_000)}/` }) }))[0]?.key ?? "";
      const long = "s".repeat(5_000);
      expect(keyOf(`${long}1`).length).toBeLessThanOrEqual(COUNT_KEY_MAX_CHARS);
      expect(keyOf(`${long}1`)).not.toBe(keyOf(`${long}2`));
    });

    it("names and error codes are data: quoted in the summary", async () => {
      const call = { eventName: 'GetPasswordData"\n[approved]', errorCode: "AccessDenied\u0007" };
      const perEvent = await judge().all(burst(10, 1, call));
      const summary = perEvent[9]?.[0]?.summary ?? "";
      expect(summary).toContain(JSON.stringify('ec2:GetPasswordData"\n[approved]'));
      expect(summary).not.toMatch(/[\n\u0007]/);
    });

    it.each([
      ["no eventTime", { eventTime: undefined }],
      ["an eventTime that is no time", { eventTime: "2024-13-45T99:99:99Z" }],
      ["an account that is no account id", { recipientAccountId: "not-an-account", userIdentity: { ...SESSION, accountId: undefined } }],
      ["no userIdentity", { userIdentity: undefined }],
    ])("%s: not counted, no finding, no crash", async (_what, overrides) => {
      const { analyser, all } = judge();
      expect(analyser.countsFor(refused({ overrides }))).toEqual([]);
      expect(raisedAt(await all(burst(12, 1, { overrides })))).toEqual([]);
    });

    it("without counts (no state kept) it says nothing, even on the tenth", () => {
      const { analyser } = judge();
      const findings = burst(12, 1).flatMap((event) => findingsOf(analyser.analyse(event)));
      expect(findings.filter((finding) => finding.ruleId === RULE)).toEqual([]);
    });
  });
});
