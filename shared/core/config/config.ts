import * as z from "zod/mini";
import "../model/zod.js";
import { isAccountId, isIamName, parseIamRoleArn, parseSnsTopicArn } from "../arn/arn.js";
import { QUARANTINE_POLICIES } from "../iam/identifiers.js";
import { severitySchema } from "../model/severity.js";
import { NO_OWN_RESOURCES, ownResourcesSchema } from "../self/own-resources.js";
import { DEFAULT_RESPONSE_POLICY, type ResponsePolicy, responsePolicySchema } from "../response/response-policy.js";

/**
 * trailguard's settings, one schema for every source: environment variables (Lambda),
 * a JSON file (`replay --config`), or code. Invalid settings stop start-up with a message naming
 * the setting; a security tool must not run on a half-understood configuration.
 */
const accountId = z.string().check(z.refine(isAccountId, "must be a 12-digit AWS account id"));
const arnPattern = z
  .string()
  .check(z.regex(/^arn:[*\w-]*:[*\w-]*:[*\w-]*:[*\d]*:.+$/, "must be an ARN pattern such as arn:aws:iam::123456789012:role/Deployer (* and ? allowed)"));
const ruleIdText = z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a rule id such as policy-document-grant"));
const exactRoleArn = z.string().check(z.refine((value) => parseIamRoleArn(value) !== undefined, "must be a role ARN"));
/** Alerts are published without a message group: a standard topic. */
const alertTopicArn = z.string().check(z.refine((value) => parseSnsTopicArn(value)?.fifo === false, "must be an SNS topic ARN"));

const accountName = z.string().check(z.regex(/^[\x21-\x7e](?:[\x20-\x7e]{0,30}[\x21-\x7e])?$/, "must be 1 to 32 printable ASCII characters"));
/** IAM-style wildcards (`*`, `?`) over a principal or resource ARN, or a plain IAM name. */
const namePattern = z.string().check(z.regex(/^[\x21-\x7e]{1,2048}$/, "must be a name or ARN pattern (printable ASCII, * and ? allowed)"));
const nonEmptyList = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));

/**
 * One suppression: every criterion it names must match (each list matches when any of its
 * entries does). A suppression names at least one criterion, why, and until when; it mutes
 * findings up to `maxSeverity` (high unless said otherwise: a critical finding pages through a
 * suppression only written for it).
 */
export const suppressionSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[\w.:-]{1,64}$/, "must be 1 to 64 letters, digits, . _ : or -")),
    reason: z.string().check(z.minLength(3, "must say why (at least 3 characters)"), z.maxLength(500)),
    /** ISO 8601 date or time; after it the suppression is ignored (and start-up logs that it expired). */
    expires: z.string().check(z.refine((value) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date or time")),
    rules: z.optional(nonEmptyList(ruleIdText)),
    /** Actor ARN patterns (`*`, `?`); a role ARN covers its sessions. */
    actors: z.optional(nonEmptyList(arnPattern)),
    /** Target names or ARN patterns (a user, role, group, policy name or ARN, an access key id, a shared account). */
    targets: z.optional(nonEmptyList(namePattern)),
    accounts: z.optional(nonEmptyList(accountId)),
    /** Signals, `*` and `?` allowed (`trust-*`). */
    signals: z.optional(nonEmptyList(z.string().check(z.regex(/^[a-z0-9*?]+(?:-[a-z0-9*?]+)*$/, "must be a signal or signal pattern such as trust-*")))),
    maxSeverity: z._default(severitySchema, "high"),
  })
  .check(
    z.refine(
      (value) => [value.rules, value.actors, value.targets, value.accounts, value.signals].some((list) => list !== undefined),
      "must name at least one of rules, actors, targets, accounts or signals (a suppression of everything is not a suppression)",
    ),
  );
export type Suppression = z.output<typeof suppressionSchema>;

export const RESPONSE_MODES = ["off", "dry-run", "enforce"] as const;
export const responseModeSchema = z.enum(RESPONSE_MODES);
export type ResponseMode = z.infer<typeof responseModeSchema>;
/**
 * Rule ids and signals are checked where configuration meets the rules (`checkConfigAgainstRules`
 * in `shared/core/engine/wiring.ts`, run by every analyser), so this schema stays a leaf: it
 * knows no rule.
 */

