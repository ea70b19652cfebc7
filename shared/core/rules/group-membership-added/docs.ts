import type { RuleDocs } from "../rule-docs.js";

/** What people read about group-membership-added: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "By what the group grants, read by the responder (attached managed policies, inline policies, the default version of each customer-managed policy; read-only IAM calls in its own and the managed accounts, read afresh for every event: a group changed a moment ago is judged as it is now). Critical: an admin-equivalent AWS managed policy (AdministratorAccess, IAMFullAccess…) or document. High: a broad AWS managed policy, privilege-escalation actions on any resource, or a document trailguard cannot parse. Medium: nothing of the kind as read (what IAM says when trailguard reads it, which may differ from the call: a group emptied in between to hide the grant reads as harmless, so harmless never goes lower), not every policy read (past 40 IAM calls for one event), or the group's policies not read at all (replay, an account trailguard does not manage, a read that failed), with the reason. A failed call is low.",
  firesOn: "`AddUserToGroup`",
  severity: "critical when the group is admin-equivalent (contained like any admin grant); high for broad or escalation grants; medium otherwise, or when its policies could not be read (replay)",
};
