import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { AlertMessage } from "../../core/report/alert-message.js";

/**
 * Publishes one rendered alert: one message with a body per protocol (`MessageStructure:
 * "json"`), so one topic serves e-mail, SMS, Chatbot, SQS, Lambda and HTTPS subscribers. Errors
 * propagate on purpose: an alert that could not be sent must fail the invocation so it is
 * retried and the dead-letter queue keeps it.
 */
export type SendAlert = (message: AlertMessage) => Promise<string | undefined>;

export function snsPublisher(topicArn: string, client?: SNSClient): SendAlert {
  // Publish in the topic's own region, whatever region the caller runs in.
  const sns = client ?? new SNSClient({ region: topicArn.split(":")[3], maxAttempts: 5 });
  return async (message) => {
    const answer = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        Message: message.message,
        MessageStructure: message.messageStructure,
        MessageAttributes: message.attributes,
      }),
    );
    return answer.MessageId;
  };
}
