import { quoted } from "../model/untrusted.js";
import type { PolicyDocument } from "./policy-document.js";

/**
 * Is what a policy grants narrow enough that nobody needs to look at it: only read-only metadata
 * actions, or the few writes every workload makes to send its telemetry? Severity reflects risk:
 * a narrow grant is low (recorded, not paged); anything else keeps the severity the rule gives it.
 * This module only ever says "narrow" when it is sure; any doubt is "not narrow".
 *
 * A document is narrow only when it has an Allow statement and every Allow statement names its
 * actions (`NotAction` grants every action but those named: never narrow) and every action
 * pattern is one of:
 *
 * - a **read** of a service whose read actions trailguard has reviewed (REVIEWED_SERVICES): the
 *   pattern's literal start is a read verb (Get, Describe, List) and it can match no sensitive
 *   read (SENSITIVE_READS), judged as IAM matches, case-insensitively, `*` and `?` included, both
 *   ways: `ec2:Get*` can match `ec2:GetPasswordData`, so it is not narrow; a pattern whose service
 *   part has wildcards (`*:Describe*`) reaches services nobody reviewed, so it is not either;
 * - a **telemetry write** (TELEMETRY_WRITES), named exactly: `logs:Create*` would also create
 *   export tasks that copy logs out, so a wildcard never counts as one.
 *
 * Deny statements only take away and do not count; conditions do not narrow a grant (they are
 * often trivially met) and resources do not matter here (`ec2:Describe*` on `*` is still only
 * metadata). Admin-equivalence and escalation are permission-analysis.ts's: callers ask this
 * only about a grant that is neither.
 *
 * Attacker-written patterns are matched by a linear-space automaton over the two patterns
 * (patternsOverlap), never turned into regular expressions, and a pattern longer than any action
 * name is not narrow before it is matched at all.
 */

/** Verbs of AWS's read and list actions. Not BatchGet (DynamoDB items, ECR images, secret values, CodeBuild environments), Query/Scan (data), Search, Lookup, View or Head: not narrow. */
const READ_VERBS = ["get", "describe", "list"] as const;

/**
 * Services whose read actions (Get, Describe, List) trailguard has reviewed one by one, with the
 * sensitive ones in SENSITIVE_READS. A read of any other service is not narrow: its reads were
 * not reviewed (many services' Get actions return data, credentials or presigned URLs, and new
 * ones appear every month). To add a service, review its read actions and add its sensitive ones;
 * grant-scope.test.ts checks every one of them against the AWS action list.
 */
export const REVIEWED_SERVICES: ReadonlySet<string> = new Set([
  "acm",
  "autoscaling",
  "cloudformation",
  "cloudtrail",
  "cloudwatch",
  "config",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "eks",
  "elasticloadbalancing",
  "events",
  "iam",
  "kinesis",
  "kms",
  "lambda",
  "logs",
  "organizations",
  "rds",
  "route53",
  "s3",
  "sns",
  "sqs",
  "ssm",
  "states",
  "sts",
  "tag",
  "xray",
]);

export interface SensitiveRead {
  /** IAM action patterns: a literal service, the action part with `*` where it says so. */
  readonly actions: readonly string[];
  /**
   * `secret`: returns a secret, a credential, or the data itself: any pattern that can match it
   * is not narrow. `configuration`: configuration that holds secrets when people put them there
   * (user data, environment variables, VPN pre-shared keys, templates): a pattern that names it is
   * not narrow, but a service's whole-verb wildcard (`ec2:Describe*`), which reads every
   * configuration of the service as AWS's own read-only policies do (AmazonEC2ReadOnlyAccess is
   * `ec2:Describe*`), is judged as the metadata read it is meant to be.
   */
  readonly kind: "secret" | "configuration";
  readonly why: string;
}

