import { snsPublisher } from "../alerts/sns-publisher.js";
import { type TrailguardConfig, loadConfigFromEnv } from "../config/config.js";
import type { Finding } from "../model/finding.js";
import { type Analyser, createAnalyser } from "../pipeline/analyse.js";
import { type EventOutcome, handleEvent, respondAndAlert } from "../pipeline/handle-event.js";
import { createAccountClients } from "../responder/account-clients.js";
import { executeActions } from "../responder/execute-actions.js";
import { RULES } from "../rules/registry.js";
import type { DetectionRule } from "../rules/rule.js";
import { type Logger, jsonLogger } from "../util/log.js";

/**
 * Wires the pure core to AWS once per Lambda container (or CLI run): configuration from the
 * environment (validated; a bad setting fails start-up loudly), IAM/STS/SNS clients, responder
 * and publisher. Handlers only call `handle`.
 */
export interface Runtime {
  readonly config: TrailguardConfig;
  readonly analyser: Analyser;
  handle(event: unknown): Promise<EventOutcome>;
  /** For callers that analysed already (replay): act on and alert about these findings. */
  respondAndAlert(findings: readonly Finding[]): Promise<{ findings: Finding[]; published: number }>;
}

export interface RuntimeOptions {
  readonly rules?: readonly DetectionRule[];
  readonly env?: NodeJS.ProcessEnv;
  readonly config?: TrailguardConfig;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Publish alerts when a topic is configured (default true). */
  readonly publish?: boolean;
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfigFromEnv(env);
  const logger = options.logger ?? jsonLogger();
  const now = options.now ?? (() => new Date());
  const clients = createAccountClients({
    // IAM is global; STS and SNS follow the function's region.
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    memberRoleName: config.memberRoleName,
    now,
  });
  const wantPublish = options.publish ?? true;
  if (wantPublish && !config.alertTopicArn) logger.log("warn", "ALERT_TOPIC_ARN is not set: findings are logged, not published");
  const publish = wantPublish && config.alertTopicArn ? snsPublisher(config.alertTopicArn, config.alertFormat) : undefined;
  const analyser = createAnalyser(config, options.rules ?? RULES);
  const respond = (finding: Finding) => executeActions(finding, { config, clients, now });
  const deps = { config, analyser, respond, publish, logger };
  return {
    config,
    analyser,
    handle: (event) => handleEvent(event, deps),
    respondAndAlert: (findings) => respondAndAlert(findings, deps),
  };
}