export const configSchema = z.strictObject({
  /** off: plan nothing; dry-run: plan and report, change nothing; enforce: carry actions out. */
  mode: z._default(responseModeSchema, "dry-run"),
  /** Per-rule overrides of `mode`, e.g. {"policy-document-grant": "enforce"}. */
  ruleModes: z._default(z.record(ruleIdText, responseModeSchema), {}),
  /** Other accounts the responder may act in, through `memberRoleName`; the responder's own account always. */
  managedAccounts: z._default(z.array(accountId), []),
  memberRoleName: z._default(z.string().check(z.refine(isIamName, "must be an IAM role name")), "trailguard-member-responder"),
  /** Findings at or above this severity are published to the alert topic. */
  minAlertSeverity: z._default(severitySchema, "medium"),
  /**
   * Every alert is one SNS message with a body per protocol (plain text for e-mail and SMS, JSON
   * for SQS, Lambda and HTTP). HTTPS subscribers get the AWS Chatbot (Amazon Q Developer)
   * custom notification (chatbot, the default: Chatbot subscribes over HTTPS) or the JSON (json).
   */
  httpsAlertFormat: z._default(z.enum(["chatbot", "json"]), "chatbot"),
  /** Names the on-call knows accounts by, shown in subjects: {"111122223333": "prod"}. Unnamed accounts use their IAM alias when the function can read it. */
  accountNames: z._default(z.record(accountId, accountName), {}),
  /**
   * Findings by the same principal form one incident while they keep coming within this many
   * seconds of each other: the first pages, later ones update it unless the severity rises.
   */
  incidentWindowSeconds: z._default(z.number().check(z.int(), z.minimum(60), z.maximum(86_400)), 3600),
  /** An incident older than this is closed: the principal's next finding opens (and pages) a new one. */
  incidentMaxSeconds: z._default(z.number().check(z.int(), z.minimum(300), z.maximum(7 * 86_400)), 86_400),
  /**
   * "Do not page about this" (the allowlist is "never act on this principal"): a matching finding
   * is still logged, counted and acted on as the response policy says; it is not published.
   */
  suppressions: z._default(z.array(suppressionSchema), []),
  alertTopicArn: z.optional(alertTopicArn),
  /** DynamoDB table for exactly-once actions and alerts under duplicate delivery (Lambda); unset: no deduplication. */
  idempotencyTable: z.optional(z.string().check(z.regex(/^[\w.-]{3,255}$/, "must be a DynamoDB table name"))),
  /** How long a step's record is kept: duplicates later than this are processed again. */
  idempotencyTtlSeconds: z._default(z.number().check(z.int(), z.minimum(60)), 172800),
  /** Accounts roles may trust without a finding (the event's own account always may). */
  trustedAccounts: z._default(z.array(accountId), []),
  /** Principals whose calls never trigger a response and are never acted on (ARN patterns). */
  allowlist: z._default(z.array(arnPattern), []),
  /**
   * trailguard's own roles (exact ARNs, so a look-alike name cannot hide). Never acted on; their
   * calls are exempt only when they are trailguard's own moves, anything else is misuse.
   */
  responderRoleArns: z._default(z.array(exactRoleArn), []),
  /** Which of those roles may contain (the responder) and beat (the heartbeat); empty: any. */
  containmentRoleArns: z._default(z.array(exactRoleArn), []),
  heartbeatRoleArns: z._default(z.array(exactRoleArn), []),
  /**
   * The AWS managed policy attached to quarantine a principal: AWSDenyAll (every request denied,
   * the default) or AWSCompromisedKeyQuarantineV3 (AWS's own quarantine for exposed keys, which
   * denies the dangerous actions only). The responder may attach no other (iam:PolicyARN).
   */
  quarantinePolicy: z._default(z.enum(QUARANTINE_POLICIES), "AWSDenyAll"),
  /** trailguard's own resources, named by the stack: changing them is tampering. */
  ownResources: z._default(ownResourcesSchema, NO_OWN_RESOURCES),
  responsePolicy: z._default(responsePolicySchema, DEFAULT_RESPONSE_POLICY),
});

export type TrailguardConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseConfig(input: unknown, source: string): TrailguardConfig {
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new ConfigError(`invalid trailguard configuration in ${source}: ${problems.join("; ")}`);
}

export const DEFAULT_CONFIG: TrailguardConfig = parseConfig({}, "defaults");

/** The quarantine policy's ARN in the responder's partition. */
export function quarantinePolicyArn(config: TrailguardConfig, partition: string): string {
  return `arn:${partition}:iam::aws:policy/${config.quarantinePolicy}`;
}

export function modeForRule(config: TrailguardConfig, ruleId: string): ResponseMode {
  return config.ruleModes[ruleId] ?? config.mode;
}

export type { ResponsePolicy };
