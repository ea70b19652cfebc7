import { IdempotencyPersistenceLayerError } from "@aws-lambda-powertools/idempotency";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { type SendAlert, snsPublisher } from "../aws/sns-publisher.js";
import { composeAlert } from "../../core/alerting/compose.js";
import { type IncidentTracker, incidentPolicy } from "../../core/alerting/incident.js";
import { createSuppressor, expiredSuppressions } from "../../core/alerting/suppression.js";
import { NO_METRICS, type RuntimeMetrics } from "../../core/model/metrics.js";
import { alertHeadline, buildAlertMessage } from "../../core/report/alert-message.js";
import { memoryIncidentTracker } from "../../core/state/memory-incident-tracker.js";
import { dynamoDbIncidentStore } from "../aws/incident-store.js";
import type { TrailguardConfig } from "../../core/config/config.js";
import { loadConfigFromEnv } from "../config/load-config.js";
import type { Finding } from "../../core/model/finding.js";
import { type Analyser, createAnalyser } from "../../core/engine/analyse.js";
import { type EventOutcome, type PublishedAlert, handleEvent, respondAndAlert } from "../../core/engine/handle-event.js";
import type { DetectionRule } from "../../core/rules/rule.js";
import { type Logger, powertoolsLogger } from "../log/log.js";
import { applyRelease } from "../../core/response/release.js";
import { dynamoDbLedger } from "../aws/containment-ledger.js";
import { dynamoDbIdempotency } from "../aws/idempotency.js";
import { dynamoDbWindowCounter } from "../aws/window-counter.js";
import type { WindowCounter } from "../../core/model/window-counts.js";
import type { LookupFetcher } from "../aws/iam-lookups.js";

/**
 * Wires the pure core to AWS once per Lambda container (or CLI run): configuration from the
 * environment (validated; a bad setting fails start-up loudly), the responder, the publisher
 * and the idempotency store. Handlers only call `handle`. The responder is passed in, so a
 * function that only alerts does not bundle IAM and STS clients it must never use.
 */
export interface Runtime {
  readonly config: TrailguardConfig;
  readonly analyser: Analyser;
  /** `context`: the Lambda context, so an in-progress step expires with the invocation. */
  handle(event: unknown, context?: Context): Promise<EventOutcome>;
  /** For callers that analysed already (replay): act on and alert about these findings. */
  respondAndAlert(findings: readonly Finding[]): Promise<{ findings: Finding[]; published: number }>;
}

export interface RuntimeOptions {
  /** The rules this function runs: its own registry (a function bundles only the rules it imports). */
  readonly rules: readonly DetectionRule[];
  readonly env?: NodeJS.ProcessEnv;
  readonly config?: TrailguardConfig;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Publish alerts when a topic is configured (default true). */
  readonly publish?: boolean;
  /** For tests: the DynamoDB client of the idempotency store. */
  readonly dynamoDb?: DynamoDBClient;
  /**
   * When the idempotency store fails, publish anyway (a possible duplicate page beats silence).
   * For alert-only functions: a deleted or unreachable table must not silence tamper alerts.
   * Functions that act fail closed instead: no action without the record that it ran once.
   */
  readonly alertWithoutIdempotencyStore?: boolean;
  /** Counts findings, actions and alerts (Powertools Metrics in Lambda); default: nothing counted. */
  readonly metrics?: RuntimeMetrics;
  /** For tests: an account's name when configuration has none (default: the function's own reader, if any). */
  readonly accountAlias?: AccountAlias;
}

/** An account's IAM alias, when the function may read it; undefined otherwise. Never throws. */
export type AccountAlias = (account: string) => Promise<string | undefined>;

/** The exactly-once key of an event's alert: the event (eventID and the record's content) and the findings told. */
export function alertStepKey(findings: readonly Finding[]): string {
  const first = findings[0];
  const rules = findings.map((finding) => finding.ruleId).sort().join(",");
  return `${first?.eventId ?? "none"}#${first?.contentDigest ?? ""}#${rules}`;
}

