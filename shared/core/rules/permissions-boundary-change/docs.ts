import type { RuleDocs } from "../rule-docs.js";

/** What people read about permissions-boundary-change: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "High: a boundary removed, or set to an admin-equivalent AWS managed policy (which caps nothing). Medium: any other boundary set or changed.",
  firesOn:
    "`PutUserPermissionsBoundary`, `PutRolePermissionsBoundary`, `DeleteUserPermissionsBoundary`, `DeleteRolePermissionsBoundary`",
  severity: "high for a removed boundary, or one set to an admin-equivalent policy (which caps nothing); medium for other boundaries",
};
