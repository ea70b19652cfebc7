import { readFileSync } from "node:fs";
import { z } from "zod";
import { REVOKE_POLICY_NAMES } from "../iam/revoke-sessions-policy.js";
import { DEFAULT_RESPONSE_POLICY, type ResponsePolicy, responsePolicySchema } from "../response/response-policy.js";
import type { DetectionSettings } from "../rules/rule.js";

/**
 * trailguard's settings, one schema for every source: environment variables (Lambda),
 * a JSON file (`replay --config`), or code. Invalid settings stop start-up with a message naming
 * the setting; a security tool must not run on a half-understood configuration.
 */
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const arnPattern = z
  .string()
  .regex(/^arn:[*\w-]*:[*\w-]*:[*\w-]*:[*\d]*:.+$/, "must be an ARN pattern such as arn:aws:iam::123456789012:role/Deployer (* and ? allowed)");
const exactRoleArn = z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be a role ARN");

export const configSchema = z
  .object({
    /** Accounts roles may trust without a finding (the event's own account always may). */
    trustedAccounts: z.array(accountId).default([]),
    /** Principals whose calls never trigger a response and are never acted on (ARN patterns). */
    allowlist: z.array(arnPattern).default([]),
    /** trailguard's own responder role(s): always allowlisted, exact ARNs so a look-alike name cannot hide. */
    responderRoleArns: z.array(exactRoleArn).default([]),
    responsePolicy: responsePolicySchema.default(DEFAULT_RESPONSE_POLICY),
  })
  .strict();

export type TrailguardConfig = z.infer<typeof configSchema>;
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
  trustedAccounts: "TRAILGUARD_TRUSTED_ACCOUNTS",
  allowlist: "TRAILGUARD_ALLOWLIST",
  responderRoleArns: "TRAILGUARD_RESPONDER_ROLE_ARNS",
  responsePolicy: "TRAILGUARD_RESPONSE_POLICY",
} as const;

export function loadConfigFromEnv(env: NodeJS.ProcessEnv): TrailguardConfig {
  const input: Record<string, unknown> = {};
  for (const key of ["trustedAccounts", "allowlist", "responderRoleArns"] as const) {
    const raw = env[CONFIG_ENV[key]];
    if (raw !== undefined && raw.trim() !== "") input[key] = splitList(raw);
  }
  const policy = env[CONFIG_ENV.responsePolicy];
  if (policy !== undefined && policy.trim() !== "") {
    try {
      input.responsePolicy = JSON.parse(policy) as unknown;
    } catch (error) {
      throw new ConfigError(`${CONFIG_ENV.responsePolicy} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return parseConfig(input, "environment");
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
    revokePolicyNames: new Set(REVOKE_POLICY_NAMES),
  };
}

export type { ResponsePolicy };
