import { randomUUID } from "node:crypto";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlertDocument } from "../../shared/core/alerting/alert.js";
import { type ConfigInput, parseConfig } from "../../shared/core/config/config.js";
import { silentLogger } from "../../shared/core/model/logger.js";
import { IAM_RULES } from "../../shared/core/rules/registry-iam.js";
import { ROOT_MONITOR_RULES } from "../../shared/core/rules/registry-root.js";
import { createAlertRuntime } from "../../shared/edges/lambda/create-alert-runtime.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { eventBridge, iamCall, iamUser, policyJson, root } from "../support/records.js";
import { MOTO_ACCOUNT, createTrailguardTable, uniqueName, useMoto } from "./moto-aws.js";

/**
 * What subscribers of the alert topic receive, end to end on moto_server: the runtime publishes
 * one `MessageStructure: json` message per event; moto delivers each subscription its
 * protocol's body. Read back: the JSON document from an SQS subscriber (raw delivery), the pages
 * only from a queue with the stack's e-mail filter policy, and the e-mail and Chatbot bodies as
 * SNS was given them (moto records every published message; it does not send e-mail).
 */
const endpoint = useMoto();

interface Received {
  document: AlertDocument;
  attributes: Record<string, string>;
}

async function subscribedQueue(topicArn: string, filterPolicy?: object): Promise<(expected: number) => Promise<Received[]>> {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("alerts") }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: "true", ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy), FilterPolicyScope: "MessageAttributes" } : {}) },
    }),
  );
  return async (expected) => {
    const received: Received[] = [];
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline) {
      const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }));
      for (const message of answer.Messages ?? []) {
        const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]));
        received.push({ document: JSON.parse(message.Body ?? "{}") as AlertDocument, attributes });
      }
      if (received.length >= expected && (answer.Messages ?? []).length === 0) break;
    }
    return received;
  };
}

/** Every message published to the topic, as SNS was given it (moto's own record). */
async function published(topicArn: string): Promise<Array<{ subject: string; bodies: Record<string, string> }>> {
  const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as { sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> } };
  const topic = data.sns.Topic.find((candidate) => candidate.arn === topicArn);
  return (topic?.sent_notifications ?? []).map(([, message, subject]) => ({ subject, bodies: JSON.parse(message) as Record<string, string> }));
}

