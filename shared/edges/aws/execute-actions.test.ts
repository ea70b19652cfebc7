import { Readable } from "node:stream";
import {
  AttachUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConfigInput, parseConfig } from "../../core/config/config.js";
import type { Finding } from "../../core/model/finding.js";
import { AlertDeliveryError, handleEvent } from "../../core/engine/handle-event.js";
import { createAnalyser } from "../../core/engine/analyse.js";
import { buildAlertMessage } from "../../core/report/alert-message.js";
import { alertOf } from "../../../test/support/alerts.js";
import { ACCOUNT, assumedRole, eventBridge, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { silentLogger } from "../log/log.js";
import { createAccountClients } from "./account-clients.js";
import { executeActions } from "./execute-actions.js";
import { RULES } from "../../core/rules/registry.js";

/**
 * Fault paths moto_server cannot produce. aws-sdk-client-mock stands in for IAM and STS where
 * the point is how an AWS error is reported; a fake HTTP transport under the real SDK client
 * shows that throttling and 5xx are retried by the SDK itself.
 */
const NOW = new Date("2026-11-23T03:00:00.000Z");
const SELF_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/trailguard-responder/handler`;
const KEYS: Record<string, string[]> = { bob: ["AKIABOBNEWKEY0000001"], mallory: ["AKIAMALLORYKEY000001", "AKIAMALLORYKEY000002"], eve: [] };

const backdoor = eventBridge(
  iamCall("CreateAccessKey", { userName: "bob" }, { responseElements: { accessKey: { accessKeyId: "AKIABOBNEWKEY0000001", userName: "bob" } } }),
);
const adminGrantByRole = eventBridge(
  iamCall(
    "PutRolePolicy",
    { roleName: "app", policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) },
    { userIdentity: assumedRole("deployer", "sam") },
  ),
);

function context(config: ConfigInput = {}, clientConfig?: Record<string, unknown>) {
  return {
    config: parseConfig({ mode: "enforce", ...config }, "test"),
    clients: createAccountClients({ region: "us-east-1", memberRoleName: "trailguard-member-responder", now: () => NOW, clientConfig }),
    now: () => NOW,
  };
}

describe("responder fault paths (aws-sdk-client-mock)", () => {
  const iam = mockClient(IAMClient);
  const sts = mockClient(STSClient);
  beforeEach(() => {
    iam.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: SELF_ARN, UserId: "AROAEXAMPLE:handler" });
    // IAM as it stands before the response: the principals exist, their keys are active.
    iam.on(GetUserCommand).callsFake((input: { UserName: string }) => ({ User: { UserName: input.UserName, Arn: `arn:aws:iam::${ACCOUNT}:user/${input.UserName}` } }));
    iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({ Role: { RoleName: input.RoleName, Arn: `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}` } }));
    iam.on(ListAccessKeysCommand).callsFake((input: { UserName: string }) => ({ AccessKeyMetadata: (KEYS[input.UserName] ?? []).map((id) => ({ AccessKeyId: id, Status: "Active" })) }));
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  });
  afterEach(() => {
    iam.reset();
    sts.reset();
  });
  afterAll(() => {
    iam.restore();
    sts.restore();
  });

  it("always names the user when deactivating (IAM would otherwise act on the caller's own keys)", async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context());
    expect(finding.actions).toEqual([expect.objectContaining({ status: "done" })]);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((call) => call.args[0].input)).toEqual([
      { UserName: "bob", AccessKeyId: "AKIABOBNEWKEY0000001", Status: "Inactive" },
    ]);
  });

  it.each([
    ["AccessDenied", "User is not authorized to perform iam:UpdateAccessKey"],
    ["NoSuchEntity", "The Access Key with id AKIABOBNEWKEY0000001 cannot be found"],
    ["ServiceUnavailable", "Service is unavailable"],
  ])("reports %s as a failed action and the alert still goes out, saying so", async (name, message) => {
    iam.on(UpdateAccessKeyCommand).rejects(Object.assign(new Error(message), { name }));
    const published: Finding[] = [];
    const ctx = context();
    const outcome = await handleEvent(backdoor, {
      config: ctx.config,
      analyser: createAnalyser(ctx.config, RULES),
      respond: (finding) => executeActions(finding, ctx),
      publish: async (findings) => {
        published.push(...findings);
        return { messageId: "message-1", kind: "page", incidentId: "TG-000000000000" };
      },
      logger: silentLogger,
      now: () => new Date(),
    });
    expect(outcome.findings[0]?.actions[0]).toMatchObject({ status: "failed", reason: `${name}: ${message}` });
    expect(published).toHaveLength(1);
    const email = (JSON.parse(buildAlertMessage(alertOf(published), { httpsFormat: "json" }).message) as { email: string }).email;
    expect(email).toContain(`FAILED deactivate-access-key on access key "AKIABOBNEWKEY0000001" of user "bob" in ${ACCOUNT}: ${name}`);
  });

  it("on LimitExceeded reports that sessions were NOT revoked and what to do instead", async () => {
    iam.on(PutRolePolicyCommand).rejects(Object.assign(new Error("Cannot exceed quota for PoliciesPerRole: 10240"), { name: "LimitExceededException" }));
    const finding = await executeActions(findingOf(adminGrantByRole, "policy-document-grant"), context());
    expect(finding.actions[0]).toMatchObject({ type: "revoke-sessions", status: "failed" });
    expect(finding.actions[0]?.reason).toMatch(/LimitExceeded: .*sessions were NOT revoked.*AWSDenyAll/);
  });

  it("quarantines an IAM user: the key it used, its other keys, the deny policy, and its sessions", async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    iam.on(AttachUserPolicyCommand).resolves({});
    const grant = eventBridge(
      iamCall("AttachUserPolicy", { userName: "eve", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { userIdentity: iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" }) }),
    );
    const finding = await executeActions(findingOf(grant, "managed-policy-attached"), context());
    const onMallory = finding.actions.filter((action) => "userName" in action.target && action.target.userName === "mallory");
    expect(onMallory.map((action) => `${action.type}:${action.status}`)).toEqual([
      "deactivate-access-key:done",
      "deactivate-user-keys:done",
      "attach-deny-policy:done",
      "revoke-sessions:done",
    ]);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((call) => call.args[0].input).filter((input) => input.UserName === "mallory")).toEqual([
      { UserName: "mallory", AccessKeyId: "AKIAMALLORYKEY000001", Status: "Inactive" },
      // The mock still lists the first key as active: each step reads IAM itself.
      { UserName: "mallory", AccessKeyId: "AKIAMALLORYKEY000001", Status: "Inactive" },
      { UserName: "mallory", AccessKeyId: "AKIAMALLORYKEY000002", Status: "Inactive" },
    ]);
    expect(iam.commandCalls(AttachUserPolicyCommand).map((call) => call.args[0].input)).toContainEqual({ UserName: "mallory", PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll" });
    const put = iam.commandCalls(PutUserPolicyCommand)[0]?.args[0].input;
    expect(put?.UserName).toBe("mallory");
    expect(JSON.parse(put?.PolicyDocument ?? "{}")).toMatchObject({ Statement: [{ Condition: { DateLessThan: { "aws:TokenIssueTime": NOW.toISOString() } } }] });
  });

  it("never puts the deny policy on its own role", async () => {
    const selfGrant = eventBridge(
      iamCall("PutRolePolicy", { roleName: "x", policyName: "y", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { userIdentity: assumedRole("trailguard-responder", "other-session") }),
    );
    const finding = await executeActions(findingOf(selfGrant, "policy-document-grant"), context());
    expect(finding.actions[0]).toMatchObject({ status: "skipped", reason: "the target is trailguard's own responder role" });
    // The role it made admin ("x") is contained; trailguard's own role never is.
    expect(iam.commandCalls(PutRolePolicyCommand).map((call) => call.args[0].input.RoleName)).toEqual(["x"]);
  });

  it("re-checks the allowlist against the real ARN from IAM: a wildcard over a path the event does not show", async () => {
    iam.on(GetUserCommand).resolves({ User: { UserName: "bob", Arn: `arn:aws:iam::${ACCOUNT}:user/breakglass/bob`, Path: "/breakglass/", UserId: "AIDAX", CreateDate: NOW } });
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context({ allowlist: [`arn:aws:iam::${ACCOUNT}:user/breakglass/*`] }));
    expect(finding.actions[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/allowlisted .*matched against arn:aws:iam::111122223333:user\/breakglass\/bob/) });
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it("never changes a role IAM shows under an AWS-managed path, whatever the event called it", async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: "app", Arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/app`, Path: "/aws-reserved/sso.amazonaws.com/", RoleId: "AROAX", CreateDate: NOW, AssumeRolePolicyDocument: "{}" } });
    const finding = await executeActions(findingOf(adminGrantByRole, "policy-document-grant"), context());
    const onApp = finding.actions.find((action) => action.target.kind === "role" && action.target.roleName === "app");
    expect(onApp).toMatchObject({ status: "skipped", reason: expect.stringMatching(/identity-center role: AWS manages it/) });
  });

  it("records exactly what it changed, so a release undoes that and nothing more", async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: "AKIABOBNEWKEY0000001", Status: "Inactive" }] });
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context());
    expect(finding.actions[0]).toMatchObject({ status: "done", reason: expect.stringMatching(/already inactive/) });
    expect(finding.actions[0]?.undo).toBeUndefined();
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it.each([
    ["off", "skipped", /response is off/],
    ["dry-run", "dry-run", /dry-run: would deactivate-access-key/],
  ] as const)("mode %s calls nothing in AWS", async (mode, status, reason) => {
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context({ mode }));
    expect(finding.actions[0]).toMatchObject({ status, reason: expect.stringMatching(reason) });
    expect(iam.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it("a per-rule mode overrides the global one", async () => {
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context({ mode: "enforce", ruleModes: { "access-key-created": "dry-run" } }));
    expect(finding.actions[0]?.status).toBe("dry-run");
    expect(iam.calls()).toHaveLength(0);
  });

  it("fails the action, not the invocation, when the responder cannot learn its own identity", async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), context());
    expect(finding.actions[0]).toMatchObject({ status: "failed", reason: expect.stringContaining("own identity") });
  });

  it("fails the invocation when an alert cannot be published, after the actions ran", async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    const ctx = context();
    const run = handleEvent(backdoor, {
      config: ctx.config,
      analyser: createAnalyser(ctx.config, RULES),
      respond: (finding) => executeActions(finding, ctx),
      publish: async () => {
        throw Object.assign(new Error("Topic does not exist"), { name: "NotFound" });
      },
      logger: silentLogger,
      now: () => new Date(),
    });
    await expect(run).rejects.toBeInstanceOf(AlertDeliveryError);
    const error = (await run.catch((caught: unknown) => caught)) as AlertDeliveryError;
    expect(error.findings[0]?.actions[0]?.status).toBe("done");
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
  });
});

describe("responder retries throttling and 5xx through the real SDK retry strategy", () => {
  /** A stand-in for the HTTP layer: answers IAM/STS query-protocol requests from a script. */
  function scriptedTransport(script: Array<{ status: number; code?: string }>) {
    const seen: string[] = [];
    const handler = {
      async handle(request: { body?: unknown }) {
        const body = String(request.body ?? "");
        const action = /Action=(\w+)/.exec(body)?.[1] ?? "unknown";
        seen.push(action);
        if (action === "GetCallerIdentity") {
          return reply(200, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${SELF_ARN}</Arn><UserId>AROAX:handler</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
        }
        if (action === "GetUser") {
          return reply(200, `<GetUserResponse><GetUserResult><User><UserName>bob</UserName><Arn>arn:aws:iam::${ACCOUNT}:user/bob</Arn><Path>/</Path><UserId>AIDAX</UserId><CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>4</RequestId></ResponseMetadata></GetUserResponse>`);
        }
        if (action === "ListAccessKeys") {
          return reply(200, `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>bob</UserName><AccessKeyId>AKIABOBNEWKEY0000001</AccessKeyId><Status>Active</Status></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult><ResponseMetadata><RequestId>5</RequestId></ResponseMetadata></ListAccessKeysResponse>`);
        }
        const step = script.shift() ?? { status: 200 };
        if (step.status !== 200) {
          return reply(step.status, `<ErrorResponse><Error><Type>Sender</Type><Code>${step.code}</Code><Message>scripted ${step.code}</Message></Error><RequestId>2</RequestId></ErrorResponse>`);
        }
        return reply(200, `<${action}Response><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></${action}Response>`);
      },
    };
    return { handler, seen };
  }

  function reply(statusCode: number, xml: string) {
    return { response: { statusCode, headers: { "content-type": "text/xml" }, body: Readable.from([Buffer.from(xml)]) } };
  }

  it.each([
    ["throttling", [{ status: 400, code: "Throttling" }, { status: 400, code: "Throttling" }]],
    ["5xx", [{ status: 500, code: "InternalFailure" }, { status: 503, code: "ServiceUnavailable" }]],
  ])("%s: retried until it succeeds", async (_label, script) => {
    const transport = scriptedTransport([...script]);
    const ctx = context({}, { requestHandler: transport.handler, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), ctx);
    expect(finding.actions[0]?.status).toBe("done");
    expect(transport.seen.filter((action) => action === "UpdateAccessKey")).toHaveLength(3);
  });

  it("gives up after the attempt budget and reports the last error", async () => {
    const transport = scriptedTransport(Array.from({ length: 10 }, () => ({ status: 400, code: "Throttling" })));
    const ctx = context({}, { requestHandler: transport.handler, credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 2 });
    const finding = await executeActions(findingOf(backdoor, "access-key-created"), ctx);
    expect(finding.actions[0]).toMatchObject({ status: "failed", reason: expect.stringContaining("Throttling") });
    expect(transport.seen.filter((action) => action === "UpdateAccessKey")).toHaveLength(2);
  });
});
