import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import "../util/zod.js";
import { QUARANTINE_POLICIES } from "../iam/identifiers.js";
import { severitySchema } from "../model/severity.js";
import { NO_OWN_RESOURCES, ownResourcesSchema } from "../self/own-resources.js";
import { RULES } from "../rules/registry.js";
import { DEFAULT_RESPONSE_POLICY, type ResponsePolicy, responsePolicySchema } from "../response/response-policy.js";
import type { DetectionSettings } from "../rules/rule.js";

/**
 * trailguard's settings, one schema for every source: environment variables (Lambda),
 * a JSON file (`replay --config`), or code. Invalid settings stop start-up with a message naming
 * the setting; a security tool must not run on a half-understood configuration.
 */
const accountId = z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit AWS account id"));
const arnPattern = z
  .string()
  .check(z.regex(/^arn:[*\w-]*:[*\w-]*:[*\w-]*:[*\d]*:.+$/, "must be an ARN pattern such as arn:aws:iam::123456789012:role/Deployer (* and ? allowed)"));
const exactRoleArn = z.string().check(z.regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be a role ARN"));

export const RESPONSE_MODES = ["off", "dry-run", "enforce"] as const;
export const responseModeSchema = z.enum(RESPONSE_MODES);
export type ResponseMode = z.infer<typeof responseModeSchema>;
/** Signals are what policies match on: naming one no rule emits is a policy that never applies. */
const DECLARED_SIGNALS = new Set(RULES.flatMap((rule) => rule.signals));
const knownRuleId = z.string().check(
  z.refine((id) => RULES.some((rule) => rule.id === id), {
    message: `unknown rule id (known: ${RULES.map((rule) => rule.id).join(", ")})`,
  }),
);

export const configSchema = z.strictObject({
  /** off: plan nothing; dry-run: plan and report, change nothing; enforce: carry actions out. */
  mode: z._default(responseModeSchema, "dry-run"),
  /** Per-rule overrides of `mode`, e.g. {"iam-policy-change": "enforce"}. */
  ruleModes: z._default(z.record(knownRuleId, responseModeSchema), {}),
  /** Other accounts the responder may act in, through `memberRoleName`; the responder's own account always. */
  managedAccounts: z._default(z.array(accountId), []),
  memberRoleName: z._default(z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name")), "trailguard-member-responder"),
  /** Findings at or above this severity are published to the alert topic. */
  minAlertSeverity: z._default(severitySchema, "medium"),
  /** text: e-mail/SMS friendly body; chatbot: AWS Chatbot (Amazon Q Developer) custom notification JSON for Slack/Teams. */
  alertFormat: z._default(z.enum(["text", "chatbot"]), "text"),
  alertTopicArn: z.optional(z.string().check(z.regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN"))),
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
  responsePolicy: z._default(
    responsePolicySchema.check(
      z.refine((policy) => policy.statements.every((statement) => (statement.match.signals ?? []).every((signal) => DECLARED_SIGNALS.has(signal))), {
        message: `a statement matches a signal no rule emits (known: ${[...new Set(RULES.flatMap((rule) => rule.signals))].sort().join(", ")})`,
      }),
      z.refine((policy) => policy.statements.every((statement) => (statement.match.rules ?? []).every((id) => RULES.some((rule) => rule.id === id))), {
        message: `a statement names an unknown rule (known: ${RULES.map((rule) => rule.id).join(", ")})`,
      }),
    ),
    DEFAULT_RESPONSE_POLICY,
  ),
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

export function loadConfigFile(path: string): TrailguardConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(value, path);
}

/** Environment variables: comma-separated lists; the response policy as inline JSON. */
export const CONFIG_ENV = {
  mode: "TRAILGUARD_MODE",
  ruleModes: "TRAILGUARD_RULE_MODES",
  trustedAccounts: "TRAILGUARD_TRUSTED_ACCOUNTS",
  allowlist: "TRAILGUARD_ALLOWLIST",
  responderRoleArns: "TRAILGUARD_RESPONDER_ROLE_ARNS",
  managedAccounts: "TRAILGUARD_MANAGED_ACCOUNTS",
  memberRoleName: "TRAILGUARD_MEMBER_ROLE_NAME",
  minAlertSeverity: "TRAILGUARD_MIN_ALERT_SEVERITY",
  alertFormat: "TRAILGUARD_ALERT_FORMAT",
  alertTopicArn: "ALERT_TOPIC_ARN",
  idempotencyTable: "TRAILGUARD_IDEMPOTENCY_TABLE",
  responsePolicy: "TRAILGUARD_RESPONSE_POLICY",
  ownResources: "TRAILGUARD_OWN_RESOURCES",
  containmentRoleArns: "TRAILGUARD_CONTAINMENT_ROLE_ARNS",
  heartbeatRoleArns: "TRAILGUARD_HEARTBEAT_ROLE_ARNS",
  quarantinePolicy: "TRAILGUARD_QUARANTINE_POLICY",
} as const;

const LIST_SETTINGS = ["trustedAccounts", "allowlist", "responderRoleArns", "managedAccounts", "containmentRoleArns", "heartbeatRoleArns"] as const;
const STRING_SETTINGS = ["mode", "memberRoleName", "minAlertSeverity", "alertFormat", "alertTopicArn", "idempotencyTable", "quarantinePolicy"] as const;
const JSON_SETTINGS = ["responsePolicy", "ruleModes", "ownResources"] as const;

/** Lists are comma-separated; ruleModes and responsePolicy are inline JSON. Empty values mean "default". */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv): TrailguardConfig {
  const input: Record<string, unknown> = {};
  const value = (key: keyof typeof CONFIG_ENV) => {
    const raw = env[CONFIG_ENV[key]]?.trim();
    return raw === undefined || raw === "" ? undefined : raw;
  };
  for (const key of LIST_SETTINGS) {
    const raw = value(key);
    if (raw !== undefined) input[key] = splitList(raw);
  }
  for (const key of STRING_SETTINGS) {
    const raw = value(key);
    if (raw !== undefined) input[key] = raw;
  }
  for (const key of JSON_SETTINGS) {
    const raw = value(key);
    if (raw === undefined) continue;
    try {
      input[key] = JSON.parse(raw) as unknown;
    } catch (error) {
      throw new ConfigError(`${CONFIG_ENV[key]} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return parseConfig(input, "environment");
}

/** The quarantine policy's ARN in the responder's partition. */
export function quarantinePolicyArn(config: TrailguardConfig, partition: string): string {
  return `arn:${partition}:iam::aws:policy/${config.quarantinePolicy}`;
}

export function modeForRule(config: TrailguardConfig, ruleId: string): ResponseMode {
  return config.ruleModes[ruleId] ?? config.mode;
}

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function detectionSettings(config: TrailguardConfig): DetectionSettings {
  return {
    trustedAccounts: new Set(config.trustedAccounts),
    self: {
      roleArns: config.responderRoleArns,
      memberRoleName: config.memberRoleName,
      managedAccounts: config.managedAccounts,
      resources: config.ownResources,
      containmentRoleArns: config.containmentRoleArns,
      heartbeatRoleArns: config.heartbeatRoleArns,
    },
  };
}

export type { ResponsePolicy };
