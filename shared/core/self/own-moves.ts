import { parseIamRoleArn } from "../arn/arn.js";
import type { CloudTrailRecord } from "../cloudtrail/record.js";
import { isPlainObject } from "../cloudtrail/record.js";
import { isQuarantinePolicyArn } from "../iam/identifiers.js";
import { parsePolicyDocument } from "../iam/policy-document.js";
import { REVOKE_POLICY_NAME, checkRevokeDocument } from "../iam/revoke-sessions-policy.js";
import { namesOwnResource } from "./own-resources.js";
import { HEARTBEAT_TAG_KEY, type SelfKnowledge } from "./self-knowledge.js";

/**
 * trailguard's identity exempts nothing but trailguard's own moves. A call from one of its roles
 * is recognised as its own only when it is exactly something trailguard does:
 *  - containment: UpdateAccessKey to Inactive (always with UserName), putting the exact
 *    revoking deny, with a current cut-off, under trailguard's own policy name, attaching one
 *    of the AWS managed deny policies it quarantines with, and the reads it makes first (the
 *    principal, its keys, its attached policies);
 *  - the heartbeat: a role tagging itself with the heartbeat tag and nothing else;
 *  - plumbing: learning its identity, assuming the member role in a managed account, using its
 *    own key, topic, table, queues and log groups, importing its findings into Security Hub.
 * Anything else made with its credentials is someone else wearing them.
 *
 * Everything but polling counts only from trailguard's own code (the session named after the
 * function, see analyse), and containment and the heartbeat only from the roles whose duty they
 * are. Polling (its own queue, its own log streams) is what the Lambda service does for the
 * function under sessions of its own.
 */
export type OwnMove = "containment" | "heartbeat" | "plumbing" | "polling";

const IAM = "iam.amazonaws.com";
/**
 * What the responder reads: before it changes anything (the real ARN, keys, attached policies),
 * and what rules ask it to look up (a group's policies, a customer-managed policy's default
 * version). Reads change nothing; they count as its own only from its own code, like the rest.
 */
const CONTAINMENT_READS = new Set([
  "GetUser",
  "GetRole",
  "ListAccessKeys",
  "ListAttachedUserPolicies",
  "ListAttachedRolePolicies",
  "ListAttachedGroupPolicies",
  "ListGroupPolicies",
  "GetGroupPolicy",
  "GetPolicy",
  "GetPolicyVersion",
]);

export function recogniseOwnMove(record: CloudTrailRecord, actorRoleName: string, eventTime: string | undefined, self: SelfKnowledge): OwnMove | undefined {
  const parameters = record.requestParameters ?? {};
  const text = (name: string): string | undefined => {
    const value = parameters[name];
    return typeof value === "string" ? value : undefined;
  };
  const source = record.eventSource;
  const name = record.eventName;
  // trailguard's IAM powers work only from its deployed code: a denied call with its role is
  // someone else trying them (stolen credentials outside the function), never its own move.
  if (/AccessDenied|Unauthorized/i.test(record.errorCode ?? "")) return undefined;

  if (source === IAM) {
    if (name === "UpdateAccessKey") {
      return text("status") === "Inactive" && text("userName") !== undefined && text("accessKeyId") !== undefined ? "containment" : undefined;
    }
    if (name === "PutRolePolicy" || name === "PutUserPolicy") {
      if (text("policyName") !== REVOKE_POLICY_NAME) return undefined;
      const parsed = parsePolicyDocument(parameters.policyDocument);
      return parsed.ok && checkRevokeDocument(parsed.document, eventTime).canonical ? "containment" : undefined;
    }
    if (name === "AttachUserPolicy" || name === "AttachRolePolicy") {
      return isQuarantinePolicyArn(text("policyArn")) ? "containment" : undefined;
    }
    if (CONTAINMENT_READS.has(name)) return "containment";
    if (name === "TagRole") return isHeartbeatTag(parameters, actorRoleName) ? "heartbeat" : undefined;
    return undefined;
  }
  if (source === "sts.amazonaws.com") {
    if (name === "GetCallerIdentity") return "plumbing";
    if (name === "AssumeRole") {
      // The way to containment in member accounts: as guarded as containment itself. The member
      // role exactly as trailguard assumes it: at path "/", named exactly, in a managed account.
      const role = parseIamRoleArn(text("roleArn"));
      return role && role.path === "/" && role.name === self.memberRoleName && self.managedAccounts.includes(role.account) ? "containment" : undefined;
    }
    return undefined;
  }
  const owns = (kind: Parameters<typeof namesOwnResource>[1], identifier: string | undefined) =>
    identifier !== undefined && namesOwnResource(self.resources, kind, identifier);
  switch (source) {
    case "kms.amazonaws.com":
      // SNS encrypts alerts with the topic's key on the publisher's behalf (and AWS services
      // decrypt for the function); a caller cannot make a service invoke KMS in its name at will.
      return (name === "GenerateDataKey" || name === "Decrypt") && (owns("keys", text("keyId")) || ["sns.amazonaws.com", "lambda.amazonaws.com"].includes(record.userIdentity?.invokedBy ?? "")) ? "plumbing" : undefined;
    case "sns.amazonaws.com":
      return name === "Publish" && owns("topics", text("topicArn")) ? "plumbing" : undefined;
    case "dynamodb.amazonaws.com":
      return ["GetItem", "PutItem", "UpdateItem", "DeleteItem"].includes(name) && owns("tables", text("tableName")) ? "plumbing" : undefined;
    case "sqs.amazonaws.com":
      // The event source mapping polls under a session of the Lambda service's own.
      return ["ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "GetQueueAttributes"].includes(name) &&
        owns("queues", text("queueUrl"))
        ? "polling"
        : name === "GetQueueUrl" && self.resources.queues.some((arn) => arn.endsWith(`:${text("queueName") ?? "\u0000"}`))
          ? "plumbing"
          : undefined;
    case "securityhub.amazonaws.com":
      // The Security Hub exporter importing trailguard's findings into the account's own hub:
      // only its role may (any other trailguard role is refused, and a refused call is never an
      // own move), and it must not page, or each import would raise a finding to import.
      return name === "BatchImportFindings" ? "plumbing" : undefined;
    case "logs.amazonaws.com":
      // Lambda creates the function's log streams for it.
      return (name === "CreateLogStream" || name === "CreateLogGroup") && owns("logGroups", text("logGroupName")) ? "polling" : undefined;
    default:
      return undefined;
  }
}

/** TagRole on the caller's own role with exactly one tag, the heartbeat's. */
function isHeartbeatTag(parameters: Record<string, unknown>, actorRoleName: string): boolean {
  if (parameters.roleName !== actorRoleName) return false;
  const tags = parameters.tags;
  if (!Array.isArray(tags) || tags.length !== 1) return false;
  const [tag] = tags as unknown[];
  return isPlainObject(tag) && tag.key === HEARTBEAT_TAG_KEY && typeof tag.value === "string" && tag.value.length <= 64;
}
