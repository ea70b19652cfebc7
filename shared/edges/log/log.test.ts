import type { Context } from "aws-lambda";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { METRICS } from "../../core/stack/stack-model.js";
import { type PowertoolsLoggerOptions, SHADOWED_FIELDS_KEY, powertoolsLogger } from "./log.js";

function capture(options: PowertoolsLoggerOptions = {}) {
  const lines: string[] = [];
  const logger = powertoolsLogger({ env: {}, ...options, write: (line) => lines.push(line) });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, logger, parsed };
}

/** How CloudWatch Logs reads `{ $.field = value }`: the field at the top level of the JSON line. */
function filterMatches(filter: string, line: string): boolean {
  const [, field = "", literal = ""] = /^\{ \$\.(\w+) = (.+) \}$/.exec(filter) ?? [];
  return (JSON.parse(line) as Record<string, unknown>)[field] === JSON.parse(literal);
}

const context = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: "trailguard-prod-iam-responder",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:trailguard-prod-iam-responder",
    memoryLimitInMB: "256",
  }) as Context;

describe("powertoolsLogger", () => {
  it("writes one JSON line per call: Powertools' keys, then the fields at the top level", () => {
    const { lines, logger, parsed } = capture({ env: { AWS_LAMBDA_FUNCTION_NAME: "trailguard-prod-iam-responder" } });
    logger.log("info", "finding", { findingId: "e1/rule", ruleId: "access-key-created", actions: [{ type: "revoke-sessions", status: "dry-run" }] });
    expect(lines).toHaveLength(1);
    expect(parsed()[0]).toEqual({
      level: "INFO",
      message: "finding",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: "trailguard-prod-iam-responder",
      sampling_rate: 0,
      findingId: "e1/rule",
      ruleId: "access-key-created",
      actions: [{ type: "revoke-sessions", status: "dry-run" }],
    });
  });

  it("keeps the numeric fields the metric filters count at the top level of the line", () => {
    const { lines, logger } = capture();
    logger.log("error", "idempotency store failed: no action taken", { idempotencyStoreFailed: 1, findingId: "e1/rule", error: "ResourceNotFoundException" });
    logger.log("error", "input rejected", { inputRejected: 1, reason: "direct invocation" });
    logger.log("error", "window counter failed", { idempotencyStoreFailed: 1, windowCounterFailed: 1, requests: 2 });
    logger.log("info", "finding", { ruleId: "trailguard-heartbeat" });
    expect(lines.map((line) => filterMatches(METRICS.storeFailures.filter, line))).toEqual([true, false, true, false]);
    expect(lines.map((line) => filterMatches(METRICS.inputRejected.filter, line))).toEqual([false, true, false, false]);
    expect(lines.map((line) => filterMatches(METRICS.heartbeats.filter, line))).toEqual([false, false, false, true]);
    expect(filterMatches("{ $.windowCounterFailed = 1 }", lines[2] ?? "")).toBe(true);
  });

  it("never lets a field replace or drop one of its own keys: such fields go under `fields`, and nothing else is said", () => {
    const { lines, logger, parsed } = capture({ env: { AWS_LAMBDA_FUNCTION_NAME: "trailguard-prod-iam-responder" } });
    logger.addContext(context("request-1"));
    logger.correlate("event-1");
    const forged = {
      message: "all clear",
      level: "DEBUG",
      timestamp: "1970-01-01T00:00:00.000Z",
      service: "someone-else",
      cold_start: true,
      function_name: "other",
      function_request_id: "forged-request",
      correlation_id: "forged-event",
      sampling_rate: 1,
      xray_trace_id: "Root=forged",
      [SHADOWED_FIELDS_KEY]: "mine",
    };
    // As it would come from a parsed event: an own `__proto__` key is data too.
    const shadowed = JSON.parse(`${JSON.stringify(forged).slice(0, -1)},"__proto__":{"polluted":true}}`) as Record<string, unknown>;
    logger.log("warn", "finding", { ...shadowed, ruleId: "r" });
    expect(lines).toHaveLength(1);
    const [line] = parsed();
    expect(line).toMatchObject({
      level: "WARN",
      message: "finding",
      service: "trailguard-prod-iam-responder",
      cold_start: false,
      function_name: "trailguard-prod-iam-responder",
      function_request_id: "request-1",
      correlation_id: "event-1",
      sampling_rate: 0,
      ruleId: "r",
    });
    expect(line?.["timestamp"]).not.toBe(forged.timestamp);
    expect(line?.["xray_trace_id"]).not.toBe(forged.xray_trace_id);
    expect(line?.[SHADOWED_FIELDS_KEY]).toEqual(shadowed);
    expect(Object.keys(line?.[SHADOWED_FIELDS_KEY] as object)).toContain("__proto__");
    expect(Object.getPrototypeOf(line?.[SHADOWED_FIELDS_KEY])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("keeps a value that looks like log lines inside its own line", () => {
    const { lines, logger, parsed } = capture();
    const hostile = 'x"}\n{"level":"ERROR","message":"forged","idempotencyStoreFailed":1}\r\n\u2028';
    logger.log("info", `event ${hostile}`, { reason: hostile, nested: { deeper: [hostile], constructor: "kept" } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r]/);
    expect(parsed()[0]).toMatchObject({ message: `event ${hostile}`, reason: hostile, nested: { deeper: [hostile], constructor: "kept" } });
    expect(filterMatches(METRICS.storeFailures.filter, lines[0] ?? "")).toBe(false);
  });

  it("adds the Lambda context per invocation (cold start only on the first) and correlates lines with the event", () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    onTestFinished(() => void vi.unstubAllEnvs());
    const { logger, parsed } = capture();
    logger.addContext(context("request-1"));
    logger.correlate("event-1");
    logger.log("info", "one");
    logger.correlate(undefined);
    logger.log("info", "between events");
    logger.resetKeys();
    logger.addContext(context("request-2"));
    logger.appendKeys({ messageId: "m-2", message: "not the message" });
    logger.log("info", "two");
    logger.removeKeys(["messageId"]);
    logger.log("info", "three");
    const [one, between, two, three] = parsed();
    expect(one).toMatchObject({ message: "one", cold_start: true, function_request_id: "request-1", correlation_id: "event-1" });
    expect(between).toMatchObject({ message: "between events", function_request_id: "request-1" });
    expect(between).not.toHaveProperty("correlation_id");
    expect(two).toMatchObject({ message: "two", cold_start: false, function_request_id: "request-2", messageId: "m-2", fields: { message: "not the message" } });
    expect(three).not.toHaveProperty("messageId");
  });

  it("logs at INFO and above unless POWERTOOLS_LOG_LEVEL or LOG_LEVEL says otherwise", () => {
    const levels = (env: NodeJS.ProcessEnv) => {
      const { logger, parsed } = capture({ env });
      for (const level of ["debug", "info", "warn", "error"] as const) logger.log(level, level);
      return parsed().map((line) => line["message"]);
    };
    expect(levels({})).toEqual(["info", "warn", "error"]);
    expect(levels({ LOG_LEVEL: "debug" })).toEqual(["debug", "info", "warn", "error"]);
    expect(levels({ POWERTOOLS_LOG_LEVEL: "WARN", LOG_LEVEL: "DEBUG" })).toEqual(["warn", "error"]);
    expect(levels({ POWERTOOLS_LOG_LEVEL: "loud" })).toEqual([expect.stringContaining('"LOUD" is not one of'), "info", "warn", "error"]);
  });

  it("names the service POWERTOOLS_SERVICE_NAME, else the function, else trailguard", () => {
    const service = (env: NodeJS.ProcessEnv) => {
      const { logger, parsed } = capture({ env });
      logger.log("info", "x");
      return parsed()[0]?.["service"];
    };
    expect(service({ POWERTOOLS_SERVICE_NAME: "svc", AWS_LAMBDA_FUNCTION_NAME: "fn" })).toBe("svc");
    expect(service({ AWS_LAMBDA_FUNCTION_NAME: "fn" })).toBe("fn");
    expect(service({})).toBe("trailguard");
  });

  it("does not fail the caller on a value JSON cannot encode", () => {
    const { logger, parsed } = capture();
    logger.log("error", "alert not published", { findingId: "f", odd: { toJSON: () => { throw new Error("no"); } }, big: 10n });
    expect(parsed()).toEqual([expect.objectContaining({ message: "alert not published", logFailed: "Error: no" })]);
  });

  it("writes to stdout through Powertools' own console when no writer is given", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    onTestFinished(() => spy.mockRestore());
    powertoolsLogger({ env: {} }).log("info", "to stdout", { inputRejected: 1 });
    spy.mockRestore();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/\n$/);
    expect(JSON.parse(written[0] ?? "")).toMatchObject({ level: "INFO", message: "to stdout", inputRejected: 1 });
  });
});
