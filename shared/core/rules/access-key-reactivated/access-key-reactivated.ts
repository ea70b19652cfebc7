import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, outcome, requestString } from "../rule-helpers.js";

/**
 * UpdateAccessKey to Active. Keys are deactivated for a reason (rotation, containment by
 * trailguard or a human); switching one back on revives credentials someone decided to kill.
 */
export const accessKeyReactivated = defineRule({
  id: "access-key-reactivated",
  title: "Access key reactivated",
  category: "access-key",
  technique: { id: "T1098.001", name: "Account Manipulation: Additional Cloud Credentials" },
  runbook:
    "Check why the key was inactive (rotation, or containment after an incident) and who reactivated it. If trailguard had contained it, someone is undoing the response: make sure the key is inactive again (the actions in the alert say whether trailguard deactivated it) and investigate the reactivating principal. If the reactivation was legitimate, add the automation to the allowlist.",
  eventNames: ["UpdateAccessKey"],
  eventSources: [IAM_SOURCE],
  signals: ["key-reactivated"],
  evaluate({ record, actor, event }) {
    if (event.eventSource !== IAM_SOURCE || event.eventName !== "UpdateAccessKey") return undefined;
    const status = requestString(record, "status");
    if (status?.toLowerCase() !== "active") return undefined;
    const accessKeyId = requestString(record, "accessKeyId");
    const userName = requestString(record, "userName") ?? (actor.type === "IAMUser" ? actor.principalName : undefined);
    const ofWhom = actor.type === "Root" && !requestString(record, "userName") ? "the root user" : `user ${quoted(userName)}`;
    return {
      severity: "high",
      summary: `${describeActor(actor)} reactivated access key ${quoted(accessKeyId)} of ${ofWhom}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters:
        "A key that was switched off is switched back on: if it had been disabled during an incident, the attacker's credentials work again.",
      reasons: ["access key status set to Active"],
      signals: ["key-reactivated"],
      target:
        actor.type === "Root" && !requestString(record, "userName")
          ? { kind: "account", name: event.account, accessKeyId }
          : { kind: "access-key", name: accessKeyId, userName, accessKeyId },
    };
  },
});
