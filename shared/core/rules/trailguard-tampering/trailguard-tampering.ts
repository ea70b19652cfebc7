import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { parseRoleArn } from "../../iam/identifiers.js";
import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { type OwnResourceKind, namesOwnResource } from "../../self/own-resources.js";
import { trailguardRoleArns } from "../../self/self-knowledge.js";
import { type DetectionSettings, defineRule } from "../rule.js";
import { describeActor, outcome } from "../rule-helpers.js";

/**
 * Changes to trailguard itself: its functions (code, configuration, who may invoke them, how
 * they are fed), its roles (trust, policies, boundaries), its EventBridge rules, alert topic and
 * subscriptions, KMS key, idempotency table, queues, alarms, log groups and stack. Resources are
 * the ones the stack names (TRAILGUARD_OWN_RESOURCES and the role ARNs), never guessed.
 *
 * Each watched operation is data: the event source and names, which kind of resource it touches
 * and where the event names it. The EventBridge pattern of the function that runs this rule and
 * the optional service control policy (deploy/protection-scp.yml) are checked against this table.
 */
export interface WatchedOperation {
  readonly eventSource: string;
  /** CloudTrail event names (Lambda's carry API version suffixes). */
  readonly eventNames: readonly string[];
  readonly kind: OwnResourceKind | "roles";
  /** requestParameters (then responseElements) fields that name the resource. */
  readonly fields: readonly string[];
}

