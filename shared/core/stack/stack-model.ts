import { EXPOSURE_RULES, FAILURE_RULES, IAM_RULES, ROOT_MONITOR_RULES, TAMPER_RULES } from "../rules/registry.js";
import type { DetectionRule } from "../rules/rule.js";
import { type RenderedPattern, type TemplateValue, renderPatterns } from "./event-patterns.js";

/**
 * The deployable stack's own resources, rendered from rule metadata (pure; serverless.yml loads
 * it through deploy/stack-model.cjs at package time). It owns what makes trailguard defensible:
 *  - the input path: EventBridge rule -> SQS queue that only those rules may write to -> the
 *    function (which verifies every message is in flight on its queue), never EventBridge -> Lambda;
 *  - the names of everything, handed to the functions so tampering is judged against the stack's
 *    own resources, never a guess;
 *  - the alarms that turn silence into a page, and the heartbeat that proves the path end to end.
 */
export interface StackNames {
  readonly service: string;
  readonly stage: string;
}

/** Functions fed by EventBridge through an input queue, with the rules each runs. */
export interface Consumer {
  readonly name: "iam-responder" | "root-monitor" | "exposure-monitor" | "failure-monitor" | "tamper-monitor";
  readonly rules: readonly DetectionRule[];
  /** Whose identity its rules watch (trailguardCallersOnly rules): functions by name. */
  readonly watchesIdentityOf: readonly FunctionName[];
  /** Whose resources its tampering rule watches (all of trailguard, or only the tamper monitor). */
  readonly watchesResourcesOf: "all" | readonly FunctionName[];
}

export type FunctionName = Consumer["name"] | "heartbeat" | "securityhub-exporter";
export const FUNCTION_NAMES: readonly FunctionName[] = ["iam-responder", "root-monitor", "exposure-monitor", "failure-monitor", "tamper-monitor", "heartbeat", "securityhub-exporter"];

export const CONSUMERS: readonly Consumer[] = [
  { name: "iam-responder", rules: IAM_RULES, watchesIdentityOf: [], watchesResourcesOf: [] },
  // The root monitor watches the watcher: the tamper monitor cannot be trusted to report its own replacement.
  { name: "root-monitor", rules: ROOT_MONITOR_RULES, watchesIdentityOf: ["tamper-monitor"], watchesResourcesOf: ["tamper-monitor"] },
  { name: "exposure-monitor", rules: EXPOSURE_RULES, watchesIdentityOf: [], watchesResourcesOf: [] },
  // Failures are cheap for anyone to make: a flood of them waits in this queue, delaying no other detection.
  { name: "failure-monitor", rules: FAILURE_RULES, watchesIdentityOf: [], watchesResourcesOf: [] },
  { name: "tamper-monitor", rules: TAMPER_RULES, watchesIdentityOf: FUNCTION_NAMES, watchesResourcesOf: "all" },
];

import { INPUT_VISIBILITY_TIMEOUT_SECONDS } from "./timing.js";
export { FUNCTION_TIMEOUT_SECONDS, INPUT_VISIBILITY_TIMEOUT_SECONDS } from "./timing.js";
/** Deliveries of a message before it is parked in the dead-letter queue. */
export const MAX_RECEIVES = 5;
export const HEARTBEAT_RATE_MINUTES = 5;
/** No heartbeat for this long pages: CloudTrail delivers to EventBridge within minutes, rarely 15. */
export const HEARTBEAT_ALARM_PERIOD_SECONDS = 900;
export const HEARTBEAT_ALARM_PERIODS = 2;

const RETRY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 20 };
const DLQ_ARN = { "Fn::GetAtt": ["DeliveryDeadLetterQueue", "Arn"] };

