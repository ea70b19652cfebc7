#!/usr/bin/env node
/**
 * `npm run rehearse`: rehearse the bundled samples' containment against a local AWS API
 * (moto_server), with nothing to set up by hand. See README "Rehearse against a local AWS API".
 *
 *  1. refuses unless the AWS SDK's endpoint is on this machine (scripts/rehearsal-endpoint.ts):
 *     it must never seed principals or enforce against real AWS by accident;
 *  2. waits for the endpoint, checks its account is the samples' (moto_server started with
 *     MOTO_ACCOUNT_ID=111122223333) and that it knows the quarantine policy;
 *  3. replays the samples without acting (what `npm run replay` with no path plans) and creates
 *     the users and roles the planned actions target, each user with one active access key
 *     (moto makes up key ids: the samples' literal key ids cannot exist, so deactivating those
 *     fails with NoSuchEntity, as it would for a key already deleted);
 *  4. creates an SNS topic and an SQS queue subscribed to it, emptied of earlier rehearsals;
 *  5. runs `cli/replay.ts --mode enforce --publish` on the samples (the documented command);
 *  6. prints what was done, failed and skipped, with the reasons, and the alerts the queue got.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, EntityAlreadyExistsException, GetPolicyCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { parseConfig, quarantinePolicyArn } from "../shared/core/config/config.js";
import { type ActionTarget, describeActionTarget } from "../shared/core/model/action.js";
import type { Finding } from "../shared/core/model/finding.js";
import { SAMPLE_CONFIG } from "../shared/core/rules/sample-config.js";
import { bundledSampleDirs } from "../shared/edges/replay/bundled-samples.js";
import { expandInputPaths } from "../shared/edges/replay/input-paths.js";
import { replaySources } from "../shared/edges/replay/replay-run.js";
import { rehearsalEndpoint } from "./rehearsal-endpoint.js";

const USAGE = `Usage: npm run --silent rehearse

Rehearses trailguard's containment of the bundled sample events against a local AWS API
(moto_server): creates the users and roles the samples' actions target, an SNS topic and an SQS
queue subscribed to it, runs 'npm run replay -- --mode enforce --publish' on the samples, and
prints what was done, failed and skipped, and the alerts the queue received.

Needs AWS_ENDPOINT_URL on this machine (localhost, 127.0.0.1 or ::1; anything else is refused),
and moto_server started with the samples' account:
  MOTO_ACCOUNT_ID=111122223333 MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p 5000

Exit status: 0 when containment was carried out; 1 when nothing was done or the replay failed;
2 when the endpoint is not local or not ready for the rehearsal.`;

/** The account the samples happen in (and trailguard-prod runs in: SAMPLE_CONFIG). */
const SAMPLE_ACCOUNT = "111122223333";
const SINK_NAME = "trailguard-rehearsal-alerts";
const READY_MS = 30_000;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

