import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { type ConfigInput, parseConfig } from "../../shared/core/config/config.js";
import { REVOKE_POLICY_NAME } from "../../shared/core/iam/revoke-sessions-policy.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { releaseContainment } from "../../shared/edges/aws/release-containment.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { assumedRole, eventBridge, iamCall, iamUser, policyJson } from "../support/records.js";
import { silentLogger } from "../../shared/edges/log/log.js";
import { MOTO_ACCOUNT, createAlertSink, createTrailguardTable, uniqueName, useMoto } from "./moto-aws.js";
import { RULES } from "../../shared/core/rules/registry.js";

/**
 * Containment end states in IAM (issue #13), against moto_server over HTTP: the real runtime
 * (analyse -> plan -> respond -> ledger -> SNS), IAM read back afterwards.
 */
const endpoint = useMoto();
const DENY_ALL = "arn:aws:iam::aws:policy/AWSDenyAll";
const NOW = new Date("2026-11-26T03:04:05.000Z");
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

describe.skipIf(!endpoint)("containment end states in IAM (moto_server)", () => {
  const iam = new IAMClient({ region: "us-east-1" });
  let table: string;
  let topicArn: string;
  let receive: (expected: number) => Promise<Array<{ Subject?: string; Message: string; Email: string }>>;

  beforeAll(async () => {
    table = await createTrailguardTable("trailguard-table");
    const sink = await createAlertSink();
    topicArn = sink.topicArn;
    receive = sink.receive;
  });

  function runtime(config: ConfigInput = {}) {
    return createRuntime({ rules: RULES,
      config: parseConfig({ mode: "enforce", alertTopicArn: topicArn, idempotencyTable: table, ...config }, "test"),
      logger: silentLogger,
      now: () => NOW,
    });
  }

  async function user(prefix: string, options: { keys?: number; password?: boolean; path?: string } = {}) {
    const userName = uniqueName(prefix);
    await iam.send(new CreateUserCommand({ UserName: userName, ...(options.path ? { Path: options.path } : {}) }));
    const keys: string[] = [];
    for (let i = 0; i < (options.keys ?? 1); i++) {
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      keys.push(AccessKey?.AccessKeyId ?? "");
    }
    if (options.password) await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: "Correct-Horse-9!" }));
    return { userName, keys };
  }

  async function role(prefix: string, path?: string) {
    const roleName = uniqueName(prefix);
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        ...(path ? { Path: path } : {}),
        AssumeRolePolicyDocument: policyJson({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      }),
    );
    return roleName;
  }

  async function userState(userName: string) {
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
    const attached = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? [];
    const inline = (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
    return { keys: keys.map((key) => key.Status), attached: attached.map((policy) => policy.PolicyArn), inline };
  }

  async function roleState(roleName: string) {
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
    const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    return { attached: attached.map((policy) => policy.PolicyArn), inline };
  }

  const UNTOUCHED_USER = (keys: number) => ({ keys: Array.from({ length: keys }, () => "Active"), attached: [], inline: [] });
  const QUARANTINED = (keys: number) => ({ keys: Array.from({ length: keys }, () => "Inactive"), attached: [DENY_ALL], inline: [REVOKE_POLICY_NAME] });

  function event(eventName: string, params: Record<string, unknown>, identity: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return eventBridge(iamCall(eventName, params, { eventID: randomUUID(), recipientAccountId: MOTO_ACCOUNT, userIdentity: identity, ...extra }));
  }

  it("an IAM user with two keys and a console password granting admin to another user: both quarantined, nothing deleted", async () => {
    const mallory = await user("mallory", { keys: 2, password: true });
    const newadmin = await user("newadmin", { keys: 1 });
    const outcome = await runtime().handle(
      event("AttachUserPolicy", { userName: newadmin.userName, policyArn: ADMIN }, iamUser(mallory.userName, { account: MOTO_ACCOUNT, accessKeyId: mallory.keys[0] })),
    );
    expect(outcome.findings[0]?.actions.map((action) => action.status)).toEqual(Array.from({ length: 7 }, () => "done"));
    expect(await userState(mallory.userName)).toEqual(QUARANTINED(2));
    expect(await userState(newadmin.userName)).toEqual(QUARANTINED(1));
    // The password still exists (evidence, and the deny already stops every use of it).
    expect((await iam.send(new GetLoginProfileCommand({ UserName: mallory.userName }))).LoginProfile?.UserName).toBe(mallory.userName);
    // The alert says what was done and how to release exactly that.
    const alert = (await receive(1)).find((message) => message.Email.includes(mallory.userName));
    expect(alert?.Email).toContain(`npm run release -- '${outcome.findings[0]?.findingId}'`);
    expect(alert?.Email).toContain(`aws iam update-access-key --user-name ${mallory.userName} --access-key-id ${mallory.keys[1]} --status Active`);
    expect(alert?.Email).toContain(`aws iam detach-user-policy --user-name ${newadmin.userName} --policy-arn ${DENY_ALL}`);
    expect(alert?.Email).toMatch(/DONE attach-deny-policy on user/);
  });

  it("a role session opening a trust policy to everyone: the actor's sessions revoked, the opened role shut until released", async () => {
    const actorRole = await role("ci-deployer");
    const opened = await role("payments");
    const open = policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" });
    const outcome = await runtime().handle(event("UpdateAssumeRolePolicy", { roleName: opened, policyDocument: open }, assumedRole(actorRole, "run-7", { account: MOTO_ACCOUNT })));
    expect(outcome.findings[0]?.severity).toBe("critical");
    expect(await roleState(actorRole)).toEqual({ attached: [], inline: [REVOKE_POLICY_NAME] });
    expect(await roleState(opened)).toEqual({ attached: [DENY_ALL], inline: [REVOKE_POLICY_NAME] });
  });

  it("CloudFormation acting for an engineer: the engineer keeps every key and gets no policy; the alert says why", async () => {
    const engineer = await user("engineer", { keys: 1 });
    const stackUser = await user("deploy-bot", { keys: 1 });
    const identity = { ...iamUser(engineer.userName, { account: MOTO_ACCOUNT, accessKeyId: engineer.keys[0] }), invokedBy: "cloudformation.amazonaws.com" };
    const outcome = await runtime().handle(event("AttachUserPolicy", { userName: stackUser.userName, policyArn: ADMIN }, identity));
    expect(outcome.findings[0]?.severity).toBe("critical");
    expect(await userState(engineer.userName)).toEqual(UNTOUCHED_USER(1));
    expect(await userState(stackUser.userName)).toEqual({ keys: ["Active"], attached: [], inline: [] });
    const alerts = await receive(1);
    const alert = alerts.find((message) => message.Email.includes(engineer.userName));
    expect(alert?.Email).toMatch(/cloudformation\.amazonaws\.com made this call on the actor's behalf/);
  });

  it("an Identity Center session: no IAM change to its role, the alert says how to revoke it in Identity Center, the new admin is contained", async () => {
    const ssoRole = await role("AWSReservedSSO_Admin_0123456789abcdef", "/aws-reserved/sso.amazonaws.com/");
    const newadmin = await user("newadmin", { keys: 1 });
    const sso = assumedRole(ssoRole, "mallory@example.com", { account: MOTO_ACCOUNT, path: "aws-reserved/sso.amazonaws.com/" });
    const outcome = await runtime().handle(event("AttachUserPolicy", { userName: newadmin.userName, policyArn: ADMIN }, sso));
    expect(await roleState(ssoRole)).toEqual({ attached: [], inline: [] });
    expect(await userState(newadmin.userName)).toEqual(QUARANTINED(1));
    expect(outcome.findings[0]?.actions[0]?.reason).toMatch(/IAM Identity Center.*Active sessions/);
    const alerts = await receive(1);
    expect(alerts.some((message) => message.Email.includes("IAM Identity Center session") && message.Email.includes(newadmin.userName))).toBe(true);
  });

  it("an allowlisted user with a path is never touched, as actor or as target, by full ARN or by a wildcard over its path", async () => {
    const breakglass = await user("breakglass", { keys: 1, path: "/admins/" });
    const victim = await user("victim", { keys: 1 });
    const fullArn = `arn:aws:iam::${MOTO_ACCOUNT}:user/admins/${breakglass.userName}`;
    // A full ARN names one user: matched by name without regard to case, as IAM does (the request
    // may spell it in upper case). A wildcard is matched against the real ARN read from IAM
    // (moto, unlike IAM, looks names up case-sensitively, so that request uses the real case).
    const cases: Array<[string[], string]> = [
      [[fullArn], breakglass.userName.toUpperCase()],
      [[`arn:aws:iam::${MOTO_ACCOUNT}:user/admins/*`], breakglass.userName],
    ];
    for (const [allowlist, spelled] of cases) {
      await runtime({ allowlist }).handle(
        event("AttachUserPolicy", { userName: victim.userName, policyArn: ADMIN }, iamUser(breakglass.userName, { account: MOTO_ACCOUNT, path: "admins/", accessKeyId: breakglass.keys[0] })),
      );
      // Someone else reactivating break-glass's key: the event names the user without its path.
      const outcome = await runtime({ allowlist }).handle(
        event("UpdateAccessKey", { userName: spelled, accessKeyId: breakglass.keys[0], status: "Active" }, iamUser(victim.userName, { account: MOTO_ACCOUNT })),
      );
      expect(outcome.findings[0]?.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/allowlisted/) });
      expect(await userState(breakglass.userName)).toEqual(UNTOUCHED_USER(1));
    }
  });

  it("a failed call changes nothing", async () => {
    const mallory = await user("mallory", { keys: 1 });
    const newadmin = await user("newadmin", { keys: 1 });
    await runtime().handle(
      event("AttachUserPolicy", { userName: newadmin.userName, policyArn: ADMIN }, iamUser(mallory.userName, { account: MOTO_ACCOUNT, accessKeyId: mallory.keys[0] }), {
        errorCode: "AccessDenied",
        errorMessage: "not authorized",
      }),
    );
    expect(await userState(mallory.userName)).toEqual(UNTOUCHED_USER(1));
    expect(await userState(newadmin.userName)).toEqual(UNTOUCHED_USER(1));
  });

  describe("release", () => {
    async function containUser(): Promise<{ mallory: { userName: string; keys: string[] }; other: { userName: string; keys: string[] }; finding: Finding }> {
      const mallory = await user("mallory", { keys: 2 });
      const other = await user("other", { keys: 1 });
      const outcome = await runtime().handle(
        event("AttachUserPolicy", { userName: other.userName, policyArn: ADMIN }, iamUser(mallory.userName, { account: MOTO_ACCOUNT, accessKeyId: mallory.keys[0] })),
      );
      expect(await userState(mallory.userName)).toEqual(QUARANTINED(2));
      return { mallory, other, finding: outcome.findings[0] as Finding };
    }

    it("undoes exactly what trailguard did, and the release's own calls are not contained again", async () => {
      const { mallory, finding } = await containUser();
      const report = await releaseContainment({ tableName: table, target: finding.findingId, now: () => NOW });
      expect(report.containments).toHaveLength(1);
      expect(report.containments[0]?.results.every((result) => result.status === "undone")).toBe(true);
      expect(await userState(mallory.userName)).toEqual(UNTOUCHED_USER(2));

      // The CloudTrail events the release produced reach the responder: recognised, not contained.
      const { Arn: releaser } = await new STSClient({}).send(new GetCallerIdentityCommand({}));
      const releaserIdentity = { type: "IAMUser", arn: releaser, accountId: MOTO_ACCOUNT, userName: releaser?.split("/").pop(), accessKeyId: "AKIARELEASERKEY00001" };
      const reactivated = await runtime().handle(event("UpdateAccessKey", { userName: mallory.userName, accessKeyId: mallory.keys[1], status: "Active" }, releaserIdentity));
      expect(reactivated.findings[0]?.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/release of finding/) });
      const removed = await runtime().handle(event("DeleteUserPolicy", { userName: mallory.userName, policyName: REVOKE_POLICY_NAME }, releaserIdentity));
      expect(removed.findings[0]?.severity).toBe("critical");
      expect(removed.findings[0]?.actions.every((action) => action.status === "skipped" && /release of finding/.test(action.reason))).toBe(true);
      expect(await userState(mallory.userName)).toEqual(UNTOUCHED_USER(2));

      // The ledger says it is released: a second release finds nothing.
      await expect(releaseContainment({ tableName: table, target: finding.findingId, now: () => NOW })).rejects.toThrow(/no unreleased containment/);
    });

    it("releasing one principal releases only that principal; someone else reactivating its key is contained as before", async () => {
      const { mallory, other, finding } = await containUser();
      await releaseContainment({ tableName: table, target: `arn:aws:iam::${MOTO_ACCOUNT}:user/${mallory.userName}`, now: () => NOW });
      expect(await userState(mallory.userName)).toEqual(UNTOUCHED_USER(2));
      // The other principal of the same finding stays contained (it may be the attacker).
      expect(await userState(other.userName)).toEqual(QUARANTINED(1));
      const attacker = iamUser("attacker", { account: MOTO_ACCOUNT, accessKeyId: "AKIAATTACKERKEY00001" });
      const outcome = await runtime().handle(event("UpdateAccessKey", { userName: mallory.userName, accessKeyId: mallory.keys[1], status: "Active" }, attacker));
      expect(outcome.findings[0]?.actions[0]).toMatchObject({ type: "deactivate-access-key", status: "done" });
      expect((await userState(mallory.userName)).keys).toEqual(["Active", "Inactive"]);
      expect(finding.findingId).toMatch(/managed-policy-attached$/);
    });

    it("releasing one finding leaves what another unreleased finding still holds shut", async () => {
      const { mallory, other, finding } = await containUser();
      // A second incident by the same user: its keys are found inactive, the deny already there.
      const second = await runtime().handle(
        event("PutUserPolicy", { userName: mallory.userName, policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, iamUser(mallory.userName, { account: MOTO_ACCOUNT, accessKeyId: mallory.keys[0] })),
      );
      expect(second.findings[0]?.severity).toBe("critical");
      const report = await releaseContainment({ tableName: table, target: finding.findingId, now: () => NOW });
      const results = report.containments[0]?.results ?? [];
      const about = (name: string) => results.filter((result) => JSON.stringify(result.step).includes(`"${name}"`)).map((result) => result.status);
      // mallory's containment is still needed by the second finding; the first one's new admin is released.
      expect(about(mallory.userName)).toEqual(["kept", "kept", "kept", "kept"]);
      expect(about(other.userName)).toEqual(["undone", "undone", "undone"]);
      expect(await userState(other.userName)).toEqual(UNTOUCHED_USER(1));
      expect(await userState(mallory.userName)).toEqual(QUARANTINED(2));
    });

    it("records what it changed in the ledger, and a dry-run release changes nothing", async () => {
      const { mallory, finding } = await containUser();
      const item = await new DynamoDBClient({}).send(new GetItemCommand({ TableName: table, Key: { id: { S: `trailguard.containment#${finding.findingId}` } } }));
      // mallory: the key used, her other key, the deny policy, the revoke policy; the new admin:
      // its key, the deny policy, the revoke policy. Nothing it found already so.
      expect(JSON.parse(item.Item?.undo?.S ?? "[]").map((step: { kind: string }) => step.kind)).toEqual([
        "reactivate-access-key",
        "reactivate-access-key",
        "detach-policy",
        "delete-inline-policy",
        "reactivate-access-key",
        "detach-policy",
        "delete-inline-policy",
      ]);
      const report = await releaseContainment({ tableName: table, target: finding.findingId, dryRun: true, now: () => NOW });
      expect(report.containments[0]?.results.every((result) => result.status === "would")).toBe(true);
      expect(await userState(mallory.userName)).toEqual(QUARANTINED(2));
    });
  });
});
