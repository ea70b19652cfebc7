import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { eventBridge, iamCall, iamUser } from "../support/records.js";
import { testTimeout } from "../support/bounded-process.js";
import { REPLAY_BOUND_MS, jsonLines, runReplay } from "../support/run-cli.js";
import { MOTO_ACCOUNT, createAlertSink, uniqueName, useMoto } from "./moto-aws.js";

/** A user rehearsing a response against moto: `replay --mode enforce --publish`, as documented. */
const endpoint = useMoto();

describe.skipIf(!endpoint)("replay --mode enforce --publish against moto_server", () => {
  it("changes IAM and publishes the alert exactly as the Lambda would; the default replay touches nothing", async () => {
    const iam = new IAMClient({ region: "us-east-1" });
    const sink = await createAlertSink();
    const userName = uniqueName("victim");
    await iam.send(new CreateUserCommand({ UserName: userName }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    const accessKeyId = AccessKey?.AccessKeyId ?? "";
    const file = join(mkdtempSync(join(tmpdir(), "trailguard-enforce-")), "event.json");
    writeFileSync(
      file,
      JSON.stringify(
        eventBridge(
          iamCall("CreateAccessKey", { userName }, {
            eventID: randomUUID(),
            recipientAccountId: MOTO_ACCOUNT,
            userIdentity: iamUser("intruder", { account: MOTO_ACCOUNT }),
            responseElements: { accessKey: { accessKeyId, userName, status: "Active" } },
          }),
        ),
      ),
    );
    const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1", ALERT_TOPIC_ARN: sink.topicArn };
    const status = async () => (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata?.[0]?.Status;

    const rehearsal = await runReplay([file, "--format", "jsonl"], { env });
    expect(rehearsal.status).toBe(0);
    expect(jsonLines(rehearsal.stdout)[0]).toMatchObject({ actions: [{ status: "planned" }] });
    expect(await status()).toBe("Active");
    expect(await sink.receive(0)).toEqual([]);

    // As a user runs it: without the test set-up's switch for the AWS SDK's Node 20 notice.
    const enforced = await runReplay([file, "--format", "jsonl", "--mode", "enforce", "--publish"], { env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined } });
    expect(enforced.stderr).toContain("responder mode enforce, publishing alerts");
    // Its stderr holds the run's own messages only: no SDK notice, no Powertools warning.
    expect(enforced.stderr).not.toMatch(/Warning|registerLambdaContext/);
    expect(enforced.status).toBe(0);
    expect(jsonLines(enforced.stdout)[0]).toMatchObject({ actions: [{ type: "deactivate-access-key", status: "done" }] });
    expect(await status()).toBe("Inactive");
    const alerts = await sink.receive(1);
    expect(alerts.map((alert) => alert.Subject)).toEqual([expect.stringMatching(new RegExp(`^\\[HIGH\\] intruder created an access key for ${userName} in ${MOTO_ACCOUNT}`))]);
    // Two bounded replays, plus moto calls and two alert polls of up to 10 s each.
  }, testTimeout(2, REPLAY_BOUND_MS, 40_000));
});