describe.skipIf(!endpoint)("alerts as subscribers receive them (moto_server)", () => {
  let table = "";
  beforeAll(async () => {
    table = await createTrailguardTable("trailguard-alerts");
  });

  async function topic(): Promise<string> {
    const { TopicArn } = await new SNSClient({}).send(new CreateTopicCommand({ Name: uniqueName("trailguard-alerts") }));
    return TopicArn!;
  }

  const config = (topicArn: string, extra: ConfigInput = {}) =>
    parseConfig({ mode: "dry-run", alertTopicArn: topicArn, idempotencyTable: table, accountNames: { [MOTO_ACCOUNT]: "sandbox" }, ...extra }, "test");

  const grant = (user: string, at: string, action: string) =>
    eventBridge(
      iamCall("PutRolePolicy", { roleName: "app", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: action, Resource: "*" }) }, {
        eventID: randomUUID(),
        eventTime: at,
        recipientAccountId: MOTO_ACCOUNT,
        userIdentity: iamUser(user, { account: MOTO_ACCOUNT }),
      }),
    );

  it("one incident: the first finding pages, the next updates, a critical pages again; the e-mail filter sees only pages", async () => {
    const topicArn = await topic();
    const everything = await subscribedQueue(topicArn);
    const pagesOnly = await subscribedQueue(topicArn, { alertKind: ["page"] });
    const user = uniqueName("m");
    const runtime = createRuntime({ rules: IAM_RULES, config: config(topicArn), logger: silentLogger, env: { AWS_REGION: "us-east-1" } });
    const base = Date.now() - 30 * 60_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    await runtime.handle(grant(user, at(0), "s3:PutObject"));
    await runtime.handle(grant(user, at(5), "sqs:SendMessage"));
    await runtime.handle(grant(user, at(9), "*"));

    const all = await everything(3);
    expect(all.map(({ document }) => [document.schema, document.kind, document.findings[0]?.severity])).toEqual([
      ["trailguard.alert/1", "page", "medium"],
      ["trailguard.alert/1", "update", "medium"],
      ["trailguard.alert/1", "page", "critical"],
    ]);
    const incidentIds = new Set(all.map(({ document }) => document.incident.id));
    expect(incidentIds.size).toBe(1);
    expect(all.map(({ attributes }) => attributes.alertKind)).toEqual(["page", "update", "page"]);
    expect(all[2]!.attributes.incidentId).toBe([...incidentIds][0]);
    expect(all[2]!.document.incident.timeline.map((entry) => entry.kind)).toEqual(["page", "update", "page"]);
    expect(all[2]!.document.account).toEqual({ id: MOTO_ACCOUNT, name: "sandbox" });

    const pages = await pagesOnly(2);
    expect(pages.map(({ document }) => document.kind)).toEqual(["page", "page"]);

    const sent = await published(topicArn);
    expect(sent).toHaveLength(3);
    const [first, update, critical] = sent;
    expect(first!.subject).toMatch(new RegExp(`^\\[MEDIUM\\] ${user} .* in sandbox \\(${MOTO_ACCOUNT}\\)`));
    // The update threads under its page in a mail client.
    expect(update!.subject.startsWith(`Re: ${first!.subject.slice(0, 40)}`)).toBe(true);
    expect(critical!.subject).toMatch(/^\[CRITICAL\] /);
    for (const { subject, bodies } of sent) {
      expect(subject.length).toBeLessThan(100);
      expect(Object.keys(bodies).sort()).toEqual(["default", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"]);
      // People read text; machines get the document; the e-mail carries no JSON copy.
      expect(bodies.email).not.toContain('"findingId"');
      expect(JSON.parse(bodies["email-json"]!)).toMatchObject({ schema: "trailguard.alert/1" });
      const chatbot = JSON.parse(bodies.https!) as { version: string; source: string; metadata: { threadId: string } };
      expect(chatbot).toMatchObject({ version: "1.0", source: "custom" });
      expect(chatbot.metadata.threadId).toBe([...incidentIds][0]);
      expect(bodies.sms!.length).toBeLessThanOrEqual(140);
    }
    expect(critical!.bodies.email).toContain([...incidentIds][0]!);
    // dry-run: the e-mail says nothing was done and how to do it by hand.
    expect(critical!.bodies.email).toMatch(/DRY-RUN/);
  }, 60_000);

  it("a suppressed finding is acted on and logged but not published; what the suppression does not cover still pages", async () => {
    const topicArn = await topic();
    const everything = await subscribedQueue(topicArn);
    const user = uniqueName("ci");
    const runtime = createRuntime({
      rules: IAM_RULES,
      config: config(topicArn, {
        suppressions: [{ id: "ci-grants", reason: "the CI role's nightly grants", expires: "2099-01-01", actors: [`arn:aws:iam::${MOTO_ACCOUNT}:user/${user}`] }],
      }),
      logger: silentLogger,
      env: { AWS_REGION: "us-east-1" },
    });
    const now = new Date(Date.now() - 60_000).toISOString();
    const muted = await runtime.handle(grant(user, now, "s3:PutObject"));
    expect(muted.findings).toHaveLength(1);
    expect(muted.published).toBe(0);
    // maxSeverity is high by default: the admin grant the same user makes is not muted.
    const loud = await runtime.handle(grant(user, now, "*"));
    expect(loud.published).toBe(1);
    const received = await everything(1);
    expect(received.map(({ document }) => [document.kind, document.findings[0]?.severity])).toEqual([["page", "critical"]]);
    expect(loud.findings[0]?.actions.length).toBeGreaterThan(0);
  }, 60_000);

  it("one root call judged by two functions pages once between them", async () => {
    const topicArn = await topic();
    const pagesOnly = await subscribedQueue(topicArn, { alertKind: ["page"] });
    const everything = await subscribedQueue(topicArn);
    const event = eventBridge(
      // Root's own key (no userName): both the root monitor and the responder judge it critical.
      iamCall("CreateAccessKey", {}, {
        eventID: randomUUID(),
        eventTime: new Date(Date.now() - 60_000).toISOString(),
        recipientAccountId: MOTO_ACCOUNT,
        userIdentity: root({ account: MOTO_ACCOUNT }),
        responseElements: { accessKey: { accessKeyId: "AKIAROOTKEY000000001", status: "Active" } },
      }),
    );
    const rootMonitor = createAlertRuntime({ rules: ROOT_MONITOR_RULES, config: config(topicArn), logger: silentLogger, env: { AWS_REGION: "us-east-1" } });
    const responder = createRuntime({ rules: IAM_RULES, config: config(topicArn), logger: silentLogger, env: { AWS_REGION: "us-east-1" } });
    const outcomes = await Promise.all([rootMonitor.handle(event), responder.handle(event)]);
    expect(outcomes.map((outcome) => outcome.published)).toEqual([1, 1]);
    const all = await everything(2);
    expect(all.map(({ document }) => document.kind).sort()).toEqual(["page", "update"]);
    expect(new Set(all.map(({ document }) => document.incident.id)).size).toBe(1);
    expect(await pagesOnly(1)).toHaveLength(1);
  }, 60_000);
});