export const WATCHED_OPERATIONS: readonly WatchedOperation[] = [
  {
    eventSource: "lambda.amazonaws.com",
    eventNames: [
      "UpdateFunctionCode20150331v2",
      "UpdateFunctionConfiguration20150331v2",
      "DeleteFunction20150331",
      "AddPermission20150331v2",
      "RemovePermission20150331v2",
      "PutFunctionConcurrency20171031",
      "DeleteFunctionConcurrency20171031",
      "PutFunctionEventInvokeConfig",
      "UpdateFunctionEventInvokeConfig",
      "DeleteFunctionEventInvokeConfig",
      "CreateEventSourceMapping20150331",
      "UpdateEventSourceMapping20150331",
      "DeleteEventSourceMapping20150331",
      "PublishVersion20150331",
      "CreateAlias20150331",
      "UpdateAlias20150331",
      "DeleteAlias20150331",
      // A function URL with AuthType NONE lets anyone on the internet invoke the function.
      "CreateFunctionUrlConfig",
      "UpdateFunctionUrlConfig",
      "DeleteFunctionUrlConfig",
      "CreateFunctionUrlConfig20211031",
      "UpdateFunctionUrlConfig20211031",
      "DeleteFunctionUrlConfig20211031",
      // Code signing that rejects trailguard's bundles blocks every redeploy.
      "PutFunctionCodeSigningConfig",
      "PutRuntimeManagementConfig",
    ],
    kind: "functions",
    fields: ["functionName", "functionArn", "resource"],
  },
  {
    // Lending trailguard's role to other code (iam:PassRole): that code then holds its powers.
    eventSource: "lambda.amazonaws.com",
    eventNames: ["CreateFunction20150331", "UpdateFunctionConfiguration20150331v2"],
    kind: "roles",
    fields: ["role"],
  },
  {
    // Another function reading trailguard's input queue drains its events before it sees them.
    eventSource: "lambda.amazonaws.com",
    eventNames: ["CreateEventSourceMapping20150331", "UpdateEventSourceMapping20150331", "DeleteEventSourceMapping20150331"],
    kind: "queues",
    fields: ["eventSourceArn"],
  },
  {
    eventSource: "iam.amazonaws.com",
    eventNames: [
      "PutRolePolicy",
      "DeleteRolePolicy",
      "AttachRolePolicy",
      "DetachRolePolicy",
      "UpdateAssumeRolePolicy",
      "PutRolePermissionsBoundary",
      "DeleteRolePermissionsBoundary",
      "DeleteRole",
      "UpdateRole",
      "UpdateRoleDescription",
      "TagRole",
      "UntagRole",
      "AddRoleToInstanceProfile",
    ],
    kind: "roles",
    fields: ["roleName"],
  },
  { eventSource: "events.amazonaws.com", eventNames: ["PutRule", "DeleteRule", "DisableRule"], kind: "rules", fields: ["name"] },
  { eventSource: "events.amazonaws.com", eventNames: ["PutTargets", "RemoveTargets"], kind: "rules", fields: ["rule"] },
  {
    eventSource: "sns.amazonaws.com",
    eventNames: ["DeleteTopic", "SetTopicAttributes", "AddPermission", "RemovePermission", "Subscribe", "Unsubscribe", "SetSubscriptionAttributes", "PutDataProtectionPolicy"],
    kind: "topics",
    fields: ["topicArn", "subscriptionArn", "resourceArn"],
  },
  {
    eventSource: "kms.amazonaws.com",
    eventNames: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "DisableKeyRotation", "CreateGrant", "RevokeGrant", "UpdateAlias", "DeleteAlias"],
    kind: "keys",
    fields: ["keyId", "targetKeyId", "aliasName"],
  },
  {
    eventSource: "dynamodb.amazonaws.com",
    eventNames: ["DeleteTable", "UpdateTable", "UpdateTimeToLive", "PutResourcePolicy", "DeleteResourcePolicy"],
    kind: "tables",
    fields: ["tableName", "resourceArn"],
  },
  {
    eventSource: "sqs.amazonaws.com",
    eventNames: ["DeleteQueue", "SetQueueAttributes", "PurgeQueue", "AddPermission", "RemovePermission", "StartMessageMoveTask"],
    kind: "queues",
    fields: ["queueUrl", "sourceArn"],
  },
  { eventSource: "monitoring.amazonaws.com", eventNames: ["DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm", "SetAlarmState"], kind: "alarms", fields: ["alarmNames", "alarmName"] },
  {
    eventSource: "logs.amazonaws.com",
    eventNames: [
      "DeleteLogGroup",
      "PutRetentionPolicy",
      "DeleteRetentionPolicy",
      "PutMetricFilter",
      "DeleteMetricFilter",
      "PutSubscriptionFilter",
      "DeleteSubscriptionFilter",
      // A transformer rewrites log lines before the metric filters read them.
      "PutTransformer",
      "DeleteTransformer",
      // Logs encrypted with someone else's key go dark when that key is disabled.
      "AssociateKmsKey",
      "DisassociateKmsKey",
    ],
    kind: "logGroups",
    fields: ["logGroupName", "logGroupIdentifier"],
  },
  {
    eventSource: "cloudformation.amazonaws.com",
    eventNames: ["DeleteStack", "UpdateStack", "CreateChangeSet", "ExecuteChangeSet", "SetStackPolicy", "UpdateTerminationProtection", "CancelUpdateStack", "RollbackStack", "ContinueUpdateRollback"],
    kind: "stacks",
    fields: ["stackName"],
  },
];

/** A stack deployment (or CloudFormation working for one) is how trailguard is meant to change: high, not critical. */
const DEPLOYMENT_EVENTS = new Set(["UpdateStack", "CreateChangeSet", "ExecuteChangeSet"]);
/** A new subscriber reads every alert; an on-call change is ordinary, a stranger's endpoint is not. */
const HIGH_EVENTS = new Set(["Subscribe"]);

const BY_EVENT = new Map<string, WatchedOperation[]>();
for (const operation of WATCHED_OPERATIONS) {
  for (const eventName of operation.eventNames) {
    const key = `${operation.eventSource} ${eventName}`;
    BY_EVENT.set(key, [...(BY_EVENT.get(key) ?? []), operation]);
  }
}

