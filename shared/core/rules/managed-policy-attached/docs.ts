import type { RuleDocs } from "../rule-docs.js";

/** What people read about managed-policy-attached: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "AWS managed policies by name; customer-managed policies by their default version's document, which the responder reads from IAM (its own and the managed accounts) and replay rebuilds from the `CreatePolicy`/`CreatePolicyVersion`/`SetDefaultPolicyVersion` events it read before (as of the call's own time), judged like a written document whatever the policy is called. Critical: an admin-equivalent AWS managed policy (AdministratorAccess, IAMFullAccess and similar) or customer document. High: a broad AWS managed policy (PowerUserAccess\u2026), a customer document with privilege-escalation actions on any resource or one trailguard cannot parse. Medium: a customer document with neither, as read (the document in force when trailguard reads it, which may differ from the call's: a default switched back in between reads as harmless, so harmless never goes lower), any other AWS managed policy, a customer policy whose document was not read (replay that did not see it created, an unmanaged account, a failed read: the reason says which), or a policy CloudTrail did not record.",
  firesOn:
    "`AttachUserPolicy`, `AttachRolePolicy`, `AttachGroupPolicy`",
  severity: "critical for admin-equivalent AWS managed policies (AdministratorAccess, IAMFullAccess\u2026) and customer policies whose document (read by the responder, or seen created in the same replay) is admin-equivalent; high for broad ones (PowerUserAccess\u2026) and escalation documents; medium for any other, benign customer documents and customer documents not known",
};