/** Reads of reviewed services that are not narrow, and why (grant-scope.test.ts checks each names real actions). */
export const SENSITIVE_READS: readonly SensitiveRead[] = [
  // Secrets and credentials.
  { kind: "secret", actions: ["ssm:GetParameter*"], why: "parameter values, SecureString parameters decrypted (GetParameter, GetParameters, GetParametersByPath, GetParameterHistory)" },
  { kind: "secret", actions: ["sts:Get*Token"], why: "temporary credentials or bearer tokens (GetSessionToken, GetFederationToken, GetServiceBearerToken, GetDelegatedAccessToken, GetWebIdentityToken)" },
  { kind: "secret", actions: ["ecr:GetAuthorizationToken"], why: "a password for the account's container registries" },
  { kind: "secret", actions: ["ec2:GetPasswordData"], why: "a Windows instance's administrator password" },
  { kind: "secret", actions: ["ssm:GetAccessToken"], why: "credentials for just-in-time node access" },
  { kind: "secret", actions: ["s3:GetDataAccess"], why: "S3 Access Grants hands out temporary credentials for data" },
  { kind: "secret", actions: ["cloudwatch:GetSpaceCredentials*"], why: "credentials for a CloudWatch space" },
  { kind: "secret", actions: ["acm:GetAcmeExternalAccountBindingCredentials"], why: "an ACME account binding's key" },
  // Data: what is stored, logged or processed, not its description.
  { kind: "secret", actions: ["s3:GetObject*", "s3:ListObjectAnnotations", "s3:ListObjectVersionAnnotations"], why: "object contents and annotations" },
  { kind: "secret", actions: ["dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], why: "table items and stream records" },
  { kind: "secret", actions: ["kinesis:GetRecords", "kinesis:GetShardIterator"], why: "stream records" },
  {
    kind: "secret",
    actions: ["logs:GetLogEvents", "logs:GetLogRecord", "logs:GetQueryResults", "logs:GetLookupTable", "logs:ListAnomalies"],
    why: "log lines (applications log tokens and personal data; anomalies carry sample lines) and lookup tables",
  },
  {
    kind: "secret",
    actions: ["cloudwatch:GetRecords", "cloudwatch:GetTelemetryQueryResults", "cloudwatch:GetServiceData", "cloudwatch:GetDataset", "cloudwatch:GetOmniThread"],
    why: "logs, traces and telemetry query results (and new reads whose answers are not documented as metadata)",
  },
  { kind: "secret", actions: ["cloudtrail:GetQueryResults", "cloudtrail:GetEventDataStoreData", "cloudtrail:ListInsightsData"], why: "recorded events, with their request parameters" },
  { kind: "secret", actions: ["sns:ListPhoneNumbersOptedOut", "sns:ListSMSSandboxPhoneNumbers"], why: "people's phone numbers" },
  { kind: "secret", actions: ["ecr:GetDownloadUrlForLayer"], why: "container image layers: code, and whatever secrets were built into it" },
  { kind: "secret", actions: ["lambda:GetFunction", "lambda:GetLayerVersion"], why: "a download link to the function's or layer's code (code embeds secrets) with its configuration" },
  { kind: "secret", actions: ["lambda:GetDurableExecution*", "lambda:ListDurableExecutionsByFunction"], why: "durable executions' input, output and state" },
  { kind: "secret", actions: ["states:DescribeExecution", "states:GetExecutionHistory", "states:GetActivityTask"], why: "executions' input and output (GetActivityTask also takes a task off its queue)" },
  { kind: "secret", actions: ["ssm:GetCommandInvocation", "ssm:ListCommandInvocations"], why: "Run Command output" },
  { kind: "secret", actions: ["ssm:GetAutomationExecution", "ssm:DescribeAutomationStepExecutions"], why: "automation steps' inputs and outputs" },
  { kind: "secret", actions: ["ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot", "ec2:GetInstanceUefiData"], why: "what an instance prints or stores (boot logs echo user data scripts and keys; UEFI variables)" },
  // Configuration that holds secrets when people put them there.
  {
    kind: "configuration",
    actions: [
      "ec2:DescribeInstanceAttribute",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetLaunchTemplateData",
      "ec2:DescribeSpotFleetRequests",
      "ec2:DescribeSpotInstanceRequests",
      "autoscaling:DescribeLaunchConfigurations",
    ],
    why: "instance user data, where setup scripts keep passwords and keys (attackers read it: Stratus Red Team's ec2-get-user-data)",
  },
  {
    kind: "configuration",
    actions: ["ec2:DescribeVpnConnections", "ec2:GetVpnConnectionDeviceSampleConfiguration", "ec2:DescribeVerifiedAccessTrustProviders", "ec2:DescribeBundleTasks"],
    why: "VPN tunnels' pre-shared keys, trust providers' OIDC client secrets, bundle upload signatures",
  },
  {
    kind: "configuration",
    actions: [
      "lambda:GetFunctionConfiguration",
      "lambda:ListFunctions",
      "lambda:ListVersionsByFunction",
      "ecs:DescribeTaskDefinition",
      "ecs:DescribeTasks",
      "ecs:DescribeDaemonTaskDefinition",
      "ecs:DescribeExpressGatewayService",
    ],
    why: "environment variables, where functions and tasks keep keys",
  },
  {
    kind: "configuration",
    actions: [
      "cloudformation:GetTemplate",
      "cloudformation:GetGeneratedTemplate",
      "ssm:GetDocument",
      "ssm:ListCommands",
      "ssm:GetMaintenanceWindowTask",
      "ssm:GetMaintenanceWindowExecutionTaskInvocation",
      "ssm:DescribeMaintenanceWindowTasks",
      "events:ListTargetsByRule",
    ],
    why: "templates, scripts, command and target parameters (defaults, inline passwords, HTTP headers)",
  },
  { kind: "configuration", actions: ["config:GetResourceConfigHistory", "config:GetAggregateResourceConfig"], why: "recorded configuration items, with whatever configuration they hold" },
];

/**
 * Writes every workload makes to send its logs, metrics and traces, named exactly. They change
 * nothing but telemetry: log lines or metric points written into trailguard's own log groups or
 * namespace could fake its heartbeat metric, which is why the heartbeat also alarms on AWS/Events
 * (which nobody can publish to).
 */
export const TELEMETRY_WRITES: ReadonlyMap<string, string> = new Map([
  ["logs:CreateLogGroup", "a log group to write to"],
  ["logs:CreateLogStream", "a log stream to write to"],
  ["logs:PutLogEvents", "log lines"],
  ["cloudwatch:PutMetricData", "metric points"],
  ["xray:PutTraceSegments", "trace segments"],
  ["xray:PutTelemetryRecords", "the X-Ray daemon's own telemetry"],
]);

/** In an action's name these say what it returns, whatever its service: never narrow when named. */
const SENSITIVE_WORDS = ["secret", "password", "credential", "token", "apikey", "privatekey"];

/** Longer than any action name (the longest is under 100 characters): matched no further. */
const MAX_PATTERN_LENGTH = 200;

export type ActionScope =
  | { readonly kind: "read" }
  | { readonly kind: "telemetry" }
  /** Not narrow, and why. */
  | { readonly kind: "wide"; readonly why: string };

interface CompiledRead {
  /** The action part, lower case. */
  readonly action: string;
  /** As SENSITIVE_READS writes it. */
  readonly name: string;
  readonly entry: SensitiveRead;
}

const SENSITIVE_BY_SERVICE = new Map<string, CompiledRead[]>();
for (const entry of SENSITIVE_READS) {
  for (const name of entry.actions) {
    const [service = "", action = ""] = name.toLowerCase().split(":");
    const list = SENSITIVE_BY_SERVICE.get(service) ?? [];
    list.push({ action, name, entry });
    SENSITIVE_BY_SERVICE.set(service, list);
  }
}
const TELEMETRY = new Set([...TELEMETRY_WRITES.keys()].map((name) => name.toLowerCase()));

/** A plain `service:Action` pattern: letters, digits and hyphens for the service, letters, digits, `*` and `?` for the action. */
const PLAIN_PATTERN = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

/** What one Action pattern of an Allow statement grants, as far as narrowness goes. */
export function actionScope(pattern: string): ActionScope {
  if (pattern.length > MAX_PATTERN_LENGTH) return { kind: "wide", why: "longer than any action name" };
  const lower = pattern.toLowerCase().replace(/\*+/g, "*");
  if (lower === "*" || lower === "*:*") return { kind: "wide", why: "every action" };
  if (!PLAIN_PATTERN.test(pattern)) {
    return { kind: "wide", why: pattern.includes(":") && /[*?]/.test(pattern.slice(0, pattern.indexOf(":"))) ? "its service part has wildcards: it reaches services nobody reviewed" : "not a plain service:action pattern" };
  }
  const colon = lower.indexOf(":");
  const service = lower.slice(0, colon);
  const action = lower.slice(colon + 1);
  if (TELEMETRY.has(lower)) return { kind: "telemetry" };
  if (action === "*") return { kind: "wide", why: `every ${service} action` };
  const literal = literalPrefix(action);
  const verb = READ_VERBS.find((candidate) => literal.startsWith(candidate));
  if (verb === undefined) return { kind: "wide", why: "not a read action (Get, Describe or List), nor a telemetry write named exactly" };
  if (!REVIEWED_SERVICES.has(service)) return { kind: "wide", why: `trailguard has not reviewed the read actions of ${service}` };
  const word = SENSITIVE_WORDS.find((candidate) => action.includes(candidate));
  if (word !== undefined) return { kind: "wide", why: `its name speaks of a ${word}` };
  const wholeVerb = action === `${verb}*`;
  for (const sensitive of SENSITIVE_BY_SERVICE.get(service) ?? []) {
    if (sensitive.entry.kind === "configuration" && wholeVerb) continue;
    if (patternsOverlap(action, sensitive.action)) return { kind: "wide", why: `can match ${sensitive.name}: ${sensitive.entry.why}` };
  }
  return { kind: "read" };
}

function literalPrefix(pattern: string): string {
  let end = 0;
  while (end < pattern.length && pattern[end] !== "*" && pattern[end] !== "?") end++;
  return pattern.slice(0, end);
}

export type GrantScope =
  | { readonly narrow: true; /** Why it is low, for the finding's reasons. */ readonly reason: string }
  | { readonly narrow: false; /** Why not, naming the first pattern or statement that is not narrow. */ readonly why: string };

/** Does the document grant only read-only metadata actions and telemetry writes? */
export function grantScope(document: PolicyDocument): GrantScope {
  const reads: string[] = [];
  const writes: string[] = [];
  const seen = new Set<string>();
  let allows = 0;
  for (const [index, statement] of document.statements.entries()) {
    if (statement.effect !== "Allow") continue;
    allows++;
    const label = `statement ${index + 1}`;
    if (statement.notActions !== undefined) return { narrow: false, why: `${label}: NotAction grants every action but those it names` };
    if (statement.actions.length === 0) return { narrow: false, why: `${label}: names no action` };
    for (const pattern of statement.actions) {
      const scope = actionScope(pattern);
      if (scope.kind === "wide") return { narrow: false, why: `${label}: ${quoted(pattern, 64)}: ${scope.why}` };
      const key = pattern.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      (scope.kind === "read" ? reads : writes).push(pattern);
    }
  }
  if (allows === 0) return { narrow: false, why: "no Allow statement" };
  // Every pattern listed passed PLAIN_PATTERN: letters, digits, `-`, `:`, `*` and `?` only, safe to show as written.
  const parts = [...(reads.length > 0 ? [`read-only metadata actions (${listText(reads)})`] : []), ...(writes.length > 0 ? [`telemetry writes (${listText(writes)})`] : [])];
  return { narrow: true, reason: `grants only ${parts.join(" and ")}` };
}

function listText(items: readonly string[], max = 5): string {
  return items.length > max ? `${items.slice(0, max).join(", ")}, … (${items.length - max} more)` : items.join(", ");
}

/**
 * Can two IAM action patterns (lower case, `*` any run, `?` one character) match a common name?
 * Reachability over pairs of positions, one row of the second pattern's length at a time:
 * O(|a| × |b|) time, O(|b|) space, no backtracking, whatever the patterns hold.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const m = b.length;
  let row = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  row[0] = 1;
  for (let i = 0; ; i++) {
    const ca = a[i];
    next.fill(0);
    for (let j = 0; j <= m; j++) {
      if (row[j] !== 1) continue;
      const cb = b[j];
      if (ca === "*") {
        next[j] = 1; // a's `*` ends
        if (cb !== undefined) row[j + 1] = 1; // a's `*` covers b[j]
      }
      if (cb === "*") {
        row[j + 1] = 1; // b's `*` ends
        if (ca !== undefined) next[j] = 1; // b's `*` covers a[i]
      }
      if (ca !== undefined && cb !== undefined && ca !== "*" && cb !== "*" && (ca === "?" || cb === "?" || ca === cb)) next[j + 1] = 1;
    }
    if (i >= a.length) return row[m] === 1;
    [row, next] = [next, row];
  }
}

export interface NarrowManagedPolicy {
  /** Its name, with the path AWS gives it (`service-role/AWSLambdaBasicExecutionRole`). */
  readonly name: string;
  readonly why: string;
  /** Meant for a role an instance or a service uses: attached to a user or a group it is not narrow, and this says why. */
  readonly rolesOnly?: string;
}

/**
 * AWS managed policies trailguard rates by name as narrow, since replay and the alert-only
 * functions cannot read them (AWS maintains them). Each was read (AWS managed policy reference)
 * and is what grantScope would call narrow, but AmazonSSMManagedInstanceCore, which every
 * SSM-managed instance needs: it also reads SSM parameters and carries the agent's message
 * channels, so it counts only on a role (an instance profile's); on a user or group a person
 * would get those. Left out on purpose: CloudWatchAgentServerPolicy (logs:PutRetentionPolicy on
 * every log group can shorten an audit log's retention to a day); ReadOnlyAccess and
 * ViewOnlyAccess (data reads across hundreds of services, services nobody reviewed);
 * AmazonEC2ReadOnlyAccess and the other per-service read-only policies, which AWS widens from
 * version to version (a name vouches for no later version; the same actions written in a
 * document are judged by grantScope).
 */
const NARROW_MANAGED_POLICIES: readonly NarrowManagedPolicy[] = [
  {
    name: "AmazonSSMManagedInstanceCore",
    why: "the SSM agent's policy",
    rolesOnly:
      "the SSM agent's policy, meant for an instance's role: it reads every SSM parameter (SecureString values included) and opens the agent's message channels, so on a user, a group or a role someone can assume it hands those to a person, and the event does not say which kind of role this is",
  },
  { name: "service-role/AWSLambdaBasicExecutionRole", why: "a Lambda function's log writing (logs:CreateLogGroup, CreateLogStream, PutLogEvents)" },
  { name: "AWSXRayDaemonWriteAccess", why: "the X-Ray daemon's trace uploads and sampling reads" },
  { name: "AWSXrayWriteOnlyAccess", why: "X-Ray trace uploads and sampling reads" },
];

/** Partitions whose AWS managed policies share these names. */
const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"];

/**
 * The known narrow AWS managed policy this ARN names, exactly (partition, `aws` account, path
 * and name, in AWS's case): `arn:aws:iam::111122223333:policy/AmazonSSMManagedInstanceCore` is a
 * customer's policy that could grant anything, and a name spelled in another case, or under
 * another path, is not vouched for.
 */
export function knownNarrowManagedPolicy(policyArn: string): NarrowManagedPolicy | undefined {
  for (const partition of PARTITIONS) {
    const prefix = `arn:${partition}:iam::aws:policy/`;
    if (!policyArn.startsWith(prefix)) continue;
    const name = policyArn.slice(prefix.length);
    return NARROW_MANAGED_POLICIES.find((policy) => policy.name === name);
  }
  return undefined;
}
