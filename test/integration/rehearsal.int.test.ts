import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../support/free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { describeResult, runBounded, startBounded, testTimeout } from "../support/bounded-process.js";
import { eventBridge, iamCall, iamUser } from "../support/records.js";
import { REPLAY_BOUND_MS, jsonLines, repoRoot, runReplay } from "../support/run-cli.js";
import { MOTO_ACCOUNT, createAlertSink, uniqueName, useMoto } from "./moto-aws.js";

/**
 * The README's "Rehearse against a local AWS API", run as a reader would paste it: the commands
 * are read from the README's code block (so this fails when the README drifts), against a
 * moto_server of its own (started by the block's first line, on a free port: the samples'
 * account is set on the server, so it cannot be the suites' shared one).
 */
const globalEndpoint = useMoto();

/** The whole rehearsal (npm, tsx, the samples' dry run, seeding, the enforce replay): seconds, bounded generously. */
const REHEARSAL_BOUND_MS = 180_000;
/** moto_server for the rehearsal: stopped when the test ends. */
const MOTO_BOUND_MS = REHEARSAL_BOUND_MS + 60_000;
const SAMPLE_ACCOUNT = "111122223333";
const QUARANTINE = "arn:aws:iam::aws:policy/AWSDenyAll";
const REVOKE = "TrailguardRevokeOlderSessions";

function readmeRehearsal(): { server: string; rest: string[]; port: string } {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const heading = readme.indexOf("\n### Rehearse against a local AWS API\n");
  expect(heading, "README section 'Rehearse against a local AWS API'").toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(heading))?.[1] ?? "";
  const lines = block.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  const [server = "", ...rest] = lines;
  expect(server, "the block starts moto_server in the background").toMatch(/\bmoto_server\b.*&\s*$/);
  expect(server, "with the samples' account").toContain(`MOTO_ACCOUNT_ID=${SAMPLE_ACCOUNT}`);
  const port = /\s-p\s+(\d+)/.exec(server)?.[1] ?? "";
  expect(port, "moto_server's port (-p)").not.toBe("");
  expect(rest.join("\n"), "the block points the SDK at that moto_server").toContain(`AWS_ENDPOINT_URL=http://127.0.0.1:${port}`);
  expect(rest.join("\n")).toMatch(/npm run --silent rehearse\b/);
  return { server, rest, port };
}

/** A reader's shell: no AWS settings of the test run (the block exports its own). */
function readerEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^AWS_(?!SDK_JS_)/.test(key) && key !== "ALERT_TOPIC_ARN"));
  return { ...env, NO_COLOR: "1" };
}