export const trailguardTampering = defineRule({
  id: "trailguard-tampering",
  title: "trailguard itself was changed",
  category: "tampering",
  technique: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  runbook:
    "Confirm with whoever owns trailguard whether this was a planned deployment. If not, treat the actor as compromised: revert the change (redeploy trailguard from source: `npx serverless deploy`), check the function code hash (aws lambda get-function) and the roles' trust and policies, and review what the actor did since. Apply the service control policy in deploy/protection-scp.yml so only the deploying role can change trailguard.",
  eventNames: [...new Set(WATCHED_OPERATIONS.flatMap((operation) => operation.eventNames))],
  eventSources: [...new Set(WATCHED_OPERATIONS.map((operation) => operation.eventSource))],
  failedCallCap: "medium",
  signals: ["trailguard-tampered", "trailguard-deployed"],
  evaluate({ record, actor, event, settings, trailguard }) {
    if (trailguard?.ownMove) return undefined;
    let touched: { readonly operation: WatchedOperation; readonly identifier: string } | undefined;
    for (const operation of BY_EVENT.get(`${event.eventSource} ${event.eventName}`) ?? []) {
      const identifier = touchedResource(record, operation, event.account, settings);
      if (identifier !== undefined) {
        touched = { operation, identifier };
        break;
      }
    }
    if (touched === undefined) return undefined;
    const { operation } = touched;
    const deployment = DEPLOYMENT_EVENTS.has(event.eventName) || actor.invokedBy === "cloudformation.amazonaws.com";
    const severity: Severity = deployment || HIGH_EVENTS.has(event.eventName) ? "high" : "critical";
    const what = `${operation.kind === "roles" ? "role" : KIND_LABEL[operation.kind]} ${quoted(touched.identifier)}`;
    return {
      severity,
      title: deployment ? "trailguard's stack deployed or changed through CloudFormation" : "trailguard itself was changed",
      summary: `${describeActor(actor)} called ${event.eventName} on trailguard's ${what}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: deployment
        ? "trailguard was changed through CloudFormation: expected for a planned deployment, but a deployment can also rewrite its code, roles or rules."
        : "Changing trailguard's own code, permissions, rules, alerting or state is how an attacker blinds or hijacks it before acting: treat this as the start of an attack unless it was planned.",
      reasons: [
        `${quoted(event.eventName)} touches trailguard's ${what}`,
        ...(deployment ? [actor.invokedBy === "cloudformation.amazonaws.com" ? "made by CloudFormation for a stack" : "a stack deployment"] : []),
      ],
      signals: deployment ? ["trailguard-deployed"] : ["trailguard-tampered"],
      target: undefined,
    };
  },
});

const KIND_LABEL: Record<OwnResourceKind, string> = {
  stacks: "stack",
  functions: "function",
  rules: "EventBridge rule",
  topics: "alert topic",
  keys: "KMS key",
  tables: "idempotency table",
  queues: "queue",
  alarms: "alarm",
  logGroups: "log group",
};

function touchedResource(record: CloudTrailRecord, operation: WatchedOperation, account: string | undefined, settings: DetectionSettings): string | undefined {
  for (const identifier of identifiers(record, operation.fields)) {
    if (operation.kind === "roles") {
      // A role name, or a role ARN (PassRole): IAM names compare case-insensitively.
      const passed = identifier.startsWith("arn:") ? parseRoleArn(identifier) : undefined;
      if (identifier.startsWith("arn:") && passed === undefined) continue;
      if (ownRoleNames(settings, passed?.account ?? account).has((passed?.name ?? identifier).toLowerCase())) return identifier;
    } else if (namesOwnResource(settings.self.resources, operation.kind, identifier)) {
      return identifier;
    }
  }
  return undefined;
}

function identifiers(record: CloudTrailRecord, fields: readonly string[]): string[] {
  const found: string[] = [];
  for (const source of [record.requestParameters, record.responseElements]) {
    for (const field of fields) {
      const value = source?.[field];
      if (typeof value === "string") found.push(value);
      else if (Array.isArray(value)) for (const item of value) if (typeof item === "string") found.push(item);
    }
  }
  return found;
}

/** trailguard's role names in the event's account (role names in events carry no path or account). */
function ownRoleNames(settings: DetectionSettings, account: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const arn of trailguardRoleArns(settings.self)) {
    const role = parseRoleArn(arn);
    if (role !== undefined && (account === undefined || role.account === account)) names.add(role.name.toLowerCase());
  }
  return names;
}
