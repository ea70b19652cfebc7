import type { RuleDocs } from "../rule-docs.js";

/** What people read about access-key-reactivated: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Always high when the call succeeds: an inactive key coming back to life needs a human decision. Deactivation (status Inactive) is not raised.",
  firesOn:
    "`UpdateAccessKey` to `Active`",
  severity: "high",
};
