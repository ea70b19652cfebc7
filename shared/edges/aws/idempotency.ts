import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import type { ResponseAction } from "../../core/model/action.js";

/**
 * Exactly-once steps under at-least-once delivery (Powertools Idempotency, DynamoDB conditional
 * writes with TTL). Each step of an event is its own record, keyed on the finding id (CloudTrail
 * eventID + rule): carrying out a finding's actions, and publishing its alert. So:
 *  - a duplicate delivery gets the stored results: no action and no alert is repeated;
 *  - if publishing fails, the invocation fails and is retried, and the retry skips the actions
 *    already done and only publishes;
 *  - if a step throws, or the Lambda times out inside it (the in-progress record expires with
 *    the invocation's remaining time; outside Lambda, after OUTSIDE_LAMBDA_LEASE_MS), the
 *    retry runs it again;
 *  - a concurrent duplicate finds the step in progress and fails, to be retried later.
 * If DynamoDB is unreachable the invocation fails and is retried like any other failure.
 */
export interface IdempotentSteps {
  respond(findingId: string, run: () => Promise<readonly ResponseAction[]>): Promise<readonly ResponseAction[]>;
  /** Publishing one event's alert: the stored result (message id, page or update, incident) is returned to duplicates. */
  publish<T extends object>(eventKey: string, run: () => Promise<T>): Promise<T>;
  /**
   * Call before each invocation's steps. In Lambda, pass the invocation's context: an
   * in-progress record then expires with the invocation's remaining time, so the retry of a
   * timed-out step runs it again. Without one (the replay CLI, tests), each step holds its
   * record for OUTSIDE_LAMBDA_LEASE_MS instead.
   */
  registerContext(context: Context | undefined): void;
}

/**
 * How long a step started outside Lambda holds its in-progress record. Powertools ties that
 * expiry to the Lambda context's remaining time; with no context it sets none (and warns "Did
 * you call registerLambdaContext"), and a step whose process died mid-way would then block its
 * key until the whole record expires (idempotencyTtlSeconds, two days by default). Outside
 * Lambda nothing ends a run at a deadline, so a fixed lease stands in: 15 minutes, Lambda's
 * longest timeout, so no step is given less time than it could have in Lambda.
 */
export const OUTSIDE_LAMBDA_LEASE_MS = 15 * 60 * 1000;

/**
 * What Powertools reads of a context: only getRemainingTimeInMillis (IdempotencyHandler passes
 * it to saveInProgress). A constant, so it is a lease per step rather than a deadline.
 */
const outsideLambda = { getRemainingTimeInMillis: () => OUTSIDE_LAMBDA_LEASE_MS } as Pick<Context, "getRemainingTimeInMillis"> as Context;

export interface IdempotencyOptions {
  readonly tableName: string;
  /**
   * Whose records these are (the Lambda function name). Keys start with it, and each function's
   * role may write only its own keys (dynamodb:LeadingKeys), so one function whose code was
   * replaced cannot mark another's alert as already sent.
   */
  readonly owner?: string;
  readonly expiresAfterSeconds: number;
  readonly client?: DynamoDBClient;
}

type Step<T> = (key: string, run: () => Promise<T>) => Promise<T>;

export function dynamoDbIdempotency(options: IdempotencyOptions): IdempotentSteps {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    ...(options.client ? { awsSdkV3Client: options.client } : { clientConfig: { maxAttempts: 5 } }),
  });
  // The key is the payload itself (the finding id), so Powertools never evaluates a JMESPath
  // expression: the Lambda bundles replace its JMESPath engine by a stub (deploy/no-jmespath.mjs,
  // about 22 KiB less each). The hash is the one `eventKeyJmesPath: "key"` on `{ key }` gave.
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "",
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    lambdaContext: outsideLambda,
  });
  const owner = options.owner ?? "trailguard";
  const step = <T>(keyPrefix: string): Step<T> =>
    makeIdempotent(async (_key: string, run: () => Promise<T>) => run(), { persistenceStore, config, keyPrefix: `${owner}.${keyPrefix}`, dataIndexArgument: 0 }) as Step<T>;
  const respondStep = step<readonly ResponseAction[]>("respond");
  // The stored result must be JSON (a message id that is undefined is simply left out).
  const publishStep = step<object>("alert");
  return {
    respond: (findingId, run) => respondStep(findingId, run),
    publish: async <T extends object>(eventKey: string, run: () => Promise<T>) => (await publishStep(eventKey, run)) as T,
    // Replaced on every call: a Lambda invocation never inherits the previous one's deadline,
    // and a call without a context never inherits a Lambda context.
    registerContext: (context) => config.registerLambdaContext(context ?? outsideLambda),
  };
}
