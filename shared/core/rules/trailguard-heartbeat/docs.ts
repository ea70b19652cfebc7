import type { RuleDocs } from "../rule-docs.js";

/** What people read about trailguard-heartbeat: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Always info: the canary's own event, proof that CloudTrail, EventBridge and trailguard still work end to end. Its absence is what pages (CloudWatch alarm).",
  firesOn:
    "the heartbeat canary tagging its own role (`TagRole`)",
  severity: "info (never paged; its absence is what pages)",
};