export const prefixOf = (names: StackNames) => `${names.service}-${names.stage}`;
/** Serverless' logical id for a function name: "iam-responder" -> "IamDashresponder". */
export const logicalIdOf = (fn: FunctionName) => `${fn.charAt(0).toUpperCase()}${fn.slice(1).replace(/-/g, "Dash")}`;
export const functionNameOf = (names: StackNames, fn: FunctionName) => `${prefixOf(names)}-${fn}`;
export const roleArnOf = (names: StackNames, fn: FunctionName): TemplateValue => ({ "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${functionNameOf(names, fn)}` });
export const queueIdOf = (fn: FunctionName) => `${logicalIdOf(fn)}InputQueue`;
export const queueArnOf = (fn: FunctionName): TemplateValue => ({ "Fn::GetAtt": [queueIdOf(fn), "Arn"] });

export interface ConsumerRule extends RenderedPattern {
  readonly logicalId: string;
  readonly name: string;
}

export function consumerRules(names: StackNames, consumer: Consumer): ConsumerRule[] {
  const watched = consumer.watchesIdentityOf.map((fn) => roleArnOf(names, fn));
  return renderPatterns(consumer.rules, watched).map((rendered) => ({
    ...rendered,
    logicalId: `${logicalIdOf(consumer.name)}${rendered.suffix
      .split("-")
      .map((part) => part[0]?.toUpperCase() + part.slice(1))
      .join("")}Rule`,
    name: `${functionNameOf(names, consumer.name)}-${rendered.suffix}`,
  }));
}

export interface AlarmSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly description: string;
  readonly properties: Record<string, unknown>;
  /** A CloudFormation condition the alarm is created under (the optional Security Hub export's). */
  readonly condition?: string;
}

/** CloudWatch Logs metric filters on the functions' JSON log lines (test/self-defence/metric-filters.test.ts proves they match). */
export const METRICS = {
  storeFailures: { metric: "IdempotencyStoreFailures", filter: "{ $.idempotencyStoreFailed = 1 }" },
  inputRejected: { metric: "InputRejected", filter: "{ $.inputRejected = 1 }" },
  heartbeats: { metric: "HeartbeatsSeen", filter: '{ $.ruleId = "trailguard-heartbeat" }' },
} as const;

export const metricNamespace = (names: StackNames) => `trailguard/${prefixOf(names)}`;

export function alarms(names: StackNames): AlarmSpec[] {
  const prefix = prefixOf(names);
  const namespace = metricNamespace(names);
  const above = (metric: Record<string, unknown>, threshold: number) => ({
    ...metric,
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: threshold,
    ComparisonOperator: "GreaterThanThreshold",
    TreatMissingData: "notBreaching",
  });
  // No data at all is the failure these alarms exist for: missing data counts as silence.
  const silent = (metric: Record<string, unknown>) => ({
    ...metric,
    Statistic: "Sum",
    Period: HEARTBEAT_ALARM_PERIOD_SECONDS,
    EvaluationPeriods: HEARTBEAT_ALARM_PERIODS,
    DatapointsToAlarm: HEARTBEAT_ALARM_PERIODS,
    Threshold: 1,
    ComparisonOperator: "LessThanThreshold",
    TreatMissingData: "breaching",
  });
  const tamperMonitor = CONSUMERS.find((consumer) => consumer.name === "tamper-monitor");
  const identityRule = tamperMonitor && consumerRules(names, tamperMonitor).find((rule) => rule.suffix === "own-identity");
  if (!identityRule) throw new Error("the tamper monitor has no rule for trailguard's own identity: nothing would carry the heartbeat");
  const lambdaMetric = (fn: FunctionName, metric: string) => ({
    Namespace: "AWS/Lambda",
    MetricName: metric,
    Dimensions: [{ Name: "FunctionName", Value: functionNameOf(names, fn) }],
    Statistic: "Sum",
  });
  const specs: AlarmSpec[] = [
    {
      logicalId: "UndeliveredEventsAlarm",
      name: `${prefix}-undelivered-events`,
      description: "Events trailguard could not process after every retry are waiting in the dead-letter queue: read them, fix the cause, redrive.",
      properties: above({ Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: `${prefix}-undelivered` }], Statistic: "Maximum" }, 0),
    },
    {
      logicalId: "IdempotencyStoreAlarm",
      name: `${prefix}-idempotency-store-failures`,
      description: "trailguard's idempotency table failed (deleted, throttled, unreachable): the responder takes no action until it answers.",
      properties: above({ Namespace: namespace, MetricName: METRICS.storeFailures.metric, Statistic: "Sum" }, 0),
    },
    {
      logicalId: "InputRejectedAlarm",
      name: `${prefix}-input-rejected`,
      description: "A trailguard function was handed an event that did not come through its input queue (a direct invocation or a forged record): someone is trying to steer it.",
      properties: above({ Namespace: namespace, MetricName: METRICS.inputRejected.metric, Statistic: "Sum" }, 0),
    },
    {
      logicalId: "HeartbeatMissingAlarm",
      name: `${prefix}-heartbeat-missing`,
      description: `No heartbeat reached trailguard for ${(HEARTBEAT_ALARM_PERIOD_SECONDS * HEARTBEAT_ALARM_PERIODS) / 60} minutes: CloudTrail stopped logging, an EventBridge rule or queue is broken, or the tamper monitor is down. trailguard is blind until this clears.`,
      properties: silent({ Namespace: namespace, MetricName: METRICS.heartbeats.metric }),
    },
    {
      // The same silence seen by EventBridge itself: AWS/Events metrics cannot be published by
      // anyone (cloudwatch:PutMetricData refuses AWS/ namespaces), so faking the heartbeat metric
      // above does not silence this one. The own-identity rule matches the heartbeat's event.
      logicalId: "HeartbeatNotMatchedAlarm",
      name: `${prefix}-heartbeat-not-matched`,
      description: `EventBridge matched no call by trailguard's roles for ${(HEARTBEAT_ALARM_PERIOD_SECONDS * HEARTBEAT_ALARM_PERIODS) / 60} minutes, although the heartbeat makes one every ${HEARTBEAT_RATE_MINUTES} minutes: CloudTrail or the rule is not delivering.`,
      properties: silent({ Namespace: "AWS/Events", MetricName: "MatchedEvents", Dimensions: [{ Name: "RuleName", Value: identityRule.name }] }),
    },
  ];
  for (const fn of FUNCTION_NAMES) {
    const id = logicalIdOf(fn);
    specs.push(
      { logicalId: `${id}ErrorsAlarm`, name: `${prefix}-${fn}-errors`, description: `The ${fn} function failed (its events are retried, then parked in the dead-letter queue).`, properties: above(lambdaMetric(fn, "Errors"), 0) },
      { logicalId: `${id}ThrottlesAlarm`, name: `${prefix}-${fn}-throttles`, description: `The ${fn} function was throttled (concurrency exhausted or set to zero).`, properties: above(lambdaMetric(fn, "Throttles"), 0) },
    );
  }
  specs.push({
    logicalId: `${logicalIdOf(SECURITY_HUB_EXPORTER)}UndeliveredAlarm`,
    name: `${prefix}-${SECURITY_HUB_EXPORTER}-undelivered`,
    description: "Alerts Security Hub did not take after every retry (Security Hub not enabled, access denied, a refused finding) wait in the exporter's dead-letter queue: read the exporter's log, fix the cause, redrive.",
    properties: above({ Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: `${prefix}-${SECURITY_HUB_EXPORTER}-undelivered` }], Statistic: "Maximum" }, 0),
    condition: SECURITY_HUB_CONDITION,
  });
  for (const consumer of CONSUMERS) {
    specs.push({
      logicalId: `${logicalIdOf(consumer.name)}BacklogAlarm`,
      name: `${prefix}-${consumer.name}-backlog`,
      description: `Events wait in the ${consumer.name} input queue for over 15 minutes: the function is not consuming them.`,
      properties: above({ Namespace: "AWS/SQS", MetricName: "ApproximateAgeOfOldestMessage", Dimensions: [{ Name: "QueueName", Value: `${prefix}-${consumer.name}-input` }], Statistic: "Maximum" }, 900),
    });
  }
  return specs;
}

