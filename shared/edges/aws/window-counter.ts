import { createHash } from "node:crypto";
import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { type CountRequest, type EventCounts, type WindowCount, type WindowCounter, countsFrom, peakWindowCount } from "../../core/model/window-counts.js";

/**
 * The window counter in DynamoDB, in the idempotency table (hash key `id`, TTL `expiration`),
 * with the semantics of the in-memory one (both pass test/support/window-counter-contract.ts).
 * Keys start with the owner (the function name): each function's role may touch only its own
 * (dynamodb:LeadingKeys). Per counted key (hashed: any string, any length, makes a fixed id):
 *  - one item per minute of event time, `<owner>.count.<hash>.<minute start, epoch s>`, holding a
 *    string set of `<at ms>|<occurrence digest>` (at most MINUTE_CAP of them). ADD to a set is idempotent, so a retried or
 *    duplicated delivery counts once, and concurrent writers never lose each other's events;
 *  - after its own write, an event reads every minute of the windows that hold it (a window
 *    before it to a window after it; strongly consistent) and counts the fullest
 *    (`peakWindowCount`): of two concurrent events, whichever writes last sees both, whatever
 *    their times, so a threshold is never missed;
 *  - the event that reaches the threshold claims `<owner>.count.<hash>.holder` with a conditional
 *    write (free, its quiet period over, or its own): of concurrent claimants one wins; each
 *    event that raised is marked, so a retried raising event raises again.
 */
export const BUCKET_SECONDS = 60;
/**
 * How long past its window a minute is kept (and a holder past its quiet period): an event that
 * arrives late (EventBridge retries deliveries for up to 24 hours) still finds the events before it.
 */
export const KEEP_EXTRA_SECONDS = 24 * 60 * 60;
/**
 * A minute keeps at most this many events: thresholds are tens, and DynamoDB charges a write by
 * the item's size, so an uncapped minute made every event of a flood (anyone can make refused
 * calls) cost up to 400 write units. At about 50 bytes an entry, a full minute is some 25 KB.
 * Past it an event is not kept but still counted against (the flood is above any threshold).
 */
export const MINUTE_CAP = 512;
/** BatchGetItem reads at most 100 keys per call. */
const BATCH_KEYS = 100;
const UNPROCESSED_ATTEMPTS = 6;

export interface WindowCounterOptions {
  readonly tableName: string;
  /** Whose items these are (the Lambda function name): every id starts with `<owner>.`. */
  readonly owner: string;
  readonly client?: DynamoDBClient;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export function dynamoDbWindowCounter(options: WindowCounterOptions): WindowCounter {
  const client = options.client ?? new DynamoDBClient({ maxAttempts: 5 });
  const { tableName, owner } = options;

  /** Adds the event to its minute (nothing when the minute's item is full). */
  const record = async (id: string, entry: string, expiration: number): Promise<void> => {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { id: { S: id } },
          // SET first: DynamoDB applies an update whole or not at all; moto_server applies clauses in
          // order and checks the size on SET, so this order keeps it as atomic as DynamoDB for the test.
          UpdateExpression: "SET expiration = :expiration ADD entries :entry",
          ConditionExpression: "attribute_not_exists(entries) OR size(entries) < :cap",
          ExpressionAttributeValues: { ":entry": { SS: [entry] }, ":expiration": { N: String(expiration) }, ":cap": { N: String(MINUTE_CAP) } },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return;
      // A minute that holds some 8,000 events is a flood far above any threshold: the event is
      // not added (its count is the flood's), but it is still counted against and may raise.
      if (!isItemTooLarge(error)) throw error;
    }
  };