class Refusal extends Error {}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const out = (line = "") => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    out(USAGE);
    return 0;
  }
  if (argv.length > 0) throw new Refusal(`unexpected arguments: ${argv.join(" ")} (try --help)`);

  const checked = rehearsalEndpoint(process.env);
  if ("problem" in checked) throw new Refusal(checked.problem);
  const { endpoint } = checked;
  // Fake credentials unless some are set: real ones have no business on a local endpoint.
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1" };
  if (!env.AWS_ACCESS_KEY_ID) Object.assign(env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SESSION_TOKEN: "" });
  const credentials = env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "", secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } : undefined;
  // Every client names the checked endpoint itself, whatever else the SDK would resolve.
  const base = { region: env.AWS_REGION ?? "us-east-1", endpoint, maxAttempts: 2, ...(credentials ? { credentials } : {}) };
  const iam = new IAMClient(base);
  const sts = new STSClient(base);
  const sns = new SNSClient(base);
  const sqs = new SQSClient(base);

  out(`rehearsal against ${endpoint}`);
  const account = await readyAccount(sts, endpoint);
  if (account !== SAMPLE_ACCOUNT) {
    throw new Refusal(
      `the endpoint's account is ${account}, the samples' is ${SAMPLE_ACCOUNT}: every action would be skipped (not this account). Restart moto_server with MOTO_ACCOUNT_ID=${SAMPLE_ACCOUNT}`,
    );
  }
  const config = parseConfig(SAMPLE_CONFIG, "the bundled samples' configuration");
  const quarantine = quarantinePolicyArn(config, "aws");
  try {
    await iam.send(new GetPolicyCommand({ PolicyArn: quarantine }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
    throw new Refusal(`the endpoint does not know the AWS managed policy ${quarantine}: start moto_server with MOTO_IAM_LOAD_MANAGED_POLICIES=true`);
  }

  // What the samples' actions would change, planned exactly as `npm run replay` with no path plans it.
  const targets = await plannedTargets();
  const users = [...new Set(targets.flatMap((target) => ((target.kind === "user" || target.kind === "access-key") && target.account === account && target.userName ? [target.userName] : [])))].sort();
  const roles = [...new Set(targets.flatMap((target) => (target.kind === "role" && target.account === account && target.roleName ? [target.roleName] : [])))].sort();
  const elsewhere = [...new Set(targets.filter((target) => target.account !== account).map(describeActionTarget))];
  const existing: string[] = [];
  for (const userName of users) {
    if (await created(() => iam.send(new CreateUserCommand({ UserName: userName })))) await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    else existing.push(`user ${userName}`);
  }
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }] });
  for (const roleName of roles) {
    if (!(await created(() => iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }))))) existing.push(`role ${roleName}`);
  }
  out(`seeded in ${account}, from the targets of the samples' planned actions:`);
  out(`  ${users.length} users, each with one active access key: ${users.join(", ")}`);
  out(`  ${roles.length} roles: ${roles.join(", ")}`);
  if (existing.length > 0) out(`  already there (an earlier rehearsal? restart moto_server for a clean account): ${existing.join(", ")}`);
  if (elsewhere.length > 0) out(`  not seeded (another account): ${elsewhere.join(", ")}`);

  const sink = await alertSink(sns, sqs);
  out(`alerts: topic ${sink.topicArn}, read back from queue ${sink.queueUrl}`);
  out();
  out("$ npm run --silent replay -- --mode enforce --publish --format jsonl   # no path: the bundled samples");
  const replay = await runReplay({ ...env, ALERT_TOPIC_ARN: sink.topicArn });
  out();
  const findings = replay.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Finding);
  const alerts = await sink.drain();
  const alertFile = join(mkdtempSync(join(tmpdir(), "trailguard-rehearsal-")), "alerts.jsonl");
  // As the queue received them: SNS envelopes, one per line.
  writeFileSync(alertFile, alerts.map((alert) => `${JSON.stringify(alert.envelope)}\n`).join(""));

  if (replay.status !== 0 && findings.length === 0) {
    out(`replay exited with ${replay.status ?? replay.signal} and reported nothing: see its messages above`);
    return 1;
  }
  const done = report(findings, alerts, alertFile, endpoint);
  if (replay.status !== 0) {
    out(`replay exited with ${replay.status ?? replay.signal}: see its messages above`);
    return 1;
  }
  if (done === 0) {
    out("nothing was done: check the messages above");
    return 1;
  }
  return 0;
}

/** Waits for the endpoint to answer (moto_server takes a second or two to start), then asks its account. */
async function readyAccount(sts: STSClient, endpoint: string): Promise<string> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    try {
      const { Account } = await sts.send(new GetCallerIdentityCommand({}));
      if (!Account) throw new Refusal(`${endpoint} answered GetCallerIdentity without an account`);
      return Account;
    } catch (error) {
      if (error instanceof Refusal) throw error;
      const { code, cause } = error as { code?: unknown; cause?: unknown };
      const refused = /ECONNREFUSED|ECONNRESET|socket hang up/.test(`${String(code)} ${String(error)} ${String(cause)}`);
      if (!refused) throw new Refusal(`${endpoint} does not answer as AWS STS: ${String(error)}`);
      if (Date.now() > deadline) throw new Refusal(`nothing answers on ${endpoint} after ${READY_MS / 1000} s: is moto_server running?`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function plannedTargets(): Promise<ActionTarget[]> {
  const { sources, problems } = await expandInputPaths(bundledSampleDirs());
  if (problems.length > 0) throw new Error(`cannot read the bundled samples: ${problems.map((problem) => `${problem.path}: ${problem.reason}`).join("; ")}`);
  const targets: ActionTarget[] = [];
  await replaySources(
    sources,
    {
      finding(finding) {
        for (const action of finding.actions) if (action.status === "planned") targets.push(action.target);
      },
      problem() {},
      end() {},
    },
    { config: parseConfig(SAMPLE_CONFIG, "the bundled samples' configuration"), jobs: 1 },
  );
  return targets;
}

/** True when created, false when it already existed. */
async function created(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (error instanceof EntityAlreadyExistsException) return false;
    throw error;
  }
}

interface Alert {
  readonly subject: string | undefined;
  readonly severity: string | undefined;
  readonly envelope: unknown;
}

async function alertSink(sns: SNSClient, sqs: SQSClient) {
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: SINK_NAME }));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: SINK_NAME }));
  if (!topicArn || !queueUrl) throw new Error("the endpoint did not create the topic and queue");
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
  const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
  if (!subscriptions.some((subscription) => subscription.Endpoint === queueArn)) await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  // Alerts of an earlier rehearsal are not this one's.
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  return {
    topicArn,
    queueUrl,
    /** Everything on the queue, read and deleted, until it stays empty (SNS delivers to SQS as it publishes). */
    async drain(): Promise<Alert[]> {
      const alerts: Alert[] = [];
      for (let empty = 0; empty < 2; ) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        empty = Messages.length === 0 ? empty + 1 : 0;
        for (const message of Messages) {
          const envelope = JSON.parse(message.Body ?? "{}") as { Subject?: string; MessageAttributes?: Record<string, { Value?: string }> };
          alerts.push({ subject: envelope.Subject, severity: envelope.MessageAttributes?.severity?.Value, envelope });
        }
        if (Messages.length > 0) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
        }
      }
      return alerts;
    },
  };
}

