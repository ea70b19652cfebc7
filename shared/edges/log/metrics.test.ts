import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { ActionStatus, ResponseAction } from "../../core/model/action.js";
import { powertoolsLogger } from "./log.js";
import { type RuntimeMetricsOptions, metricsEnabled, noMetrics, runtimeMetrics } from "./metrics.js";

const IN_LAMBDA = { AWS_LAMBDA_FUNCTION_NAME: "trailguard-prod-iam-responder" };

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

function capture(options: RuntimeMetricsOptions = {}) {
  const lines: string[] = [];
  const logLines: string[] = [];
  const metrics = runtimeMetrics({ env: IN_LAMBDA, logger: powertoolsLogger({ env: {}, write: (line) => logLines.push(line) }), ...options, write: (line) => lines.push(line) });
  return { metrics, lines, logLines, emf: () => lines.map((line) => JSON.parse(line) as Emf) };
}

const actions = (...statuses: ActionStatus[]) => ({ actions: statuses.map((status) => ({ status }) as ResponseAction) });

/** What CloudWatch makes of an EMF line: each metric with its dimension values and value. */
function published(emf: Emf[]) {
  return emf.flatMap((line) =>
    line._aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics }) =>
      Dimensions.flatMap((names) =>
        Metrics.map(({ Name, Unit }) => ({ namespace: Namespace, name: Name, unit: Unit, dimensions: Object.fromEntries(names.map((name) => [name, line[name]])), value: line[Name] })),
      ),
    ),
  );
}

describe("runtimeMetrics", () => {
  it("writes EMF: namespace trailguard, service the function, each metric with its own dimensions, counted per invocation", () => {
    const { metrics, emf, logLines } = capture();
    metrics.findingRaised({ ruleId: "access-key-created", severity: "high" });
    metrics.findingRaised({ ruleId: "access-key-created", severity: "high" });
    metrics.findingRaised({ ruleId: "role-trust-update", severity: "critical" });
    metrics.actionsCarriedOut(actions("done", "done", "failed"));
    metrics.actionsCarriedOut(actions("dry-run", "skipped", "planned"));
    metrics.alertPublished("page");
    metrics.alertPublished("update");
    metrics.alertPublished("page");
    metrics.alertSuppressed({ ruleId: "access-key-created" }, "ci-keys");
    metrics.malformedInput();
    metrics.flush();

    const service = "trailguard-prod-iam-responder";
    const count = (name: string, dimensions: Record<string, string>, value: number) => ({ namespace: "trailguard", name, unit: "Count", dimensions: { service, ...dimensions }, value });
    expect(published(emf())).toEqual([
      count("Findings", { ruleId: "access-key-created", severity: "high" }, 2),
      count("Findings", { ruleId: "role-trust-update", severity: "critical" }, 1),
      count("Actions", { status: "done" }, 2),
      count("Actions", { status: "failed" }, 1),
      count("Actions", { status: "dry-run" }, 1),
      count("Actions", { status: "skipped" }, 1),
      count("Actions", { status: "planned" }, 1),
      count("AlertsPublished", { kind: "page" }, 2),
      count("AlertsPublished", { kind: "update" }, 1),
      count("AlertsSuppressed", { ruleId: "access-key-created", suppressionId: "ci-keys" }, 1),
      count("MalformedInput", {}, 1),
    ]);
    // One line per set of dimension values, one dimension set per line: no metric published under another's dimensions.
    expect(emf()).toHaveLength(11);
    for (const line of emf()) {
      expect(line._aws.CloudWatchMetrics).toHaveLength(1);
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toHaveLength(1);
      expect(line._aws.Timestamp).toEqual(expect.any(Number));
    }
    expect(emf()[0]).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: "trailguard", Dimensions: [["service", "ruleId", "severity"]], Metrics: [{ Name: "Findings", Unit: "Count" }] }],
      },
      service,
      ruleId: "access-key-created",
      severity: "high",
      Findings: 2,
    });
    expect(logLines).toEqual([]);
  });

  it("puts metrics that share dimension values on one line", () => {
    const { metrics, emf } = capture();
    metrics.malformedInput();
    metrics.malformedInput();
    metrics.flush();
    expect(emf()).toEqual([expect.objectContaining({ service: "trailguard-prod-iam-responder", MalformedInput: 2 })]);
  });

  it("flushes nothing, and warns nothing, when nothing was counted; a flush forgets what it wrote", () => {
    const { metrics, lines, logLines } = capture();
    metrics.flush();
    expect(lines).toEqual([]);
    metrics.alertPublished("page");
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
    expect(logLines).toEqual([]);
  });

  it("is silent outside Lambda, when POWERTOOLS_METRICS_DISABLED is true, or when disabled", () => {
    for (const options of [{ env: {} }, { env: { ...IN_LAMBDA, POWERTOOLS_METRICS_DISABLED: "true" } }, { env: IN_LAMBDA, enabled: false }]) {
      const { metrics, lines, logLines } = capture(options);
      expect(metrics).toBe(noMetrics);
      metrics.findingRaised({ ruleId: "r", severity: "low" });
      metrics.malformedInput();
      metrics.flush();
      expect(lines).toEqual([]);
      expect(logLines).toEqual([]);
    }
    expect(metricsEnabled(IN_LAMBDA)).toBe(true);
    expect(metricsEnabled({ ...IN_LAMBDA, POWERTOOLS_METRICS_DISABLED: "false" })).toBe(true);
    expect(metricsEnabled({ ...IN_LAMBDA, POWERTOOLS_METRICS_DISABLED: "1" })).toBe(false);
  });

  it("publishes to stdout through Powertools when no writer is given, and nothing at all when disabled", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    onTestFinished(() => spy.mockRestore());
    const metrics = runtimeMetrics({ env: IN_LAMBDA });
    metrics.flush();
    metrics.alertPublished("page");
    metrics.flush();
    const replay = runtimeMetrics({ env: {} });
    replay.alertPublished("page");
    replay.flush();
    spy.mockRestore();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/\n$/);
    expect(JSON.parse(written[0] ?? "")).toMatchObject({ service: "trailguard-prod-iam-responder", kind: "page", AlertsPublished: 1 });
  });

  it("never throws from flush: a line that cannot be written is logged, and the others still go out", () => {
    const lines: string[] = [];
    const logLines: string[] = [];
    let writes = 0;
    const write = (line: string) => {
      if (writes++ === 0) throw new Error("stdout closed");
      lines.push(line);
    };
    const metrics = runtimeMetrics({ env: IN_LAMBDA, write, logger: powertoolsLogger({ env: {}, write: (line) => logLines.push(line) }) });
    metrics.malformedInput();
    metrics.alertPublished("page");
    expect(() => metrics.flush()).not.toThrow();
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ kind: "page", AlertsPublished: 1 })]);
    expect(logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: "ERROR", message: "metrics not published", metrics: ["MalformedInput"], error: "Error: stdout closed" }),
    ]);
  });
});
