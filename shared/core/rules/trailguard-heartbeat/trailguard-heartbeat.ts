import { defineRule } from "../rule.js";

/**
 * The end-to-end canary: a scheduled function tags its own role, CloudTrail records it,
 * EventBridge routes it here, and this rule's info finding is logged. A metric filter counts
 * those log lines; an alarm pages when none arrived in time (a stopped trail, a broken rule, a
 * dead function). It never alerts by itself.
 */
export const trailguardHeartbeat = defineRule({
  id: "trailguard-heartbeat",
  title: "trailguard heartbeat seen",
  category: "tampering",
  technique: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  runbook:
    "Nothing to do for a heartbeat. When the heartbeat alarm fires instead: check the trail is logging (aws cloudtrail get-trail-status), the EventBridge rules are enabled, and the functions run (their errors and throttles alarms, the dead-letter queue).",
  eventNames: ["TagRole"],
  trailguardCallersOnly: true,
  signals: ["heartbeat"],
  evaluate({ event, trailguard }) {
    // Only the heartbeat role may tag (its policy); a failed attempt proves nothing.
    if (trailguard?.ownMove !== "heartbeat" || event.failed) return undefined;
    return {
      severity: "info",
      summary: `heartbeat from ${trailguard.roleArn} at ${event.eventTime ?? "(time not recorded)"}`,
      whyItMatters: "The pipeline works end to end: CloudTrail logs, EventBridge delivers, trailguard runs.",
      reasons: ["the heartbeat canary tagged its own role"],
      signals: ["heartbeat"],
      target: undefined,
    };
  },
});
