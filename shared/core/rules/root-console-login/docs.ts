import type { RuleDocs } from "../rule-docs.js";

/** What people read about root-console-login: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Successful sign-in without MFA is critical (the root password alone opened the account); successful sign-in with MFA is high (root should almost never be used); a failed sign-in is medium (someone holds or is guessing the root e-mail and password).",
  firesOn:
    "root `ConsoleLogin`",
  severity: "critical without MFA, high with MFA, medium when it failed",
};