/** The documented command, as a child process: its findings on stdout (JSON Lines), its messages passed through. */
function runReplay(env: NodeJS.ProcessEnv): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "cli", "replay.ts"), "--mode", "enforce", "--publish", "--format", "jsonl", "--no-progress"], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.once("error", reject);
    child.once("close", (status, signal) => resolve({ status, signal, stdout: Buffer.concat(chunks).toString("utf8") }));
  });
}

/**
 * Prints the actions by status, one line per action and target (the first reason, and how many
 * times), then the alerts by subject; returns how many actions were done.
 */
function report(findings: readonly Finding[], alerts: readonly Alert[], alertFile: string, endpoint: string): number {
  const order = ["done", "failed", "skipped", "dry-run", "planned"];
  const lines = new Map<string, Map<string, { reason: string; count: number }>>();
  const counts = new Map<string, number>();
  let quarantined: string | undefined;
  for (const finding of findings) {
    for (const action of finding.actions) {
      counts.set(action.status, (counts.get(action.status) ?? 0) + 1);
      const what = `${action.type} ${describeActionTarget(action.target)}`;
      const byLine = lines.get(action.status) ?? new Map<string, { reason: string; count: number }>();
      const line = byLine.get(what) ?? { reason: oneLine(action.reason), count: 0 };
      line.count++;
      byLine.set(what, line);
      lines.set(action.status, byLine);
      if (action.status === "done" && action.type === "attach-deny-policy" && action.target.kind === "user") quarantined ??= action.target.userName;
    }
  }
  const statuses = [...counts.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  out(`rehearsal: ${findings.length} findings; actions ${statuses.map((status) => `${status} ${counts.get(status)}`).join(" · ") || "none"}`);
  for (const status of statuses) {
    out();
    out(`${status.toUpperCase()} (${counts.get(status)})${status === "failed" ? ": AWS refused; the alert carries the error" : ""}`);
    for (const [what, { reason, count }] of lines.get(status) ?? []) out(`  ${count > 1 ? `${count}× ` : ""}${what}: ${reason}`);
    if (status === "failed") {
      out("  (moto makes up access key ids, so the samples' literal key ids do not exist there: deactivating them");
      out("  fails with NoSuchEntity, as it would in AWS for a key already deleted; the seeded users' own keys");
      out("  are deactivated by deactivate-user-keys.)");
    }
  }
  out();
  const bySeverity = new Map<string, number>();
  const bySubject = new Map<string, number>();
  for (const alert of alerts) {
    bySeverity.set(alert.severity ?? "?", (bySeverity.get(alert.severity ?? "?") ?? 0) + 1);
    bySubject.set(alert.subject ?? "(no subject)", (bySubject.get(alert.subject ?? "(no subject)") ?? 0) + 1);
  }
  out(`ALERTS received on the queue: ${alerts.length}${alerts.length > 0 ? ` (${[...bySeverity].map(([severity, count]) => `${severity} ${count}`).join(", ")})` : ""}`);
  for (const [subject, count] of bySubject) out(`  ${count > 1 ? `${count}× ` : ""}${subject}`);
  out(`  full messages: ${alertFile}`);
  out();
  // AWS CLI v1 reads neither AWS_ENDPOINT_URL nor AWS_REGION: both are given on the command line.
  out("Look for yourself (any AWS CLI version):");
  const user = quarantined ?? "mallory";
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  out(`  aws --endpoint-url ${endpoint} --region ${region} iam list-attached-user-policies --user-name ${user}`);
  out(`  aws --endpoint-url ${endpoint} --region ${region} iam list-access-keys --user-name ${user}`);
  out(`  aws --endpoint-url ${endpoint} --region ${region} iam get-user-policy --user-name ${user} --policy-name TrailguardRevokeOlderSessions`);
  return counts.get("done") ?? 0;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 220 ? `${line.slice(0, 217)}…` : line;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof Refusal) {
      process.stderr.write(`rehearse: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`rehearse: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