describe.skipIf(!globalEndpoint)("README rehearsal against a local AWS API", () => {
  it(
    "runs as written: containment DONE on the seeded principals, honest FAILED key deactivations, alerts on the queue",
    async () => {
      const { server, rest, port: readmePort } = readmeRehearsal();
      const port = String(await freePort());
      const work = mkdtempSync(join(tmpdir(), "trailguard-rehearsal-test-"));
      // Only the port changes (and moto's log goes to this test's own folder).
      const local = (line: string) => line.replace(new RegExp(`\\b${readmePort}\\b`, "g"), port).replace(/>\s*\/tmp\/moto_server\.log/, `>${join(work, "moto_server.log")}`);
      const moto = startBounded("/bin/sh", ["-c", local(server).replace(/&\s*$/, "")], { stdio: "ignore", env: readerEnv(), timeoutMs: MOTO_BOUND_MS });
      try {
        // Pasted straight after: the rehearsal itself waits for moto_server to answer.
        const run = await runBounded("/bin/sh", ["-c", rest.map(local).join("\n")], { cwd: repoRoot, env: readerEnv(), timeoutMs: REHEARSAL_BOUND_MS });
        expect(run.status, describeResult(run, REHEARSAL_BOUND_MS)).toBe(0);
        const out = run.stdout;

        const tally = /rehearsal: (\d+) findings; actions (.*)/.exec(out);
        expect(tally, out).not.toBeNull();
        const count = (status: string) => Number(new RegExp(`\\b${status} (\\d+)`).exec(tally?.[2] ?? "")?.[1] ?? 0);
        expect(count("done")).toBeGreaterThan(10);
        expect(count("failed")).toBeGreaterThan(0);
        expect(count("skipped")).toBeGreaterThan(0);
        // The seeded principals, derived from the samples' planned actions.
        expect(out).toMatch(/users, each with one active access key: .*\bmallory\b/);
        expect(out).toMatch(/roles: .*\bbilling-export\b/);
        // Honest failures: moto cannot hold the samples' literal key ids.
        const failed = out.slice(out.indexOf("\nFAILED ("), out.indexOf("\nSKIPPED ("));
        expect(failed).toMatch(/deactivate-access-key access key "AKIAMALLORYEXAMPLE01" of user "mallory".*no access key AKIAMALLORYEXAMPLE01/);
        // Only those: everything the rehearsal could do on the principals it seeded was done.
        const failedActions = failed.split("\n").filter((line) => /^ {2}(\d+× )?[a-z]+(-[a-z]+)+ /.test(line));
        expect(failedActions.length).toBeGreaterThan(0);
        expect(failedActions.filter((line) => !/^ {2}(\d+× )?deactivate-access-key .*: user \S+ has no access key AKIA[A-Z0-9]+/.test(line))).toEqual([]);

        // What IAM holds now, read back from the rehearsal's moto_server.
        const iam = new IAMClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        const attachedToUser = async (userName: string) => (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies?.map((policy) => policy.PolicyArn);
        const keys = async (userName: string) => (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
        // mallory, who granted admin: quarantined (every key inactive, the deny policy, sessions revoked).
        expect(await attachedToUser("mallory")).toEqual([QUARANTINE]);
        expect((await keys("mallory")).map((key) => key.Status)).toEqual(["Inactive"]);
        expect((await iam.send(new GetUserPolicyCommand({ UserName: "mallory", PolicyName: REVOKE }))).PolicyDocument).toBeTruthy();
        // billing-export, a role opened to everyone: its door closed.
        expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "billing-export" }))).AttachedPolicies?.map((policy) => policy.PolicyArn)).toEqual([QUARANTINE]);
        expect((await iam.send(new GetRolePolicyCommand({ RoleName: "billing-export", PolicyName: REVOKE }))).PolicyDocument).toBeTruthy();
        // bob's actions (his reactivated and new keys, by their sample ids) all failed: nothing of his changed.
        expect((await iam.send(new GetUserCommand({ UserName: "bob" }))).User?.Arn).toBe(`arn:aws:iam::${SAMPLE_ACCOUNT}:user/bob`);
        expect(await attachedToUser("bob")).toEqual([]);
        expect((await keys("bob")).map((key) => key.Status)).toEqual(["Active"]);

        // The alerts, as the rehearsal read them from its queue: SNS deliveries from the rehearsal's topic.
        const received = Number(/ALERTS received on the queue: (\d+)/.exec(out)?.[1] ?? 0);
        expect(received).toBeGreaterThan(10);
        const file = /full messages: (\S+)/.exec(out)?.[1] ?? "";
        const envelopes = jsonLines(readFileSync(file, "utf8")) as Array<{ Type?: string; TopicArn?: string; Subject?: string; Message?: string }>;
        expect(envelopes).toHaveLength(received);
        for (const envelope of envelopes) {
          expect(envelope).toMatchObject({ Type: "Notification", TopicArn: `arn:aws:sns:us-east-1:${SAMPLE_ACCOUNT}:trailguard-rehearsal-alerts` });
        }
        expect(envelopes.some((envelope) => /^\[CRITICAL\]/.test(envelope.Subject ?? "") && (envelope.Message ?? "").includes("mallory"))).toBe(true);
        expect(out).toContain(`aws --endpoint-url http://127.0.0.1:${port} --region us-east-1 iam list-attached-user-policies --user-name`);
      } finally {
        await moto.stop(5_000);
      }
    },
    testTimeout(1, REHEARSAL_BOUND_MS, 30_000),
  );

  it(
    "refuses, before seeding anything, an endpoint that is not local or a moto_server not in the samples' account",
    async () => {
      const rehearse = (env: NodeJS.ProcessEnv) =>
        runBounded(process.execPath, ["--import", "tsx", join(repoRoot, "scripts", "rehearse.ts")], {
          cwd: repoRoot,
          env: { ...readerEnv(), AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1", ...env },
          timeoutMs: REPLAY_BOUND_MS,
        });
      const remote = await rehearse({ AWS_ENDPOINT_URL: "https://iam.amazonaws.com" });
      expect(remote.status, describeResult(remote)).toBe(2);
      expect(remote.stderr).toContain("points at iam.amazonaws.com, not this machine");
      // The suites' shared moto_server runs in moto's default account.
      const wrongAccount = await rehearse({ AWS_ENDPOINT_URL: globalEndpoint });
      expect(wrongAccount.status, describeResult(wrongAccount)).toBe(2);
      expect(wrongAccount.stderr).toContain(`the endpoint's account is ${MOTO_ACCOUNT}, the samples' is ${SAMPLE_ACCOUNT}`);
      expect(wrongAccount.stderr).toContain(`MOTO_ACCOUNT_ID=${SAMPLE_ACCOUNT}`);
      const topics = (await new SNSClient({}).send(new ListTopicsCommand({}))).Topics ?? [];
      expect(topics.map((topic) => topic.TopicArn).filter((arn) => arn?.endsWith(":trailguard-rehearsal-alerts"))).toEqual([]);
    },
    testTimeout(2, REPLAY_BOUND_MS),
  );

  it(
    "--publish alone runs the responder in dry-run: actions reported as dry-run, the alert published, nothing changed in IAM, even with a config saying enforce",
    async () => {
      const iam = new IAMClient({ region: "us-east-1" });
      const sink = await createAlertSink();
      const userName = uniqueName("publish-only");
      await iam.send(new CreateUserCommand({ UserName: userName }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      const accessKeyId = AccessKey?.AccessKeyId ?? "";
      const work = mkdtempSync(join(tmpdir(), "trailguard-publish-"));
      const file = join(work, "event.json");
      const event = iamCall("CreateAccessKey", { userName }, {
        eventID: randomUUID(),
        recipientAccountId: MOTO_ACCOUNT,
        userIdentity: iamUser("intruder", { account: MOTO_ACCOUNT }),
        responseElements: { accessKey: { accessKeyId, userName, status: "Active" } },
      });
      writeFileSync(file, JSON.stringify(eventBridge(event)));
      const enforcing = join(work, "enforcing.json");
      writeFileSync(enforcing, JSON.stringify({ mode: "enforce", ruleModes: { "access-key-created": "enforce" } }));
      const env = { AWS_ENDPOINT_URL: globalEndpoint, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1", ALERT_TOPIC_ARN: sink.topicArn };
      const unchanged = async () => {
        expect((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata?.map((key) => key.Status)).toEqual(["Active"]);
        expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies).toEqual([]);
      };

      for (const args of [[file, "--format", "jsonl", "--publish"], [file, "--format", "jsonl", "--publish", "--config", enforcing]]) {
        const result = await runReplay(args, { env });
        expect(result.status, describeResult(result)).toBe(0);
        expect(result.stderr).toContain("responder mode dry-run, publishing alerts");
        expect(result.stderr).toContain("nothing is changed in IAM");
        const [finding] = jsonLines(result.stdout) as Array<{ actions: Array<{ type: string; status: string; reason: string }> }>;
        expect(finding?.actions).toEqual([expect.objectContaining({ type: "deactivate-access-key", status: "dry-run" })]);
        await unchanged();
        const alerts = await sink.receive(1);
        expect(alerts).toHaveLength(1);
        expect(alerts[0]?.Message).toMatch(/dry-run/i);
      }
    },
    testTimeout(2, REPLAY_BOUND_MS, 40_000),
  );
});
