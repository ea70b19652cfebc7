import type { Finding } from "../../core/model/finding.js";
import { type Runtime, type RuntimeOptions, buildRuntime } from "./runtime-core.js";

/**
 * For functions that only detect and alert (the root monitor): no IAM or STS client is even
 * bundled. Should a custom response policy plan actions for its rules, they are reported as
 * skipped, never silently dropped. When the idempotency store fails it still publishes (a
 * duplicate page rather than silence): it has nothing to do twice but alert.
 */
export function createAlertRuntime(options: RuntimeOptions): Runtime {
  return buildRuntime({ alertWithoutIdempotencyStore: true, ...options }, () => async (finding: Finding) => ({
    ...finding,
    actions: finding.actions.map((action) =>
      action.status === "planned" ? { ...action, status: "skipped" as const, reason: "this function only alerts: it has no permission to act" } : action,
    ),
  }));
}
