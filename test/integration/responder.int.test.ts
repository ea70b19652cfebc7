import { randomUUID } from "node:crypto";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type ConfigInput, parseConfig } from "../../shared/core/config/config.js";
import { REVOKE_POLICY_NAME } from "../../shared/core/iam/revoke-sessions-policy.js";
import { RULES } from "../../shared/core/rules/registry.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { assumedRole, cloudTrailRecord, eventBridge, iamCall, iamUser, policyJson, root } from "../support/records.js";
import { silentLogger } from "../../shared/edges/log/log.js";
import { MOTO_ACCOUNT, createAlertSink, uniqueName, useMoto } from "./moto-aws.js";

/**
 * End to end against moto_server over HTTP: the real runtime (config -> analyser -> responder
 * -> SNS), real IAM state checked afterwards, alerts read from an SQS queue subscribed to the
 * topic, as an on-call subscriber would get them.
 */
const endpoint = useMoto();
const MEMBER_ACCOUNT = "222233334444";
const RESPONSE_TIME = new Date("2026-11-23T03:04:05.000Z");

describe.skipIf(!endpoint)("responder against moto_server", () => {
  const iam = new IAMClient({ region: "us-east-1" });

  function runtimeWith(config: ConfigInput, topicArn: string) {
    return createRuntime({
      config: parseConfig({ mode: "enforce", alertTopicArn: topicArn, ...config }, "test"),
      rules: RULES,
      logger: silentLogger,
      now: () => RESPONSE_TIME,
    });
  }

  async function userWithKey(client: IAMClient, prefix: string): Promise<{ userName: string; accessKeyId: string }> {
    const userName = uniqueName(prefix);
    await client.send(new CreateUserCommand({ UserName: userName }));
    const { AccessKey } = await client.send(new CreateAccessKeyCommand({ UserName: userName }));
    if (!AccessKey?.AccessKeyId) throw new Error("moto created no key");
    return { userName, accessKeyId: AccessKey.AccessKeyId };
  }

  async function keyStatus(client: IAMClient, userName: string, accessKeyId: string): Promise<string | undefined> {
    const { AccessKeyMetadata } = await client.send(new ListAccessKeysCommand({ UserName: userName }));
    return AccessKeyMetadata?.find((key) => key.AccessKeyId === accessKeyId)?.Status;
  }

  function backdoorKeyEvent(account: string, creator: Record<string, unknown>, userName: string, accessKeyId: string, extra: Record<string, unknown> = {}) {
    return eventBridge(
      iamCall(
        "CreateAccessKey",
        { userName },
        {
          eventID: randomUUID(),
          recipientAccountId: account,
          userIdentity: creator,
          responseElements: { accessKey: { accessKeyId, userName, status: "Active", createDate: "Nov 23, 2026 3:04:00 AM" } },
          ...extra,
        },
      ),
    );
  }

  it("deactivates a backdoor key created for another user, and the alert says so", async () => {
    const sink = await createAlertSink();
    const { userName, accessKeyId } = await userWithKey(iam, "bob");
    const outcome = await runtimeWith({}, sink.topicArn).handle(
      backdoorKeyEvent(MOTO_ACCOUNT, iamUser("alice", { account: MOTO_ACCOUNT, accessKeyId: "AKIAALICEKEY00000001" }), userName, accessKeyId),
    );

    expect(await keyStatus(iam, userName, accessKeyId)).toBe("Inactive");
    expect(outcome.findings[0]?.actions).toEqual([expect.objectContaining({ type: "deactivate-access-key", status: "done" })]);
    const [alert, ...extra] = await sink.receive(1);
    expect(extra).toEqual([]);
    expect(alert?.Subject).toMatch(new RegExp(`^\\[HIGH\\] alice created an access key for ${userName} in ${MOTO_ACCOUNT}`));
    expect(alert?.MessageAttributes?.severity?.Value).toBe("high");
    expect(alert?.MessageAttributes?.category?.Value).toBe("access-key");
    expect(alert?.MessageAttributes?.ruleId?.Value).toBe("access-key-created");
    expect(alert?.MessageAttributes?.account?.Value).toBe(MOTO_ACCOUNT);
    expect(alert?.Email).toMatch(new RegExp(`DONE deactivate-access-key on access key "${accessKeyId}" of user "${userName}"`));
    expect(alert?.Email).toContain("arn:aws:iam::123456789012:user/alice");
  });

  it("revokes the sessions of a role that opened a trust policy to everyone, with exactly the documented policy", async () => {
    const sink = await createAlertSink();
    const roleName = uniqueName("ops-admin");
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policyJson({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }) }));
    const event = eventBridge(
      iamCall(
        "UpdateAssumeRolePolicy",
        { roleName: "data-export", policyDocument: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) },
        { eventID: randomUUID(), recipientAccountId: MOTO_ACCOUNT, userIdentity: assumedRole(roleName, "jane", { account: MOTO_ACCOUNT }) },
      ),
    );
    await runtimeWith({}, sink.topicArn).handle(event);

    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    const raw = PolicyDocument ?? "";
    const decoded: unknown = JSON.parse(raw.startsWith("{") ? raw : decodeURIComponent(raw));
    expect(decoded).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenySessionsIssuedBeforeContainment",
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-23T03:04:05.000Z" } },
        },
      ],
    });
    const [alert] = await sink.receive(1);
    expect(alert?.Subject).toMatch(new RegExp(`^\\[CRITICAL\\] ${roleName}/jane changed the trust policy of role .* in ${MOTO_ACCOUNT}`));
    expect(alert?.MessageAttributes?.severity?.Value).toBe("critical");
    expect(alert?.Email).toContain(`DONE revoke-sessions on role "${roleName}"`);
  });

  it("re-running the containment refreshes the cut-off time instead of adding policies", async () => {
    const sink = await createAlertSink();
    const roleName = uniqueName("builder");
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policyJson({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }) }));
    const grant = (id: string) =>
      eventBridge(
        iamCall(
          "PutRolePolicy",
          { roleName, policyName: "debug", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) },
          { eventID: id, recipientAccountId: MOTO_ACCOUNT, userIdentity: assumedRole(roleName, "ci", { account: MOTO_ACCOUNT }) },
        ),
      );
    await runtimeWith({}, sink.topicArn).handle(grant(randomUUID()));
    const later = createRuntime({ rules: RULES,
      config: parseConfig({ mode: "enforce", alertTopicArn: sink.topicArn }, "test"),
      logger: silentLogger,
      now: () => new Date("2026-11-23T05:00:00.000Z"),
    });
    await later.handle(grant(randomUUID()));
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    expect(PolicyNames).toEqual([REVOKE_POLICY_NAME]);
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    expect(decodeURIComponent(PolicyDocument ?? "")).toContain("2026-11-23T05:00:00.000Z");
    expect(await sink.receive(2)).toHaveLength(2);
  });

  it("changes nothing for an allowlisted actor, a failed call, or root, and still alerts", async () => {
    const sink = await createAlertSink();
    const allowlisted = await userWithKey(iam, "svc-a");
    const failed = await userWithKey(iam, "svc-b");
    const byRoot = await userWithKey(iam, "svc-c");
    const runtime = runtimeWith({ allowlist: [`arn:aws:iam::${MOTO_ACCOUNT}:user/automation-*`] }, sink.topicArn);

    const allowOutcome = await runtime.handle(
      backdoorKeyEvent(MOTO_ACCOUNT, iamUser("automation-keys", { account: MOTO_ACCOUNT }), allowlisted.userName, allowlisted.accessKeyId),
    );
    const failOutcome = await runtime.handle(
      backdoorKeyEvent(MOTO_ACCOUNT, iamUser("mallory", { account: MOTO_ACCOUNT }), failed.userName, failed.accessKeyId, {
        errorCode: "AccessDenied",
        errorMessage: "not authorized",
      }),
    );
    const rootOutcome = await runtime.handle(backdoorKeyEvent(MOTO_ACCOUNT, root({ account: MOTO_ACCOUNT }), byRoot.userName, byRoot.accessKeyId));
    const rootSignIn = await runtime.handle(
      eventBridge(
        cloudTrailRecord({
          eventID: randomUUID(),
          eventSource: "signin.amazonaws.com",
          eventName: "ConsoleLogin",
          recipientAccountId: MOTO_ACCOUNT,
          userIdentity: root({ account: MOTO_ACCOUNT }),
          responseElements: { ConsoleLogin: "Success" },
          additionalEventData: { MFAUsed: "No" },
        }),
        "AWS Console Sign In via CloudTrail",
      ),
    );

    for (const { userName, accessKeyId } of [allowlisted, failed, byRoot]) expect(await keyStatus(iam, userName, accessKeyId)).toBe("Active");
    const { PolicyNames } = await iam.send(new ListUserPoliciesCommand({ UserName: byRoot.userName }));
    expect(PolicyNames).toEqual([]);
    expect(allowOutcome.findings[0]?.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("allowlisted") });
    expect(failOutcome.findings[0]?.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("call failed") });
    expect(rootOutcome.findings.every((finding) => finding.actions.every((action) => action.status === "skipped"))).toBe(true);
    expect(rootSignIn.findings.map((finding) => finding.severity)).toEqual(["critical"]);

    // Allowlisted (high) and root's key creation (critical, with root activity: one event, one
    // alert) page; root's sign-in (critical) updates root's incident; the failed call is low,
    // under the threshold.
    const alerts = await sink.receive(3);
    expect(alerts.map((alert) => [alert.MessageAttributes?.alertKind?.Value, alert.Subject])).toEqual([
      ["page", expect.stringMatching(new RegExp(`^\\[HIGH\\] automation-keys created an access key for ${allowlisted.userName} in ${MOTO_ACCOUNT}`))],
      ["page", expect.stringMatching(new RegExp(`^\\[CRITICAL\\] root created an access key for ${byRoot.userName} \\(\\+1 more finding\\) in ${MOTO_ACCOUNT}`))],
      ["update", expect.stringMatching(new RegExp(`^Re: \\[CRITICAL\\] root created an access key for ${byRoot.userName}`))],
    ]);
    const rootKey = JSON.parse(alerts[1]!.Message) as { findings: Array<{ ruleId: string }> };
    expect(rootKey.findings.map((finding) => finding.ruleId)).toEqual(["access-key-created", "root-activity"]);
    const allowAlert = alerts.find((alert) => alert.Subject?.startsWith("[HIGH]"));
    expect(allowAlert?.Email).toMatch(/SKIPPED deactivate-access-key .*allowlisted/);
  });

  it("acts in a managed member account through the assumed member role, and refuses unmanaged accounts", async () => {
    const sink = await createAlertSink();
    const sts = new STSClient({ region: "us-east-1" });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/trailguard-member-responder`, RoleSessionName: "test-setup" }),
    );
    const member = new IAMClient({
      region: "us-east-1",
      credentials: { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken },
    });
    const inMember = await userWithKey(member, "dev");
    const runtime = runtimeWith({ managedAccounts: [MEMBER_ACCOUNT] }, sink.topicArn);
    const outcome = await runtime.handle(
      backdoorKeyEvent(MEMBER_ACCOUNT, iamUser("intruder", { account: MEMBER_ACCOUNT }), inMember.userName, inMember.accessKeyId),
    );
    expect(outcome.findings[0]?.actions[0]).toMatchObject({ status: "done", reason: expect.stringContaining("via trailguard-member-responder") });
    expect(await keyStatus(member, inMember.userName, inMember.accessKeyId)).toBe("Inactive");
    // The user exists only in the member account: the responder did not act in its own.
    await expect(iam.send(new ListAccessKeysCommand({ UserName: inMember.userName }))).rejects.toThrow(/cannot be found|NoSuchEntity/);

    const unmanaged = await runtime.handle(backdoorKeyEvent("333344445555", iamUser("x", { account: "333344445555" }), "someone", "AKIAUNMANAGEDKEY0001"));
    expect(unmanaged.findings[0]?.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("not managed") });
    expect(await sink.receive(2)).toHaveLength(2);
  });

  it("the deployed handler module works from its environment alone", async () => {
    const sink = await createAlertSink();
    const { userName, accessKeyId } = await userWithKey(iam, "carol");
    process.env.ALERT_TOPIC_ARN = sink.topicArn;
    process.env.TRAILGUARD_MODE = "enforce";
    const { handler } = await import("../../functions/iam-responder.js");
    // Its logs go to stdout, as in Lambda (to CloudWatch): checked here rather than printed.
    const logged: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => logged.push(String(chunk)) > 0) as typeof process.stdout.write);
    let result: unknown;
    try {
      result = await handler(
        backdoorKeyEvent(MOTO_ACCOUNT, iamUser("alice", { account: MOTO_ACCOUNT }), userName, accessKeyId) as unknown as Parameters<typeof handler>[0],
      );
    } finally {
      stdout.mockRestore();
    }
    expect(result).toEqual({ status: "analysed", findings: 1, published: 1 });
    const lines = logged.join("").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(["finding", "alert published"]);
    expect(await keyStatus(iam, userName, accessKeyId)).toBe("Inactive");
    expect(await sink.receive(1)).toHaveLength(1);
  });
});
