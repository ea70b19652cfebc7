import type { RuleDocs } from "../rule-docs.js";

/** What people read about trailguard-identity-misuse: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Critical: any call that changes something, made with one of trailguard's roles, that is not one of trailguard's own moves (deactivating a key, putting the exact revoke-sessions deny, the heartbeat tag, its own plumbing). High: such a read-only call, or such a call that failed (someone probing with stolen credentials).",
  firesOn:
    "any call made with trailguard's roles that is not one of trailguard's own moves",
  severity: "critical for a change, high for a read-only call or a failed one",
};
