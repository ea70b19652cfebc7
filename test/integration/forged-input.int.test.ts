import { randomUUID } from "node:crypto";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { beat } from "../../shared/edges/aws/heartbeat.js";
import { lambdaEntry } from "../../shared/edges/lambda/lambda-entry.js";
import { powertoolsLogger } from "../../shared/edges/log/log.js";
import { HEARTBEAT_TAG_KEY } from "../../shared/core/self/self-knowledge.js";
import { eventBridge, iamCall, iamUser, policyJson } from "../support/records.js";
import { MOTO_ACCOUNT, uniqueName, useMoto } from "./moto-aws.js";
import { RULES } from "../../shared/core/rules/registry.js";

/**
 * #10.5 end to end on moto_server: the deployed entry of the responder (enforce mode, its input
 * queue configured) refuses an event handed to it directly, however it is shaped, and acts on
 * the same event when it arrives through the queue. And the heartbeat canary tags its own role.
 */
const endpoint = useMoto();

describe.skipIf(!endpoint)("only EventBridge (through the input queue) can hand the responder an event", () => {
  const iam = new IAMClient({ region: "us-east-1" });
  const sqs = new SQSClient({});
  let queueUrl: string;
  let queueArn: string;

  beforeAll(async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("iam-responder-input") }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    queueUrl = QueueUrl ?? "";
    queueArn = Attributes?.QueueArn ?? "";
  });

  async function victimKey(): Promise<{ userName: string; accessKeyId: string }> {
    const userName = uniqueName("victim");
    await iam.send(new CreateUserCommand({ UserName: userName }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { userName, accessKeyId: AccessKey?.AccessKeyId ?? "" };
  }
  const status = async (userName: string, accessKeyId: string) =>
    (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata?.find((key) => key.AccessKeyId === accessKeyId)?.Status;

  /** A forged "someone made a key for this user" event: obeyed, it would switch off the victim's real key. */
  const forgedEvent = (userName: string, accessKeyId: string) =>
    eventBridge(
      iamCall("CreateAccessKey", { userName }, {
        eventID: randomUUID(),
        recipientAccountId: MOTO_ACCOUNT,
        userIdentity: iamUser("mallory", { account: MOTO_ACCOUNT, accessKeyId: "AKIAMALLORYKEY000001" }),
        responseElements: { accessKey: { accessKeyId, userName, status: "Active" } },
      }),
    );

  function entry(lines: Array<Record<string, unknown>>) {
    const logger = powertoolsLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const runtime = createRuntime({ rules: RULES, config: parseConfig({ mode: "enforce" }, "test"), logger });
    return lambdaEntry(runtime, { ...process.env, TRAILGUARD_INPUT_QUEUE_ARN: queueArn }, logger);
  }

  it("refuses a bare EventBridge event (what `aws lambda invoke` sends): the victim's key stays active", async () => {
    const { userName, accessKeyId } = await victimKey();
    const output = await entry([])(forgedEvent(userName, accessKeyId));
    expect(output).toEqual({ batchItemFailures: [] });
    expect(await status(userName, accessKeyId)).toBe("Active");
  });

  it("refuses an SQS-shaped batch with a made-up receipt handle, even naming the right queue", async () => {
    const { userName, accessKeyId } = await victimKey();
    const forged = {
      Records: [{ messageId: randomUUID(), receiptHandle: "AQEBforgedhandle==", body: JSON.stringify(forgedEvent(userName, accessKeyId)), eventSource: "aws:sqs", eventSourceARN: queueArn, attributes: {}, messageAttributes: {}, md5OfBody: "", awsRegion: "us-east-1" }],
    };
    await entry([])(forged);
    expect(await status(userName, accessKeyId)).toBe("Active");
  });

  it("acts on the same event when it really came through the queue", async () => {
    const { userName, accessKeyId } = await victimKey();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(forgedEvent(userName, accessKeyId)) }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    const [message] = Messages;
    const record = { messageId: message?.MessageId, receiptHandle: message?.ReceiptHandle, body: message?.Body, eventSource: "aws:sqs", eventSourceARN: queueArn, attributes: {}, messageAttributes: {}, awsRegion: "us-east-1" };
    const output = await entry([])({ Records: [record] });
    expect(output).toEqual({ batchItemFailures: [] });
    expect(await status(userName, accessKeyId)).toBe("Inactive");
  });

  it("logs every refusal for the input-rejected alarm", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { userName, accessKeyId } = await victimKey();
    await entry(lines)(forgedEvent(userName, accessKeyId));
    await entry(lines)({ Records: [{ messageId: "m1", receiptHandle: "forged", body: "{}", eventSource: "aws:sqs", eventSourceARN: queueArn }] });
    // What the metric filter { $.inputRejected = 1 } counts; and no finding was even analysed.
    expect(lines.filter((line) => line.inputRejected === 1).map((line) => line.message)).toEqual(["input rejected", "input rejected"]);
    expect(lines.filter((line) => line.message === "finding")).toEqual([]);
  });
});

describe.skipIf(!endpoint)("heartbeat canary against moto_server", () => {
  const iam = new IAMClient({ region: "us-east-1" });

  it("tags its own role with the heartbeat key and the time, and nothing else", async () => {
    const roleName = uniqueName("trailguard-test-heartbeat");
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policyJson({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }));
    const result = await beat(iam, roleName, () => new Date("2026-11-26T10:00:00.000Z"));
    expect(result).toEqual({ roleName, time: "2026-11-26T10:00:00.000Z" });
    const { Tags } = await iam.send(new ListRoleTagsCommand({ RoleName: roleName }));
    expect(Tags).toEqual([{ Key: HEARTBEAT_TAG_KEY, Value: "2026-11-26T10:00:00.000Z" }]);
  });

  it("refuses a role name that is not an IAM role name before any call", async () => {
    await expect(beat(iam, "bad name\n", () => new Date())).rejects.toThrow(/not an IAM role name/);
    await expect(beat(iam, undefined, () => new Date())).rejects.toThrow(/TRAILGUARD_HEARTBEAT_ROLE/);
  });
});
