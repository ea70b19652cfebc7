import type { RuleDocs } from "../rule-docs.js";

/** What people read about containment-policy-tampering: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: detaching a quarantine policy (AWSDenyAll, AWSCompromisedKeyQuarantine*) from a user, role or group; deleting the revoke-sessions inline policy from a user, role or group, or writing anything under its name that is not exactly the revoking deny with a cut-off at the time of the call (an older cut-off, a narrower deny, an extra statement, an unparseable or unrecorded document); when the document also grants admin-equivalent or privilege-escalation permissions, the grant is reported with it. Info: the exact revoking deny, as trailguard or the IAM console's Revoke active sessions writes it.",
  firesOn:
    "`DetachUserPolicy`, `DetachRolePolicy`, `DetachGroupPolicy` of a quarantine policy (`AWSDenyAll`, `AWSCompromisedKeyQuarantine*`, any case); `DeleteUserPolicy`, `DeleteRolePolicy`, `DeleteGroupPolicy` of the revoke-sessions policy (`TrailguardRevokeOlderSessions`, or the console's `AWSRevokeOlderSessions`); `PutUserPolicy`, `PutRolePolicy` under those names",
  severity: "critical for detaching a quarantine policy, deleting the revoke-sessions policy or writing anything but the exact revoking deny with a cut-off at the time of the call (an admin or escalation grant in the document is reported with it); info for the exact revoking deny",
};
