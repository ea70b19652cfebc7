import type { Finding } from "./finding.js";

/**
 * What the core counts, as a contract: the Lambda edge implements it with Powertools Metrics
 * (CloudWatch embedded metric format, `shared/edges/log/metrics.ts`); replay and tests count
 * nothing. Findings by rule and severity, actions by status, alerts published (page or update)
 * and suppressed.
 */
export interface RuntimeMetrics {
  findingRaised(finding: Finding): void;
  actionsCarriedOut(finding: Finding): void;
  alertPublished(kind: "page" | "update"): void;
  alertSuppressed(finding: Finding, suppressionId: string): void;
  malformedInput(): void;
}

export const NO_METRICS: RuntimeMetrics = {
  findingRaised: () => undefined,
  actionsCarriedOut: () => undefined,
  alertPublished: () => undefined,
  alertSuppressed: () => undefined,
  malformedInput: () => undefined,
};
