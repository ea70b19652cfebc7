import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Finding } from "../../core/model/finding.js";
import { type AlertFormat, buildAlert } from "../../core/report/alert-message.js";

/**
 * Publishes one alert per finding. Errors propagate on purpose: an alert that could not be sent
 * must fail the invocation so EventBridge/Lambda retry it and the dead-letter queue keeps it.
 */
export type PublishAlert = (finding: Finding) => Promise<string | undefined>;

export function snsPublisher(topicArn: string, format: AlertFormat, client?: SNSClient): PublishAlert {
  // Publish in the topic's own region, whatever region the caller runs in.
  const sns = client ?? new SNSClient({ region: topicArn.split(":")[3], maxAttempts: 5 });
  return async (finding) => {
    const alert = buildAlert(finding, format);
    const answer = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message, MessageAttributes: alert.attributes }),
    );
    return answer.MessageId;
  };
}
