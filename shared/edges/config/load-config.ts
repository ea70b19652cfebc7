/**
 * Where configuration comes from: a JSON file (`replay --config`) or environment variables
 * (Lambda). Both hand the raw values to the one schema in `shared/core/config/config.ts`.
 */
import { readFileSync } from "node:fs";
import { ConfigError, type TrailguardConfig, parseConfig as parseSchema } from "../../core/config/config.js";
import { checkConfigAgainstRules } from "../../core/engine/wiring.js";
import { RULE_CATALOG } from "../../core/rules/catalog.generated.js";

/** The schema, then the rule ids and signals it names against the registry: both fail at start-up. */
function parseConfig(input: unknown, source: string): TrailguardConfig {
  const config = parseSchema(input, source);
  checkConfigAgainstRules(config, RULE_CATALOG);
  return config;
}

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
  httpsAlertFormat: "TRAILGUARD_HTTPS_ALERT_FORMAT",
  accountNames: "TRAILGUARD_ACCOUNT_NAMES",
  incidentWindowSeconds: "TRAILGUARD_INCIDENT_WINDOW_SECONDS",
  suppressions: "TRAILGUARD_SUPPRESSIONS",
  alertTopicArn: "ALERT_TOPIC_ARN",
  idempotencyTable: "TRAILGUARD_IDEMPOTENCY_TABLE",
  responsePolicy: "TRAILGUARD_RESPONSE_POLICY",
  ownResources: "TRAILGUARD_OWN_RESOURCES",
  containmentRoleArns: "TRAILGUARD_CONTAINMENT_ROLE_ARNS",
  heartbeatRoleArns: "TRAILGUARD_HEARTBEAT_ROLE_ARNS",
  quarantinePolicy: "TRAILGUARD_QUARANTINE_POLICY",
} as const;

const LIST_SETTINGS = ["trustedAccounts", "allowlist", "responderRoleArns", "managedAccounts", "containmentRoleArns", "heartbeatRoleArns"] as const;
const STRING_SETTINGS = ["mode", "memberRoleName", "minAlertSeverity", "httpsAlertFormat", "alertTopicArn", "idempotencyTable", "quarantinePolicy"] as const;
const JSON_SETTINGS = ["responsePolicy", "ruleModes", "ownResources", "accountNames", "suppressions"] as const;
const NUMBER_SETTINGS = ["incidentWindowSeconds"] as const;

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
  for (const key of NUMBER_SETTINGS) {
    const raw = value(key);
    if (raw !== undefined) input[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
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

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

