import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { inject } from "vitest";

/** Points the AWS SDK of this test worker at moto_server; returns "" when moto is unavailable. */
export function useMoto(): string {
  const endpoint = inject("motoEndpoint");
  if (endpoint) {
    process.env.AWS_ENDPOINT_URL = endpoint;
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    process.env.AWS_REGION = "us-east-1";
    delete process.env.AWS_PROFILE;
  }
  return endpoint;
}

/** moto's default account: the responder's own account in these tests. */
export const MOTO_ACCOUNT = "123456789012";

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  Subject?: string;
  /** What SQS subscribers get: the alert's JSON document. */
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
  /** The e-mail body of the same message, as SNS was given it (moto records what was published; it sends no e-mail). */
  Email: string;
}

/** Every message moto recorded as published, by message id: its per-protocol bodies. */
async function publishedBodies(): Promise<Map<string, Record<string, string>>> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as { sns: { Topic: Array<{ sent_notifications: Array<[string, string]> }> } };
  const bodies = new Map<string, Record<string, string>>();
  for (const topic of data.sns.Topic) {
    for (const [id, message] of topic.sent_notifications) {
      try {
        bodies.set(id, JSON.parse(message) as Record<string, string>);
      } catch {
        bodies.set(id, { default: message });
      }
    }
  }
  return bodies;
}

/** An SNS topic with an SQS queue subscribed: what an on-call subscriber would receive. */
export async function createAlertSink(): Promise<{ topicArn: string; receive: (expected: number) => Promise<SnsEnvelope[]> }> {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const name = uniqueName("alerts");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: attributes.Attributes?.QueueArn }));
  if (!TopicArn || !QueueUrl) throw new Error("moto did not create the alert sink");
  return {
    topicArn: TopicArn,
    async receive(expected) {
      const messages: SnsEnvelope[] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const message of answer.Messages ?? []) {
          messages.push(JSON.parse(message.Body ?? "{}") as Omit<SnsEnvelope, "Email"> as SnsEnvelope);
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
        // Wait a little past the expected count so an extra, unwanted alert is seen too.
        if (messages.length >= expected && (answer.Messages ?? []).length === 0) break;
      }
      const bodies = messages.length > 0 ? await publishedBodies() : new Map<string, Record<string, string>>();
      return messages.map((message) => ({ ...message, Email: bodies.get(message.MessageId)?.email ?? bodies.get(message.MessageId)?.default ?? "" }));
    },
  };
}

/** A table shaped like the stack's (Powertools' `id` key): idempotency records and the containment ledger. */
export async function createTrailguardTable(prefix: string): Promise<string> {
  const table = uniqueName(prefix);
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return table;
}
