import type { RuleDocs } from "../rule-docs.js";

/** What people read about policy-default-version-set: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Medium: always, since the document of the version made default is not in the event (the earlier CreatePolicyVersion finding judged it, if trailguard saw it).",
  firesOn:
    "`SetDefaultPolicyVersion` (IAM only: IoT's is ignored)",
  severity: "medium: the event does not show the document now in force",
};
