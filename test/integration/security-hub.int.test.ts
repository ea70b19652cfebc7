import { randomUUID } from "node:crypto";
import { type AwsSecurityFinding, EnableSecurityHubCommand, GetFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlertDocument } from "../../shared/core/alerting/alert.js";
import type { Finding } from "../../shared/core/model/finding.js";
import type { Logger, LogLevel } from "../../shared/core/model/logger.js";
import { toAsff } from "../../shared/core/report/asff.js";
import { SecurityHubImportError, importFindings } from "../../shared/edges/aws/security-hub.js";
import { PRODUCT_ARN_VARIABLE, securityHubExporter } from "../../shared/edges/lambda/securityhub-exporter-entry.js";
import { alertDocumentOf, documentBody } from "../support/alert-documents.js";
import { eventBridge, findingOf, iamCall, iamUser, policyJson } from "../support/records.js";
import { MOTO_ACCOUNT, uniqueName, useMoto } from "./moto-aws.js";

/**
 * The Security Hub export end to end on moto_server: an alert document is published to a real
 * SNS topic as the publisher does (`MessageStructure: "json"`, the document under the `sqs` key),
 * delivered raw to an SQS queue subscribed to it, received as the event source mapping would,
 * handed to the exporter's handler, and imported into moto's Security Hub, where GetFindings reads
 * it back. moto honours the `sqs` key of a JSON-structured message (moto/sns/models.py,
 * `_parse_message_structure`): the first test proves the queue gets that key and not `default`.
 * What moto cannot produce (throttling) is in the unit tests with aws-sdk-client-mock.
 */