// ---------------------------------------------------------------------------------------------
// The optional Security Hub export
// ---------------------------------------------------------------------------------------------

export const SECURITY_HUB_EXPORTER = "securityhub-exporter" satisfies FunctionName;
/** The template parameter (its default is the `securityHub` stage parameter) and the condition on it. */
export const SECURITY_HUB_PARAMETER = "SecurityHub";
export const SECURITY_HUB_CONDITION = "SecurityHubExport";
const SECURITY_HUB_IDS = {
  queue: queueIdOf(SECURITY_HUB_EXPORTER),
  deadLetterQueue: `${logicalIdOf(SECURITY_HUB_EXPORTER)}DeadLetterQueue`,
  subscription: `${logicalIdOf(SECURITY_HUB_EXPORTER)}Subscription`,
  eventSourceMapping: `${logicalIdOf(SECURITY_HUB_EXPORTER)}EventSourceMapping`,
} as const;
export const securityHubQueueName = (names: StackNames) => `${prefixOf(names)}-${SECURITY_HUB_EXPORTER}-input`;
export const securityHubDeadLetterQueueName = (names: StackNames) => `${prefixOf(names)}-${SECURITY_HUB_EXPORTER}-undelivered`;
/**
 * The queues' ARNs built from their names, not GetAtt: they exist only under the condition, and
 * the exporter's role and the own-resource lists must be valid without them.
 */
