import { isIamGroupName } from "../../arn/arn.js";
import { analysePermissions, classifyManagedPolicyArn } from "../../iam/permission-analysis.js";
import { parsePolicyDocument } from "../../iam/policy-document.js";
import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, outcome, requestString } from "../rule-helpers.js";

/**
 * AddUserToGroup: the user now holds everything the group grants. The event does not say what
 * that is, so the rule asks the edge to read the group's policies (attached managed policies,
 * inline policies and the default versions of customer-managed ones): with them it is judged
 * like attaching those policies to the user; without them (replay, an account trailguard does
 * not manage, a read that failed) it says what is unknown and stays medium.
 */
export const groupMembershipAdded = defineRule({
  id: "group-membership-added",
  title: "User added to a group",
  category: "policy-change",
  technique: { id: "T1098", name: "Account Manipulation" },
  runbook:
    "Check that the user should be in the group (a ticket, the group's owner). If not, remove it (aws iam remove-user-from-group), read what the group grants (aws iam list-attached-group-policies, list-group-policies), and treat the actor's session as compromised if it added itself or someone it controls: what else did it do? For an admin-equivalent group, the actions in the alert say what trailguard contained and what is left to do by hand.",
  eventNames: ["AddUserToGroup"],
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant"],
  lookups(record, event) {
    const groupName = requestString(record, "groupName");
    return groupName !== undefined && isIamGroupName(groupName) && event.account !== undefined ? [{ kind: "group-grants", account: event.account, groupName }] : [];
  },
  evaluate({ record, actor, event, lookups }) {
    if (event.eventSource !== IAM_SOURCE || event.eventName !== "AddUserToGroup") return undefined;
    const groupName = requestString(record, "groupName");
    const userName = requestString(record, "userName");
    const target = { kind: "user" as const, name: userName, userName };
    const summary = `${describeActor(actor)} added IAM user ${quoted(userName)} to group ${quoted(groupName)}: ${outcome(event.failed, event.errorCode)}`;
    const grants = groupName !== undefined && event.account !== undefined ? lookups.groupGrants(event.account, groupName) : undefined;
    if (grants === undefined || !grants.ok) {
      return {
        severity: "medium",
        summary,
        whyItMatters: "The user now holds whatever the group grants, and this event does not show what that is: read the group's policies.",
        reasons: [
          grants !== undefined
            ? `the group's policies could not be read: ${grants.reason}`
            : groupName === undefined || !isIamGroupName(groupName)
              ? `the group name ${quoted(groupName)} is not one IAM accepts, so it was not read`
              : "the group's policies were not read (replay, an alert-only function, or an account trailguard does not manage)",
        ],
        signals: [],
        target,
      };
    }
    const reasons: string[] = [];
    // What IAM says now, not at the call: a group emptied since (to hide the grant) reads as
    // harmless, so a harmless read stays medium, as if unread; only what it finds raises it.
    let severity: Severity = "medium";
    let admin = false;
    let escalation = false;
    for (const arn of grants.value.managedPolicyArns) {
      const kind = classifyManagedPolicyArn(arn);
      if (kind === "admin") {
        admin = true;
        reasons.push(`the group has AWS managed policy ${quoted(arn)} attached: admin-equivalent`);
      } else if (kind === "broad") {
        severity = "high";
        reasons.push(`the group has broad AWS managed policy ${quoted(arn)} attached`);
      }
    }
    for (const { name, document } of grants.value.documents) {
      const parsed = parsePolicyDocument(document);
      if (!parsed.ok) {
        severity = "high";
        reasons.push(`the group's policy ${quoted(name)} could not be analysed: ${parsed.reason}`);
        continue;
      }
      const verdict = analysePermissions(parsed.document);
      if (verdict.adminEquivalent) {
        admin = true;
        reasons.push(...verdict.adminReasons.map((reason) => `the group's policy ${quoted(name)}: ${reason}`));
      } else if (verdict.escalationActions.length > 0) {
        escalation = true;
        reasons.push(`the group's policy ${quoted(name)} grants privilege-escalation actions on any resource: ${verdict.escalationActions.join(", ")}`);
      }
    }
    if (admin) severity = "critical";
    else if (escalation) severity = "high";
    if (grants.value.incomplete) reasons.push(`not every policy of the group was read: ${grants.value.incomplete}`);
    if (reasons.length === 0) reasons.push(`as read from IAM when trailguard judged the event (it may have changed since the call), the group grants nothing admin-equivalent (${grants.value.managedPolicyArns.length} managed, ${grants.value.documents.length} read documents)`);
    return {
      severity,
      ...(admin ? { title: "User added to an admin-equivalent group" } : {}),
      summary,
      whyItMatters: admin
        ? "Membership in this group is as good as attaching administrator rights to the user: whoever holds its credentials now controls the account."
        : "The user now holds whatever the group grants.",
      reasons,
      signals: admin ? ["admin-grant"] : escalation ? ["escalation-grant"] : [],
      target,
    };
  },
});
