import { createHash } from "node:crypto";
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SEVERITIES } from "../../core/model/severity.js";
import { type IncidentEvent, type IncidentOutcome, type IncidentPolicy, type IncidentState, type IncidentTracker, advanceIncident } from "../../core/alerting/incident.js";

/**
 * Incidents in DynamoDB, in the idempotency table (hash key `id`, TTL `expiration`), with the
 * semantics of the in-memory tracker (both pass test/support/incident-tracker-contract.ts).
 *
 * One item per principal, `incident.<sha256 of the key>`, shared by every function of the stack
 * (each role may write `incident.*` besides its own `<function>.*` keys): the root monitor
 * and the responder judging one root call then page once between them. Each write is
 * conditional on the version read (optimistic concurrency): of two functions recording the same
 * principal at once, the second reads again and sees the first's page, so it updates.
 */
export interface IncidentStoreOptions {
  readonly tableName: string;
  /** For tests: keeps stores apart in one table (items `<keyPrefix>incident.<hash>`). */
  readonly keyPrefix?: string;
  readonly policy: IncidentPolicy;
  readonly client?: DynamoDBClient;
}

/** Concurrent writers of one principal's incident: tries before giving up (the caller then pages). */
const ATTEMPTS = 8;
/** Kept past the incident's window, so a late delivery (EventBridge retries for a day) still finds it. */
const KEEP_EXTRA_SECONDS = 24 * 60 * 60;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export function dynamoDbIncidentStore(options: IncidentStoreOptions): IncidentTracker {
  const client = options.client ?? new DynamoDBClient({ maxAttempts: 5 });
  const { tableName, policy } = options;
  return {
    async record(key: string, event: IncidentEvent): Promise<IncidentOutcome> {
      const id = `${options.keyPrefix ?? ""}incident.${sha256(key)}`;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const read = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
        const version = read.Item?.version?.N;
        const previous = parseState(read.Item?.state?.S, key);
        const { state, outcome } = advanceIncident(previous, key, event, policy);
        if (outcome.repeated) return outcome;
        const expiration = Math.ceil(state.lastAt / 1000) + policy.windowSeconds + KEEP_EXTRA_SECONDS;
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                id: { S: id },
                state: { S: JSON.stringify(state) },
                version: { N: String(Number(version ?? "0") + 1) },
                expiration: { N: String(Math.max(expiration, Math.ceil(Date.now() / 1000) + KEEP_EXTRA_SECONDS)) },
              },
              ConditionExpression: version === undefined ? "attribute_not_exists(id)" : "version = :version",
              ...(version === undefined ? {} : { ExpressionAttributeValues: { ":version": { N: version } } }),
            }),
          );
          return outcome;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) && (error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
        }
      }
      throw new Error(`incident store: ${ATTEMPTS} concurrent updates of one incident in a row`);
    },
  };
}

/**
 * The stored state, when it is one (an item written by this code for this key); anything else
 * is treated as no incident, so a damaged item makes the next finding page rather than vanish.
 */
function parseState(text: string | undefined, key: string): IncidentState | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<IncidentState>;
    const wellFormed =
      value.key === key &&
      typeof value.id === "string" &&
      typeof value.openedAt === "number" &&
      typeof value.lastAt === "number" &&
      typeof value.events === "number" &&
      typeof value.omitted === "number" &&
      Array.isArray(value.timeline) &&
      (SEVERITIES as readonly unknown[]).includes(value.highestSeverity) &&
      (SEVERITIES as readonly unknown[]).includes(value.pagedSeverity);
    return wellFormed ? (value as IncidentState) : undefined;
  } catch {
    return undefined;
  }
}
