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
const exactRoleArn = z.string().check(z.refine((value) => parseIamRoleArn(value) !== undefined, "must be a role ARN"));
/** Alerts are published without a message group: a standard topic. */
const alertTopicArn = z.string().check(z.refine((value) => parseSnsTopicArn(value)?.fifo === false, "must be an SNS topic ARN"));

export const RESPONSE_MODES = ["off", "dry-run", "enforce"] as const;
export const responseModeSchema = z.enum(RESPONSE_MODES);
export type ResponseMode = z.infer<typeof responseModeSchema>;
/**
 * Rule ids and signals are checked where configuration meets the rules (`checkConfigAgainstRules`
 * in `shared/core/engine/wiring.ts`, run by every analyser), so this schema stays a leaf: it
 * knows no rule.
 */
const ruleId = z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a rule id such as policy-document-grant"));

export const configSchema = z.strictObject({
  /** off: plan nothing; dry-run: plan and report, change nothing; enforce: carry actions out. */
  mode: z._default(responseModeSchema, "dry-run"),
  /** Per-rule overrides of `mode`, e.g. {"policy-document-grant": "enforce"}. */
  ruleModes: z._default(z.record(ruleId, responseModeSchema), {}),
  /** Other accounts the responder may act in, through `memberRoleName`; the responder's own account always. */
  managedAccounts: z._default(z.array(accountId), []),
  memberRoleName: z._default(z.string().check(z.refine(isIamName, "must be an IAM role name")), "trailguard-member-responder"),
  /** Findings at or above this severity are published to the alert topic. */
  minAlertSeverity: z._default(severitySchema, "medium"),
  /** text: e-mail/SMS friendly body; chatbot: AWS Chatbot (Amazon Q Developer) custom notification JSON for Slack/Teams. */
  alertFormat: z._default(z.enum(["text", "chatbot"]), "text"),
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