export const securityHubQueueArns = (names: StackNames): string[] =>
  [securityHubQueueName(names), securityHubDeadLetterQueueName(names)].map((name) => `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${name}`);

/** The value `--param="securityHub=…"` gives: "true" or "false", nothing else. */
export function securityHubSetting(value: unknown): "true" | "false" {
  const text = String(value ?? "").trim().toLowerCase();
  if (text === "" || text === "false") return "false";
  if (text === "true") return "true";
  throw new Error(`securityHub must be "true" or "false", not ${JSON.stringify(String(value))}`);
}

/**
 * The Security Hub export's queue path, all under one condition (the template parameter
 * `SecurityHub`, whose default is the stage parameter): the alert topic delivers every alert to
 * a queue (raw, so the body is the alert document) that only the topic may send to and only the
 * exporter's role may read; the exporter reads it through an event source mapping with partial
 * batch failures, and what Security Hub never takes is parked in the queue's own dead-letter
 * queue (its alarm pages). With the parameter "false" none of it exists and the exporter, which
 * nothing then invokes, costs nothing.
 */
export function securityHubResources(names: StackNames, enabled: "true" | "false"): { Parameters: Record<string, unknown>; Conditions: Record<string, unknown>; Resources: Record<string, unknown> } {
  const condition = SECURITY_HUB_CONDITION;
  const queueArn = { "Fn::GetAtt": [SECURITY_HUB_IDS.queue, "Arn"] };
  const topic = { Ref: "AlertTopic" };
  return {
    Parameters: {
      [SECURITY_HUB_PARAMETER]: {
        Type: "String",
        AllowedValues: ["true", "false"],
        Default: enabled,
        Description: "Import every alert's findings into AWS Security Hub (ASFF); Security Hub must be enabled in the account (stage parameter securityHub)",
      },
    },
    Conditions: { [condition]: { "Fn::Equals": [{ Ref: SECURITY_HUB_PARAMETER }, "true"] } },
    Resources: {
      [SECURITY_HUB_IDS.deadLetterQueue]: {
        Type: "AWS::SQS::Queue",
        Condition: condition,
        Properties: { QueueName: securityHubDeadLetterQueueName(names), MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      },
      [SECURITY_HUB_IDS.queue]: {
        Type: "AWS::SQS::Queue",
        Condition: condition,
        Properties: {
          QueueName: securityHubQueueName(names),
          VisibilityTimeout: INPUT_VISIBILITY_TIMEOUT_SECONDS,
          MessageRetentionPeriod: 1209600,
          // SQS-managed encryption: SNS delivers to it without a grant on a key of its own.
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [SECURITY_HUB_IDS.deadLetterQueue, "Arn"] }, maxReceiveCount: MAX_RECEIVES },
        },
      },
      [`${SECURITY_HUB_IDS.queue}Policy`]: {
        Type: "AWS::SQS::QueuePolicy",
        Condition: condition,
        Properties: {
          Queues: [{ Ref: SECURITY_HUB_IDS.queue }],
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "OnlyTheAlertTopicSends",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": topic } },
              },
              {
                // Nobody else may write: a forged document would become a Security Hub finding.
                Sid: "NoOtherSender",
                Effect: "Deny",
                Principal: "*",
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnNotEquals: { "aws:SourceArn": topic } },
              },
              {
                Sid: "OnlyTheExporterReceives",
                Effect: "Deny",
                Principal: "*",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
                Resource: queueArn,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": roleArnOf(names, SECURITY_HUB_EXPORTER) } },
              },
            ],
          },
        },
      },
      [SECURITY_HUB_IDS.subscription]: {
        Type: "AWS::SNS::Subscription",
        Condition: condition,
        // The queue must accept the topic before the first alert is delivered.
        DependsOn: [`${SECURITY_HUB_IDS.queue}Policy`],
        // Raw: the body is the message SNS delivers to SQS (the alert document), not SNS's envelope.
        Properties: { TopicArn: topic, Protocol: "sqs", Endpoint: queueArn, RawMessageDelivery: true },
      },
      [SECURITY_HUB_IDS.eventSourceMapping]: {
        Type: "AWS::Lambda::EventSourceMapping",
        Condition: condition,
        Properties: {
          EventSourceArn: queueArn,
          FunctionName: { "Fn::GetAtt": [`${logicalIdOf(SECURITY_HUB_EXPORTER)}LambdaFunction`, "Arn"] },
          BatchSize: 10,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          Enabled: true,
        },
      },
    },
  };
}

