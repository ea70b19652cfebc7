import type { RuleDocs } from "../rule-docs.js";

/** What people read about access-key-created: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Created by the root user: critical (a root key, or root minting keys for users). For another user (a role session, or an IAM user naming a different userName): high. For the caller itself: low.",
  firesOn:
    "`CreateAccessKey`",
  severity: "critical by root, high for another user (user names compared, not ARN suffixes), low for oneself",
};
