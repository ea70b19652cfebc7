/**
 * Structured logs through Powertools for AWS Lambda's Logger: one JSON object per line, which
 * CloudWatch Logs Insights queries and the stack's metric filters read directly. Powertools
 * writes its own keys (`level`, `message`, `timestamp`, `service`, `sampling_rate`, the X-Ray
 * trace id and, after `addContext`, `cold_start`, `function_name`, `function_request_id`, …);
 * `correlate` adds the CloudTrail event id as `correlation_id`. The log level comes from
 * `POWERTOOLS_LOG_LEVEL` or `LOG_LEVEL` (default INFO; Lambda's own log-level control wins, as
 * Powertools has it), the service from `POWERTOOLS_SERVICE_NAME` or the function's name.
 *
 * Field values come from events: they are data. JSON encoding keeps them on their line, and a
 * field named like one of the keys above never replaces it nor is dropped: it goes under
 * `fields` (`{"message":"finding",…,"fields":{"message":"<the field>"}}`). Every other field
 * stays at the top level, where metric filters such as `{ $.idempotencyStoreFailed = 1 }` look.
 */
import { LogFormatter, LogItem, Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { LogAttributes, UnformattedAttributes } from "@aws-lambda-powertools/logger/types";
import type { Context } from "aws-lambda";
import type { LogLevel, Logger } from "../../core/model/logger.js";

export type { LogLevel, Logger } from "../../core/model/logger.js";
export { silentLogger } from "../../core/model/logger.js";

/** The core's `Logger`, plus what the Lambda entry needs per invocation and per event. */
export interface LambdaLogger extends Logger {
  /** The invocation's request id, cold start, function name, ARN and memory, on every following line. */
  addContext(context: Context): void;
  /** The CloudTrail event the following lines are about, as `correlation_id`; undefined removes it. */
  correlate(eventId: string | undefined): void;
  /** Keys on every following line until removed or reset; guarded like fields. */
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: readonly string[]): void;
  /** Removes every appended key and the correlation: call it when an invocation starts. */
  resetKeys(): void;
}

export interface PowertoolsLoggerOptions {
  /** Where the level and the service name are read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: `POWERTOOLS_SERVICE_NAME`, else `AWS_LAMBDA_FUNCTION_NAME`, else "trailguard". */
  readonly serviceName?: string;
  /** TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT, any case. Default: from `env`, else INFO. */
  readonly level?: string;
  /** Receives each line (JSON, no newline) instead of stdout: for tests. */
  readonly write?: (line: string) => void;
}

/** Where fields named like Powertools' own keys are kept. */
export const SHADOWED_FIELDS_KEY = "fields";
const CORRELATION_KEY = "correlation_id";

/** The keys of a line trailguard does not let a field set (Powertools' standard keys, and ours). */
const OWN_KEYS: ReadonlySet<string> = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "cold_start",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
  "sampling_rate",
  "xray_trace_id",
  "tenant_id",
  CORRELATION_KEY,
  SHADOWED_FIELDS_KEY,
  // Not a key a line can have: assigning it would set an object's prototype instead.
  "__proto__",
]);

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;
type PowertoolsLevel = (typeof LEVELS)[number];
const isLevel = (value: string): value is PowertoolsLevel => (LEVELS as readonly string[]).includes(value);

/** An own, enumerable property whatever its name (even `__proto__`). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Fields as they may appear on a line: the ones named like our keys moved under `fields`. */
function guarded(fields: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  let shadowed: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (OWN_KEYS.has(key)) put((shadowed ??= {}), key, value);
    else put(safe, key, value);
  }
  if (shadowed) put(safe, SHADOWED_FIELDS_KEY, shadowed);
  return safe;
}

/**
 * Powertools' standard keys (the same names as its default formatter), then the fields. Unlike
 * the default formatter it never merges a field into a standard key (a field `cold_start` would
 * replace the real one there), and it copies fields as they are: Powertools' deep merge drops
 * keys named `constructor` at any depth.
 */
class TrailguardLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const line: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: context?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: context?.tenantId,
    };
    let shadowed: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(additional)) {
      if (Object.hasOwn(line, key)) put((shadowed ??= {}), key, value);
      else put(line, key, value);
    }
    if (shadowed) put(line, SHADOWED_FIELDS_KEY, { ...(line[SHADOWED_FIELDS_KEY] as object | undefined), ...shadowed });
    return new LogItem({ attributes: line });
  }
}

/** Powertools' Logger, writing to `sink` when one is set (tests) instead of its own console on stdout. */
class SinkableLogger extends PowertoolsLogger {
  sink: ((line: string) => void) | undefined;

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.sink) return super.printLog(logLevel, log);
    log.prepareForPrint();
    this.sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/** `POWERTOOLS_SERVICE_NAME`, else the function's name, else "trailguard": the logs' `service` and the metrics'. */
export function serviceNameFrom(env: NodeJS.ProcessEnv): string {
  return env.POWERTOOLS_SERVICE_NAME?.trim() || env.AWS_LAMBDA_FUNCTION_NAME?.trim() || "trailguard";
}

export function powertoolsLogger(options: PowertoolsLoggerOptions = {}): LambdaLogger {
  const env = options.env ?? process.env;
  const asked = (options.level ?? (env.POWERTOOLS_LOG_LEVEL?.trim() || env.LOG_LEVEL?.trim() || "INFO")).toUpperCase();
  const logger = new SinkableLogger({
    serviceName: options.serviceName ?? serviceNameFrom(env),
    logLevel: isLevel(asked) ? asked : "INFO",
    logFormatter: new TrailguardLogFormatter(),
  });
  logger.sink = options.write;
  if (!isLevel(asked)) logger.warn(`log level ${JSON.stringify(asked)} is not one of ${LEVELS.join(", ")}: INFO is used`);
  const methods: Record<LogLevel, (message: string, fields: LogAttributes) => void> = {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => logger.error(message, fields),
  };
  return {
    log(level, message, fields) {
      try {
        methods[level](message, fields ? guarded(fields) : {});
      } catch (error) {
        // A value JSON cannot encode (a throwing toJSON…) must not fail the event: say so instead.
        methods[level](message, { logFailed: String(error) });
      }
    },
    addContext: (context) => logger.addContext(context),
    correlate(eventId) {
      if (eventId) logger.appendKeys({ [CORRELATION_KEY]: eventId });
      else logger.removeKeys([CORRELATION_KEY]);
    },
    appendKeys: (keys) => logger.appendKeys(guarded(keys) as Parameters<PowertoolsLogger["appendKeys"]>[0]),
    removeKeys: (keys) => logger.removeKeys([...keys]),
    resetKeys: () => logger.resetKeys(),
  };
}