const endpoint = useMoto();
const PRODUCT_ARN = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:product/${MOTO_ACCOUNT}/default`;
const SOURCE_IP = "203.0.113.9";

interface Line {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

/** alice grants admin to role "app", in moto's account, as a fresh event (its own id, so its own finding). */
function adminGrant(): Finding {
  const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "inline-admin", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, {
    eventID: randomUUID(),
    recipientAccountId: MOTO_ACCOUNT,
    userIdentity: iamUser("alice", { account: MOTO_ACCOUNT, accessKeyId: "AKIAALICEKEYEXAMPLE1" }),
    sourceIPAddress: SOURCE_IP,
  });
  return findingOf(eventBridge(record), "policy-document-grant");
}

describe.skipIf(!endpoint)("Security Hub export on moto_server: SNS (MessageStructure json) -> SQS (raw) -> exporter -> Security Hub", () => {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const hub = new SecurityHubClient({ region: "us-east-1" });
  let topicArn = "";
  let queueUrl = "";
  const lines: Line[] = [];
  const logger: Logger = { log: (level, message, fields = {}) => lines.push({ level, message, fields }) };
  const exporter = () => securityHubExporter(logger, { [PRODUCT_ARN_VARIABLE]: PRODUCT_ARN });

  beforeAll(async () => {
    const name = uniqueName("trailguard-securityhub-exporter-input");
    topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("trailguard-alerts") }))).TopicArn ?? "";
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    // As the stack subscribes the exporter's queue: raw, so the body is the message itself.
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));
    await hub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    if (!topicArn || !queueUrl) throw new Error("moto did not create the topic and queue");
  });

  /** Publishes as the alert publisher does: one JSON-structured message, each protocol its own form. */
  async function publish(body: string, emailText = "[CRITICAL] text for people"): Promise<void> {
    await sns.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: "json", Subject: "[CRITICAL] test", Message: JSON.stringify({ default: emailText, email: emailText, sqs: body }) }));
  }

  /** Receives what the queue holds, as the event source mapping hands it to the function. */
  async function receiveBatch(expected: number): Promise<{ Records: Array<Record<string, unknown>> }> {
    const records: Array<Record<string, unknown>> = [];
    const deadline = Date.now() + 10_000;
    while (records.length < expected && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
      for (const message of Messages) {
        records.push({ messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body, attributes: {}, messageAttributes: {}, eventSource: "aws:sqs", awsRegion: "us-east-1" });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    return { Records: records };
  }

  async function findingsWithId(id: string): Promise<AwsSecurityFinding[]> {
    // moto's GetFindings ignores Filters: every finding of the account and region comes back.
    const found: AwsSecurityFinding[] = [];
    let token: string | undefined;
    do {
      const page = await hub.send(new GetFindingsCommand({ MaxResults: 100, NextToken: token }));
      found.push(...(page.Findings ?? []).filter((finding) => finding.Id === id));
      token = page.NextToken;
    } while (token);
    return found;
  }

  it("delivers the `sqs` key of the JSON-structured message to the raw subscriber, which the exporter imports into Security Hub", async () => {
    const finding = adminGrant();
    const document: AlertDocument = alertDocumentOf([finding], { accountName: "prod" });
    const body = documentBody(document);
    await publish(body);
    const batch = await receiveBatch(1);
    expect(batch.Records).toHaveLength(1);
    // moto honours MessageStructure json: the queue got the sqs key, byte for byte, not `default`.
    expect(batch.Records[0]?.body).toBe(body);

    await expect(exporter()(batch)).resolves.toEqual({ batchItemFailures: [] });
    const [imported, ...more] = await findingsWithId(finding.findingId);
    expect(more).toEqual([]);
    expect(imported).toMatchObject({
      Id: finding.findingId,
      ProductArn: PRODUCT_ARN,
      GeneratorId: "trailguard/policy-document-grant",
      AwsAccountId: MOTO_ACCOUNT,
      Severity: { Label: "CRITICAL", Original: "critical" },
      Title: finding.title,
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
      Action: { ActionType: "AWS_API_CALL", AwsApiCallAction: { Api: "PutRolePolicy", CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: SOURCE_IP } } },
    });
    expect(imported?.Types).toContain("TTPs/Privilege Escalation");
    expect(imported?.Resources).toEqual([
      expect.objectContaining({ Type: "AwsIamUser", Id: `arn:aws:iam::${MOTO_ACCOUNT}:user/alice`, ResourceRole: "Actor", Partition: "aws", Region: "us-east-1" }),
      expect.objectContaining({ Type: "AwsIamAccessKey", Id: "AWS::IAM::AccessKey:AKIAALICEKEYEXAMPLE1", ResourceRole: "Actor" }),
      expect.objectContaining({ Type: "AwsIamRole", Id: `arn:aws:iam::${MOTO_ACCOUNT}:role/app`, ResourceRole: "Target" }),
      expect.objectContaining({ Type: "AwsAccount", Id: `AWS::::Account:${MOTO_ACCOUNT}` }),
    ]);
    expect(imported?.ProductFields).toMatchObject({
      "trailguard/IncidentId": document.incident.id,
      "trailguard/RuleId": "policy-document-grant",
      "trailguard/EventId": finding.eventId,
      "trailguard/EventName": "PutRolePolicy",
      "trailguard/EventAccount": MOTO_ACCOUNT,
      "trailguard/AccountName": "prod",
      "trailguard/Actor": `arn:aws:iam::${MOTO_ACCOUNT}:user/alice`,
      "trailguard/AlertKind": "page",
    });
  });

  it("drops and logs a malformed body and an alarm's notification; the rest of the batch is imported", async () => {
    const good = adminGrant();
    const broken = adminGrant();
    await publish(documentBody(alertDocumentOf([good])));
    await publish(JSON.stringify({ ...alertDocumentOf([broken]), findings: [{ ...broken, severity: "catastrophic" }] }));
    await publish("{this is not json");
    // A CloudWatch alarm publishes plain text JSON to the same topic (no MessageStructure).
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ AlarmName: "trailguard-prod-heartbeat-missing", NewStateValue: "ALARM" }) }));
    const batch = await receiveBatch(4);
    expect(batch.Records).toHaveLength(4);
    lines.length = 0;

    // Dropped records are not reported: SQS deletes them, nothing retries them forever.
    await expect(exporter()(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(await findingsWithId(good.findingId)).toHaveLength(1);
    expect(await findingsWithId(broken.findingId)).toEqual([]);
    expect(lines.filter((line) => line.level === "error").map((line) => line.fields.securityHubExport)).toEqual(["malformed"]);
    expect(lines.filter((line) => line.message === "not an alert document: ignored").map((line) => line.fields.reason)).toEqual(
      expect.arrayContaining(["the body is not JSON", "a CloudWatch alarm notification"]),
    );
  });

  it("importing the same document twice leaves one finding, updated", async () => {
    const finding = adminGrant();
    const body = documentBody(alertDocumentOf([finding]));
    await publish(body);
    await expect(exporter()(await receiveBatch(1))).resolves.toEqual({ batchItemFailures: [] });
    const [first] = await findingsWithId(finding.findingId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The same alert delivered again (an SNS retry, a redriven message), now as an update of its incident.
    await publish(documentBody(alertDocumentOf([finding], { kind: "update" })));
    await expect(exporter()(await receiveBatch(1))).resolves.toEqual({ batchItemFailures: [] });
    const after = await findingsWithId(finding.findingId);
    expect(after).toHaveLength(1);
    expect(after[0]?.CreatedAt).toBe(first?.CreatedAt);
    expect(Date.parse(after[0]?.UpdatedAt ?? "")).toBeGreaterThan(Date.parse(first?.UpdatedAt ?? ""));
    expect(after[0]?.ProductFields?.["trailguard/AlertKind"]).toBe("update");
  });

  it("a finding Security Hub refuses (FailedCount > 0) is named in the error, the others are imported", async () => {
    // moto refuses a finding without resources (toAsff always gives one): a real FailedCount.
    const good = adminGrant();
    const exported = toAsff(alertDocumentOf([good]), good, { productArn: PRODUCT_ARN, region: "us-east-1", partition: "aws", updatedAt: new Date().toISOString() });
    const refused = { ...exported, Id: `${exported.Id}-refused`, Resources: [] };
    const error = await importFindings(hub, [exported, refused]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecurityHubImportError);
    expect((error as SecurityHubImportError).failedIds).toEqual([refused.Id]);
    expect((error as SecurityHubImportError).message).toContain("1 imported");
    expect(await findingsWithId(good.findingId)).toHaveLength(1);
    expect(await findingsWithId(refused.Id ?? "")).toEqual([]);
  });
});
