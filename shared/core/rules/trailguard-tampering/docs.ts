import type { RuleDocs } from "../rule-docs.js";

/** What people read about trailguard-tampering: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: any change to trailguard's own functions, roles, EventBridge rules, alert topic, KMS key, idempotency table, queues, alarms, log groups, or the deletion of its stack, made outside a stack deployment. High: a deployment of its stack (UpdateStack, change sets) or a change CloudFormation made, and a new subscription to the alert topic. A failed attempt is medium.",
  firesOn:
    "changes to trailguard's own functions, roles, EventBridge rules, alert topic and subscriptions, KMS key, idempotency table, queues, alarms, log groups and stack (as the stack names them)",
  severity: "critical; high for a stack deployment or what CloudFormation does for one, and for a new subscription to the alert topic; a failed attempt is medium",
  listsEventNames: false,
};