/** The exactly-once key of a finding's steps: the finding (eventID + rule) and the record's content. */
export function stepKey(finding: Finding): string {
  return finding.contentDigest ? `${finding.findingId}#${finding.contentDigest}` : finding.findingId;
}

/** Carries out a finding's planned actions; never throws for an AWS error (it is recorded). */
export type Responder = (finding: Finding) => Promise<Finding>;
export type ResponderFactory = (config: TrailguardConfig, env: NodeJS.ProcessEnv, now: () => Date) => Responder;
/** Answers the rules' lookups (read-only calls) for a function that may read; alert-only functions have none. */
export type LookupFactory = (config: TrailguardConfig, env: NodeJS.ProcessEnv, now: () => Date) => LookupFetcher;

/** Reads account aliases for a function that has IAM clients (the responder); alert-only functions use configuration only. */
export type AccountAliasFactory = (config: TrailguardConfig, env: NodeJS.ProcessEnv, now: () => Date) => AccountAlias;

export function buildRuntime(options: RuntimeOptions, makeResponder: ResponderFactory, makeLookup?: LookupFactory, makeAccountAlias?: AccountAliasFactory): Runtime {
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfigFromEnv(env);
  const logger = options.logger ?? powertoolsLogger({ env });
  const now = options.now ?? (() => new Date());
  const wantPublish = options.publish ?? true;
  if (wantPublish && !config.alertTopicArn) logger.log("warn", "ALERT_TOPIC_ARN is not set: findings are logged, not published");
  const sendAlert = wantPublish && config.alertTopicArn ? snsPublisher(config.alertTopicArn) : undefined;
  const metrics = options.metrics ?? NO_METRICS;
  const suppressor = config.suppressions.length > 0 ? createSuppressor(config.suppressions) : undefined;
  for (const expired of config.suppressions.length > 0 ? expiredSuppressions(config.suppressions, now()) : []) {
    logger.log("warn", "suppression expired: its findings page again", { suppressionId: expired.id, expires: expired.expires, reason: expired.reason });
  }
  const policy = incidentPolicy(config);
  // Incidents live in the stack's table, shared by its functions (one page between the root
  // monitor and the responder for one root call); without a table, in this container's memory.
  const incidents: IncidentTracker = config.idempotencyTable
    ? dynamoDbIncidentStore({ tableName: config.idempotencyTable, policy, ...(options.dynamoDb ? { client: options.dynamoDb } : {}) })
    : memoryIncidentTracker(policy);
  const analyser = createAnalyser(config, options.rules);
  const executeActions = makeResponder(config, env, now);
  const owner = env.AWS_LAMBDA_FUNCTION_NAME ?? "trailguard";
  const ledger = config.idempotencyTable
    ? dynamoDbLedger({ tableName: config.idempotencyTable, owner, ...(options.dynamoDb ? { client: options.dynamoDb } : {}) })
    : undefined;
  // The ledger is the table too: a failure there pages through the same metric filter.
  const ledgerFailed = (error: unknown, finding: Finding, then: string) =>
    logger.log("error", `containment ledger failed: ${then}`, { idempotencyStoreFailed: 1, containmentLedgerFailed: 1, findingId: finding.findingId, error: String(error) });
  /**
   * A release's own call (recorded by `npm run release`, same caller) is not contained again;
   * whatever was changed is recorded so it can be released. An unreadable ledger fails safe:
   * the containment goes ahead.
   */
  const execute: Responder = ledger
    ? async (finding) => {
        if (!finding.actions.some((action) => action.status === "planned")) return finding;
        let current = finding;
        try {
          current = applyRelease(finding, await ledger.releaseFor(finding, now));
        } catch (error) {
          ledgerFailed(error, finding, "a release could not be checked, containing as usual");
        }
        const executed = await executeActions(current);
        try {
          await ledger.record(executed, now());
        } catch (error) {
          ledgerFailed(error, finding, "what was changed is not recorded: release it by hand from the alert");
        }
        return executed;
      }
    : executeActions;
  const steps = config.idempotencyTable
    ? dynamoDbIdempotency({
        tableName: config.idempotencyTable,
        expiresAfterSeconds: config.idempotencyTtlSeconds,
        owner,
        ...(options.dynamoDb ? { client: options.dynamoDb } : {}),
      })
    : undefined;
  // Logged with a numeric field a CloudWatch metric filter counts: the store failing pages.
  const storeFailed = (error: unknown, findingId: string, then: string) => {
    const failed = error instanceof IdempotencyPersistenceLayerError;
    if (failed) logger.log("error", `idempotency store failed: ${then}`, { idempotencyStoreFailed: 1, findingId, error: String(error), cause: String(error.cause) });
    return failed;
  };
  const respond: Responder = steps
    ? async (finding) => {
        if (!finding.actions.some((action) => action.status === "planned")) return finding;
        try {
          const actions = await steps.respond(stepKey(finding), async () => (await execute(finding)).actions);
          return { ...finding, actions };
        } catch (error) {
          storeFailed(error, finding.findingId, "no action taken (fail closed), the event will be retried");
          throw error;
        }
      }
    : execute;
  const accountAlias = options.accountAlias ?? makeAccountAlias?.(config, env, now);
  const accountName = async (account: string | undefined) =>
    account === undefined ? undefined : (config.accountNames[account] ?? (accountAlias ? await accountAlias(account) : undefined));
  /** Composes (incident, account name) and sends one event's alert: the step that runs once per event. */
  const composeAndSend = (send: SendAlert) => async (findings: readonly Finding[]): Promise<PublishedAlert> => {
    const alert = await composeAlert(findings, { incidents, policy, now, headline: alertHeadline, accountName, logger });
    const messageId = await send(buildAlertMessage(alert, { httpsFormat: config.httpsAlertFormat }));
    return { ...(messageId === undefined ? {} : { messageId }), kind: alert.kind, incidentId: alert.incident.id } as PublishedAlert;
  };
  const publishOnce = sendAlert ? composeAndSend(sendAlert) : undefined;
  const publish =
    publishOnce && steps
      ? async (findings: readonly Finding[]) => {
          const key = alertStepKey(findings);
          try {
            return await steps.publish(key, () => publishOnce(findings));
          } catch (error) {
            if (!options.alertWithoutIdempotencyStore) {
              storeFailed(error, key, "alert not published, the event will be retried");
              throw error;
            }
            if (!storeFailed(error, key, "publishing without deduplication")) throw error;
            return publishOnce(findings);
          }
        }
      : publishOnce;
  const lookup = makeLookup?.(config, env, now);
  // Counts for the rules that judge a burst (the failure monitor's), in the same table under the
  // same owner prefix. A failure pages like the store's and fails the event, to be retried: a
  // count that was not kept is not a "below the threshold".
  const store = config.idempotencyTable && options.rules.some((rule) => rule.counts !== undefined)
    ? dynamoDbWindowCounter({ tableName: config.idempotencyTable, owner, ...(options.dynamoDb ? { client: options.dynamoDb } : {}) })
    : undefined;
  const counter: WindowCounter | undefined = store && {
    count: async (requests) => {
      try {
        return await store.count(requests);
      } catch (error) {
        logger.log("error", "window counter failed: the event will be retried", { idempotencyStoreFailed: 1, windowCounterFailed: 1, requests: requests.length, error: String(error) });
        throw error;
      }
    },
  };
  const deps = { config, analyser, respond, publish, logger, metrics, now, ...(suppressor ? { suppressor } : {}), ...(lookup ? { lookup } : {}), ...(counter ? { counter } : {}) };
  return {
    config,
    analyser,
    handle: (event, context) => {
      // Every invocation says whose time its steps run on: the Lambda context (in Lambda, always
      // given) or, without one, the lease of a run outside Lambda. Never a previous invocation's.
      steps?.registerContext(context);
      return handleEvent(event, deps);
    },
    respondAndAlert: (findings) => {
      // Replay: no Lambda invocation, so the steps hold their records for the outside-Lambda lease.
      steps?.registerContext(undefined);
      return respondAndAlert(findings, deps);
    },
  };
}
