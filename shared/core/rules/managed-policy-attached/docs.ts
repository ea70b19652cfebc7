import type { RuleDocs } from "../rule-docs.js";

/** What people read about managed-policy-attached: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: an admin-equivalent AWS managed policy (AdministratorAccess, IAMFullAccess and similar). High: a broad AWS managed policy (PowerUserAccess\u2026). Medium: any other policy, customer policies included (a customer policy named AdministratorAccess is not AWS's), or one CloudTrail did not record.",
  firesOn:
    "`AttachUserPolicy`, `AttachRolePolicy`, `AttachGroupPolicy`",
  severity: "critical for admin-equivalent AWS managed policies (AdministratorAccess, IAMFullAccess\u2026); high for broad ones (PowerUserAccess\u2026); medium for any other, customer policies included",
};