/** CloudFormation resources and outputs that serverless.yml merges into the stack. */
export function stackResources(
  names: StackNames,
  options: { readonly securityHub?: "true" | "false" } = {},
): { Resources: Record<string, unknown>; Outputs: Record<string, unknown>; Parameters: Record<string, unknown>; Conditions: Record<string, unknown> } {
  const prefix = prefixOf(names);
  const Resources: Record<string, unknown> = {};
  for (const consumer of CONSUMERS) {
    const rules = consumerRules(names, consumer);
    const queueId = queueIdOf(consumer.name);
    const ruleArns = rules.map((rule) => ({ "Fn::GetAtt": [rule.logicalId, "Arn"] }));
    Resources[queueId] = {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: `${prefix}-${consumer.name}-input`,
        VisibilityTimeout: INPUT_VISIBILITY_TIMEOUT_SECONDS,
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: DLQ_ARN, maxReceiveCount: MAX_RECEIVES },
      },
    };
    Resources[`${queueId}Policy`] = {
      Type: "AWS::SQS::QueuePolicy",
      Properties: {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "OnlyTrailguardRulesSend",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queueArnOf(consumer.name),
              Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
            },
            {
              // Nobody else may write: not an IAM principal (no aws:SourceArn), not another rule.
              Sid: "NoOtherSender",
              Effect: "Deny",
              Principal: "*",
              Action: "sqs:SendMessage",
              Resource: queueArnOf(consumer.name),
              Condition: { ArnNotEquals: { "aws:SourceArn": ruleArns } },
            },
            {
              // Only the function's role receives (so only it ever holds a valid receipt handle).
              Sid: "OnlyTheFunctionReceives",
              Effect: "Deny",
              Principal: "*",
              Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
              Resource: queueArnOf(consumer.name),
              Condition: { ArnNotEquals: { "aws:PrincipalArn": roleArnOf(names, consumer.name) } },
            },
          ],
        },
      },
    };
    for (const rule of rules) {
      Resources[rule.logicalId] = {
        Type: "AWS::Events::Rule",
        Properties: {
          Name: rule.name,
          Description: `trailguard: events for ${consumer.name}, rendered from its rules' metadata`,
          EventPattern: rule.pattern,
          State: rule.state,
          Targets: [{ Id: "input-queue", Arn: queueArnOf(consumer.name), RetryPolicy: RETRY, DeadLetterConfig: { Arn: DLQ_ARN } }],
        },
      };
    }
    for (const [key, spec] of Object.entries(METRICS)) {
      if (key === "heartbeats" && consumer.name !== "tamper-monitor") continue;
      Resources[`${logicalIdOf(consumer.name)}${spec.metric}Filter`] = {
        Type: "AWS::Logs::MetricFilter",
        DependsOn: `${logicalIdOf(consumer.name)}LogGroup`,
        Properties: {
          LogGroupName: `/aws/lambda/${functionNameOf(names, consumer.name)}`,
          FilterPattern: spec.filter,
          MetricTransformations: [{ MetricNamespace: metricNamespace(names), MetricName: spec.metric, MetricValue: "1" }],
        },
      };
    }
  }
  Resources.HeartbeatScheduleRule = {
    Type: "AWS::Events::Rule",
    Properties: {
      Name: `${prefix}-heartbeat-schedule`,
      Description: "trailguard: the heartbeat canary's schedule",
      ScheduleExpression: `rate(${HEARTBEAT_RATE_MINUTES} minutes)`,
      State: "ENABLED",
      Targets: [{ Id: "heartbeat", Arn: { "Fn::GetAtt": ["HeartbeatLambdaFunction", "Arn"] } }],
    },
  };
  Resources.HeartbeatSchedulePermission = {
    Type: "AWS::Lambda::Permission",
    Properties: {
      FunctionName: { Ref: "HeartbeatLambdaFunction" },
      Action: "lambda:InvokeFunction",
      Principal: "events.amazonaws.com",
      SourceArn: { "Fn::GetAtt": ["HeartbeatScheduleRule", "Arn"] },
    },
  };
  for (const alarm of alarms(names)) {
    Resources[alarm.logicalId] = {
      Type: "AWS::CloudWatch::Alarm",
      ...(alarm.condition ? { Condition: alarm.condition } : {}),
      Properties: { AlarmName: alarm.name, AlarmDescription: alarm.description, ActionsEnabled: true, AlarmActions: [{ Ref: "AlertTopic" }], ...alarm.properties },
    };
  }
  Resources.AlertKeyAlias = { Type: "AWS::KMS::Alias", Properties: { AliasName: `alias/${prefix}-alerts`, TargetKeyId: { Ref: "AlertKey" } } };
  const securityHub = securityHubResources(names, options.securityHub ?? "false");
  Object.assign(Resources, securityHub.Resources);
  return {
    Parameters: securityHub.Parameters,
    Conditions: securityHub.Conditions,
    Resources,
    Outputs: Object.fromEntries(
      CONSUMERS.map((consumer) => [`${logicalIdOf(consumer.name)}InputQueueUrl`, { Description: `Input queue of ${consumer.name} (only its EventBridge rules may send)`, Value: { Ref: queueIdOf(consumer.name) } }]),
    ),
  };
}

