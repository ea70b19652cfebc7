import { parseArgs } from "node:util";
import { isAccountId } from "../../core/arn/arn.js";
import { RESPONSE_MODES, type ResponseMode } from "../../core/config/config.js";
import { SEVERITIES, type Severity } from "../../core/model/severity.js";
import { RULES } from "../../core/rules/registry.js";
import type { ReplayFilters } from "./replay-file.js";

/** The replay command line, parsed and validated; errors name the option. */
export interface ReplayCommand {
  readonly help: boolean;
  readonly listRules: boolean;
  readonly paths: readonly string[];
  readonly format: "text" | "jsonl" | undefined;
  readonly configPath: string | undefined;
  readonly mode: ResponseMode | undefined;
  readonly publish: boolean;
  readonly jobs: number | undefined;
  readonly ordered: boolean;
  readonly progress: boolean;
  readonly failOn: Severity | undefined;
  readonly filters: ReplayFilters;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseReplayArgs(argv: readonly string[]): ReplayCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: "string" },
        config: { type: "string" },
        mode: { type: "string" },
        publish: { type: "boolean", default: false },
        jobs: { type: "string", short: "j" },
        unordered: { type: "boolean", default: false },
        "no-progress": { type: "boolean", default: false },
        since: { type: "string" },
        until: { type: "string" },
        account: { type: "string", multiple: true },
        region: { type: "string", multiple: true },
        "min-severity": { type: "string" },
        rule: { type: "string", multiple: true },
        "fail-on": { type: "string" },
        "list-rules": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const format = oneOf("--format", values.format, ["text", "jsonl"] as const);
  const mode = oneOf("--mode", values.mode, RESPONSE_MODES);
  const minSeverity = oneOf("--min-severity", values["min-severity"], SEVERITIES);
  const failOn = oneOf("--fail-on", values["fail-on"], SEVERITIES);
  const accounts = list(values.account);
  for (const account of accounts ?? []) if (!isAccountId(account)) throw new UsageError(`--account "${account}" is not a 12-digit account id`);
  const rules = list(values.rule);
  for (const rule of rules ?? []) {
    if (!RULES.some((known) => known.id === rule)) throw new UsageError(`--rule "${rule}" is not a rule id (see --list-rules)`);
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256, not "${values.jobs}"`);
  }
  return {
    help: values.help,
    listRules: values["list-rules"],
    paths: positionals,
    format,
    configPath: values.config,
    mode,
    publish: values.publish,
    jobs,
    ordered: !values.unordered,
    progress: !values["no-progress"],
    failOn,
    filters: {
      since: timestamp("--since", values.since),
      until: timestamp("--until", values.until),
      accounts: accounts ? new Set(accounts) : undefined,
      regions: list(values.region) ? new Set(list(values.region)) : undefined,
      minSeverity,
      rules: rules ? new Set(rules) : undefined,
    },
  };
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${allowed.join(", ")}, not "${value}"`);
  return value as T;
}

/** Repeated options and comma-separated values both work: --account 1 --account 2, --account 1,2. */
function list(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const items = values.flatMap((value) => value.split(",")).map((item) => item.trim()).filter((item) => item !== "");
  return items.length > 0 ? items : undefined;
}

/** Accepts dates and date-times; compares in CloudTrail's own format (2026-11-20T03:12:44Z). */
function timestamp(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`${option} "${value}" is not a date or ISO 8601 time`);
  return parsed.toISOString().replace(".000Z", "Z");
}
