/**
 * What the functions count, as CloudWatch metrics through Powertools for AWS Lambda's Metrics:
 * Embedded Metric Format (EMF) lines on stdout that CloudWatch Logs turns into metrics, with no
 * API call. Namespace `trailguard`, dimension `service` = the function's name (as the logger's).
 *
 * Counts are kept per invocation and written by `flush()` (at the end of each invocation): one
 * EMF line per distinct set of dimension values, holding every metric that shares it. An EMF line
 * carries one value per dimension, so findings of two rules cannot share a line; Powertools'
 * extra dimension sets (`addDimensions`) would publish every metric of a line under every set
 * (Actions by rule, Findings by status…), and `singleMetric()` writes a line and builds a new
 * Metrics instance per call. Grouping gives each metric exactly its own dimensions, a handful
 * of lines per invocation, and a number of CloudWatch metrics bounded by the rules, severities,
 * statuses and configured suppressions: no event-controlled value is ever a dimension. Sums
 * across a dimension (every critical finding, whatever the rule) are a Metrics Insights query
 * (`SELECT SUM(Findings) FROM trailguard WHERE severity = 'critical'`), alarms included.
 *
 * Outside Lambda (replay, tests, scripts) nothing is written: metrics are on only when
 * `AWS_LAMBDA_FUNCTION_NAME` is set and `POWERTOOLS_METRICS_DISABLED` is not true (or as
 * `enabled` says), so replay's stdout never carries EMF.
 */
import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { ActionStatus } from "../../core/model/action.js";
import type { Logger } from "../../core/model/logger.js";
import { NO_METRICS, type RuntimeMetrics as CoreRuntimeMetrics } from "../../core/model/metrics.js";
import { serviceNameFrom } from "./log.js";

export const METRICS_NAMESPACE = "trailguard";

/** The metric names, for alarms and dashboards. */
export const RUNTIME_METRIC_NAMES = {
  findings: "Findings",
  actions: "Actions",
  alertsPublished: "AlertsPublished",
  alertsSuppressed: "AlertsSuppressed",
  malformedInput: "MalformedInput",
} as const;

/** The core's contract (`shared/core/model/metrics.ts`), and the flush the Lambda entry calls per invocation. */
export interface RuntimeMetrics extends CoreRuntimeMetrics {
  /** Writes what was counted since the last flush and forgets it; nothing counted, nothing written. Never throws. */
  flush(): void;
}

export interface RuntimeMetricsOptions {
  /** Default `process.env`: `AWS_LAMBDA_FUNCTION_NAME`, `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_DISABLED`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: `POWERTOOLS_SERVICE_NAME`, else `AWS_LAMBDA_FUNCTION_NAME`. */
  readonly serviceName?: string;
  readonly namespace?: string;
  /** Default: in Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) unless `POWERTOOLS_METRICS_DISABLED` is true. */
  readonly enabled?: boolean;
  /** Where Powertools' own warnings and a failed flush are logged (default: Powertools' console). */
  readonly logger?: Logger;
  /** Receives each EMF line (JSON, no newline) instead of stdout: for tests. */
  readonly write?: (line: string) => void;
}

/** Counts nothing, writes nothing. */
export const noMetrics: RuntimeMetrics = { ...NO_METRICS, flush: () => undefined };

const TRUE = /^\s*(1|true|yes|on|y)\s*$/i;

export function metricsEnabled(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME?.trim()) && !TRUE.test(env.POWERTOOLS_METRICS_DISABLED ?? "");
}

interface Group {
  readonly dimensions: Record<string, string>;
  readonly counts: Map<string, number>;
}

export function runtimeMetrics(options: RuntimeMetricsOptions = {}): RuntimeMetrics {
  const env = options.env ?? process.env;
  if (!(options.enabled ?? metricsEnabled(env))) return noMetrics;
  const logger = options.logger;
  const metrics = new Metrics({
    namespace: options.namespace ?? METRICS_NAMESPACE,
    serviceName: options.serviceName ?? serviceNameFrom(env),
    ...(logger
      ? {
          logger: {
            debug: (...content: unknown[]) => logger.log("debug", content.map(String).join(" ")),
            info: (...content: unknown[]) => logger.log("info", content.map(String).join(" ")),
            warn: (...content: unknown[]) => logger.log("warn", content.map(String).join(" ")),
            error: (...content: unknown[]) => logger.log("error", content.map(String).join(" ")),
          },
        }
      : {}),
  });
  const write = options.write;
  const publish = write
    ? () => {
        try {
          write(JSON.stringify(metrics.serializeMetrics()));
        } finally {
          metrics.clearMetrics();
          metrics.clearDimensions();
          metrics.clearMetadata();
        }
      }
    : () => metrics.publishStoredMetrics();

  const groups = new Map<string, Group>();
  const count = (metric: string, dimensions: Record<string, string>, value = 1) => {
    // EMF drops an empty dimension value (the metric would lose the dimension): name it instead.
    const named = Object.fromEntries(Object.entries(dimensions).map(([name, dimension]) => [name, dimension || "unknown"]));
    const key = JSON.stringify(Object.entries(named).sort(([a], [b]) => (a < b ? -1 : 1)));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { dimensions: named, counts: new Map() }));
    group.counts.set(metric, (group.counts.get(metric) ?? 0) + value);
  };

  return {
    findingRaised: (finding) => count(RUNTIME_METRIC_NAMES.findings, { ruleId: finding.ruleId, severity: finding.severity }),
    actionsCarriedOut(finding) {
      for (const action of finding.actions) count(RUNTIME_METRIC_NAMES.actions, { status: action.status satisfies ActionStatus });
    },
    alertPublished: (kind) => count(RUNTIME_METRIC_NAMES.alertsPublished, { kind }),
    alertSuppressed: (finding, suppressionId) => count(RUNTIME_METRIC_NAMES.alertsSuppressed, { ruleId: finding.ruleId, suppressionId }),
    malformedInput: () => count(RUNTIME_METRIC_NAMES.malformedInput, {}),
    flush() {
      const pending = [...groups.values()];
      groups.clear();
      for (const { dimensions, counts } of pending) {
        try {
          if (Object.keys(dimensions).length > 0) metrics.addDimensions(dimensions);
          for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
          publish();
        } catch (error) {
          // Metrics are worth less than the invocation: a bad one is logged, never thrown.
          metrics.clearMetrics();
          metrics.clearDimensions();
          logger?.log("error", "metrics not published", { metrics: [...counts.keys()], error: String(error) });
        }
      }
    },
  };
}
