import type { Finding } from "./finding.js";

/**
 * What the core counts, as a contract: the Lambda edge implements it with Powertools Metrics
 * (CloudWatch embedded metric format, `shared/edges/log/metrics.ts`); replay and tests count
 * nothing. Findings by rule and severity, actions by status, alerts published (page or update)
 * and suppressed.
 */
export interface RuntimeMetrics {
  /** `Findings` +1 by `ruleId` and `severity`. */
  findingRaised(finding: Pick<Finding, "ruleId" | "severity">): void;
  /** `Actions` +1 per action of the finding, by `status` (done, failed, dry-run, skipped, planned). */
  actionsCarriedOut(finding: Pick<Finding, "actions">): void;
  /** `AlertsPublished` +1 by `kind`: a page, or an update of an incident that paged. */
  alertPublished(kind: "page" | "update"): void;
  /** `AlertsSuppressed` +1 by `ruleId` and `suppressionId` (a configured id: `^[\w.:-]{1,64}$`). */
  alertSuppressed(finding: Pick<Finding, "ruleId">, suppressionId: string): void;
  /** `MalformedInput` +1 (no dimension but `service`). */
  malformedInput(): void;
}

export const NO_METRICS: RuntimeMetrics = {
  findingRaised: () => undefined,
  actionsCarriedOut: () => undefined,
  alertPublished: () => undefined,
  alertSuppressed: () => undefined,
  malformedInput: () => undefined,
};
