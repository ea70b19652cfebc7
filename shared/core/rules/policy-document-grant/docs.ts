import type { RuleDocs } from "../rule-docs.js";

/** What people read about policy-document-grant: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: a document that is admin-equivalent (Allow * / iam:* / NotAction on any resource). High: privilege-escalation permissions on any resource (iam:PassRole, iam:Attach*Policy, iam:CreateAccessKey\u2026), or a document trailguard cannot parse. Medium: any other document, or one CloudTrail did not record. The reasons add caveats: a new version not set as default, a new managed policy not attached yet, conditions on the grant.",
  firesOn:
    "`PutUserPolicy`, `PutRolePolicy`, `PutGroupPolicy`, `CreatePolicy`, `CreatePolicyVersion` (IAM only: Organizations policies are ignored; a user or role inline policy under a revoke-sessions name is `containment-policy-tampering`'s)",
  severity: "critical for admin-equivalent documents (`*`, `iam:*` or `NotAction` on any resource); high for privilege-escalation permissions on any resource and for documents trailguard cannot parse; medium for other documents and for documents CloudTrail did not record",
};