/**
 * TRAILGUARD_OWN_RESOURCES for a function, as a CloudFormation Fn::Sub of its JSON: the stack's
 * own names and ARNs, resolved at deploy time. The tamper monitor watches everything; the root
 * monitor only the tamper monitor (which cannot be trusted to report its own replacement).
 */
export function ownResourcesValue(names: StackNames, scope: "all" | readonly FunctionName[]): TemplateValue {
  const prefix = prefixOf(names);
  const fns = scope === "all" ? FUNCTION_NAMES : scope;
  const consumers = CONSUMERS.filter((consumer) => fns.includes(consumer.name));
  const everything = scope === "all";
  // Names without the prefix (the parser adds it back): every name must fit Lambda's 4 KB of
  // environment variables, with the ARNs CloudFormation substitutes.
  const unprefixed = (name: string) => (name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name);
  const value = {
    prefix,
    stacks: everything ? ["${AWS::StackName}"] : [],
    functions: [...fns],
    rules: [...consumers.flatMap((consumer) => consumerRules(names, consumer).map((rule) => unprefixed(rule.name))), ...(fns.includes("heartbeat") ? ["heartbeat-schedule"] : [])],
    topics: everything ? ["${AlertTopic}"] : [],
    keys: everything ? ["${AlertKey.Arn}", `alias/${prefix}-alerts`] : [],
    tables: everything ? ["idempotency"] : [],
    queues: [
      ...consumers.map((consumer) => `\${${queueIdOf(consumer.name)}.Arn}`),
      ...(everything ? ["${DeliveryDeadLetterQueue.Arn}", ...securityHubQueueArns(names)] : []),
    ],
    alarms: alarms(names)
      .filter((alarm) => everything || fns.some((fn) => alarm.name.startsWith(`${prefix}-${fn}-`)))
      .map((alarm) => unprefixed(alarm.name)),
    logGroups: [...fns],
  };
  return { "Fn::Sub": JSON.stringify(value) };
}

/** TRAILGUARD_RESPONDER_ROLE_ARNS: the roles a function knows as trailguard's own. */
export function roleArnsValue(names: StackNames, fns: readonly FunctionName[]): TemplateValue {
  return { "Fn::Join": [",", fns.map((fn) => roleArnOf(names, fn))] };
}

