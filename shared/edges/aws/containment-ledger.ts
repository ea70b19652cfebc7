import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../core/model/finding.js";
import { type ReleaseRecord, principalKeysOf, releaseSubjectsOf, undoStepsOf } from "../../core/response/release.js";

/**
 * The containment ledger, in the idempotency table beside the step records: what trailguard
 * changed for each finding (its undo steps), kept without expiry so it can be released any time,
 * and the release records `npm run release` writes (one hour each) so the release's own calls
 * are not contained again. Keys start with the owner (the function name): each function's role
 * may write only its own keys.
 */
export interface ContainmentLedger {
  /** Records the finding's changes; nothing when it changed nothing. */
  record(finding: Finding, now: Date): Promise<void>;
  /** The release recorded for this finding's event, if any (unexpired). */
  releaseFor(finding: Finding, now: () => Date): Promise<ReleaseRecord | undefined>;
}

export const containmentKey = (owner: string, findingId: string) => `${owner}.containment#${findingId}`;
export const releaseKey = (owner: string, subject: string) => `${owner}.release#${subject}`;

export function dynamoDbLedger(options: { tableName: string; owner: string; client?: DynamoDBClient }): ContainmentLedger {
  const client = options.client ?? new DynamoDBClient({ maxAttempts: 5 });
  const { tableName, owner } = options;
  return {
    async record(finding, now) {
      const undo = undoStepsOf(finding);
      if (undo.length === 0) return;
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            id: { S: containmentKey(owner, finding.findingId) },
            kind: { S: "containment" },
            owner: { S: owner },
            findingId: { S: finding.findingId },
            ruleId: { S: finding.ruleId },
            severity: { S: finding.severity },
            title: { S: finding.title },
            account: { S: finding.event.account ?? "unknown" },
            actorArn: { S: finding.actor.arn ?? "unknown" },
            principals: { SS: principalKeysOf(undo) },
            undo: { S: JSON.stringify(undo) },
            // What it found already done and relies on: a release of another finding must leave it.
            held: { S: JSON.stringify(finding.actions.flatMap((action) => action.held ?? [])) },
            recordedAt: { S: now.toISOString() },
          },
        }),
      );
    },
    async releaseFor(finding, now) {
      for (const subject of releaseSubjectsOf(finding)) {
        const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: releaseKey(owner, subject) } }, ConsistentRead: true }));
        const expires = Number(Item?.expiration?.N ?? 0);
        if (!Item || expires * 1000 <= now().getTime()) continue;
        const releasedBy = Item.releasedBy?.S;
        const findingId = Item.findingId?.S;
        const releasedAt = Item.releasedAt?.S;
        if (releasedBy && findingId && releasedAt) return { subject, findingId, releasedBy, releasedAt };
      }
      return undefined;
    },
  };
}
