import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, requestString } from "../rule-helpers.js";
import { assessLookedUpDocument, customerPolicyRequest, isIamCall, lookedUpPolicy, policyMatch } from "../policy-change.js";

const EVENTS = ["SetDefaultPolicyVersion"];

/**
 * A managed policy's default version switched: what every holder can do changes at once, and the
 * event names only the version, never its document.
 */
export const policyDefaultVersionSet = defineRule({
  id: "policy-default-version-set",
  title: "Managed policy default version switched",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Read the version now in force (aws iam get-policy-version --policy-arn … --version-id …) and compare it with the one it replaced; ask the actor's owner whether the switch was planned. Switching back to an older, broader version is a known escalation path: if the version grants more than it should, set the previous version as default again, delete the unwanted version, and review what the policy's holders did since.",
  eventNames: EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant"],
  lookups: (record, event) => {
    const versionId = requestString(record, "versionId");
    return versionId === undefined ? [] : [customerPolicyRequest(record, event, versionId)].filter((request) => request !== undefined);
  },
  evaluate(input) {
    if (!isIamCall(input, EVENTS)) return undefined;
    const { record, event, lookups } = input;
    const versionId = requestString(record, "versionId");
    const looked = versionId === undefined ? undefined : lookedUpPolicy(lookups, customerPolicyRequest(record, event, versionId));
    // The event names the version, never its document: the responder reads it; replay cannot.
    return policyMatch(input, assessLookedUpDocument(looked, `default version set to ${quoted(versionId)}`));
  },
});