  /** Every entry of these minutes' items, reading again what DynamoDB left unprocessed. */
  const readEntries = async (ids: readonly string[]): Promise<string[]> => {
    const entries: string[] = [];
    for (let start = 0; start < ids.length; start += BATCH_KEYS) {
      let keys: Array<Record<string, { S: string }>> = ids.slice(start, start + BATCH_KEYS).map((id) => ({ id: { S: id } }));
      for (let attempt = 1; keys.length > 0; attempt++) {
        // Unprocessed keys (throttled, or over 16 MB a call) are read again after a back-off, a few times.
        if (attempt > UNPROCESSED_ATTEMPTS) throw new Error(`window counter: ${keys.length} time buckets still unread after ${UNPROCESSED_ATTEMPTS} attempts`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const answer = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: "entries" } } }));
        for (const item of answer.Responses?.[tableName] ?? []) entries.push(...(item.entries?.SS ?? []));
        keys = (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
      }
    }
    return entries;
  };

  /**
   * Claims the key's quiet period for this event; false when another event holds it. The event
   * that raised is also marked on its own (`<prefix>.raised.<occurrence>`), so a retried raising
   * event raises again even after a later burst took the key (its first delivery may have failed
   * after the claim, say publishing the alert).
   */
  const claim = async (prefix: string, occurrence: string, at: number, until: number): Promise<boolean> => {
    const expiration = { N: String(Math.ceil(until / 1000) + KEEP_EXTRA_SECONDS) };
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { id: { S: `${prefix}.holder` }, occurrence: { S: occurrence }, until: { N: String(until) }, expiration },
          ConditionExpression: "attribute_not_exists(id) OR #until <= :at OR #occurrence = :me",
          ExpressionAttributeNames: { "#until": "until", "#occurrence": "occurrence" },
          ExpressionAttributeValues: { ":at": { N: String(at) }, ":me": { S: occurrence } },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const marked = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: `${prefix}.raised.${occurrence}` } }, ConsistentRead: true, ProjectionExpression: "id" }));
      return marked.Item !== undefined;
    }
    await client.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: `${prefix}.raised.${occurrence}` }, expiration } }));
    return true;
  };

  const countOne = async (request: CountRequest): Promise<WindowCount> => {
    const prefix = `${owner}.count.${sha256(request.key)}`;
    // A fixed-size digest: an occurrence of any length or content makes the same small entry.
    const occurrence = sha256(request.occurrence).slice(0, 32);
    const windowMs = request.windowSeconds * 1000;
    const bucketMs = BUCKET_SECONDS * 1000;
    const bucketOf = (at: number) => Math.floor(at / bucketMs) * BUCKET_SECONDS;
    const own = bucketOf(request.at);
    await record(`${prefix}.${own}`, `${request.at}|${occurrence}`, own + BUCKET_SECONDS + request.windowSeconds + KEEP_EXTRA_SECONDS);

    // Every window that holds this event: from a window before it to a window after it (an event
    // of the same burst may have been counted first although it happened later).
    const from = request.at - windowMs; // excluded
    const to = request.at + windowMs; // excluded
    const buckets: string[] = [];
    for (let bucket = bucketOf(from + 1); bucket <= bucketOf(to - 1); bucket += BUCKET_SECONDS) buckets.push(`${prefix}.${bucket}`);
    const around = new Map<string, number>();
    for (const entry of await readEntries(buckets)) {
      const bar = entry.indexOf("|");
      const at = Number(entry.slice(0, bar));
      if (bar > 0 && at > from && at < to) around.set(entry.slice(bar + 1), at);
    }
    // This event is in its windows even when its minute was too full to take it.
    around.set(occurrence, request.at);
    const times = [...around.values()].sort((a, b) => a - b);
    const count = peakWindowCount(times, request.at, windowMs, request.threshold);
    const raised = count >= request.threshold && (await claim(prefix, occurrence, request.at, request.at + request.quietSeconds * 1000));
    return { count, raised };
  };

  return {
    async count(requests: readonly CountRequest[]): Promise<EventCounts> {
      const answers = new Map<string, WindowCount>();
      // In order, as the in-memory counter answers them (a key asked twice sees its first answer's write).
      for (const request of requests) answers.set(request.key, await countOne(request));
      return countsFrom(answers);
    },
  };
}

function isConditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: unknown })?.name === "ConditionalCheckFailedException";
}

/** DynamoDB refuses an update that would grow an item past 400 KB with a ValidationException. */
function isItemTooLarge(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === "ValidationException" && typeof message === "string" && /item size.*maximum allowed size/i.test(message);
}
