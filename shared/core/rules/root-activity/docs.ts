import type { RuleDocs } from "../rule-docs.js";

/** What people read about root-activity: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Root credential or MFA changes (access keys, password, MFA devices, signing certificates) are critical; any other successful root call is high, or medium when read-only; failed root calls are medium. Calls made by AWS services on root's behalf and AwsServiceEvent records are ignored (CIS CloudWatch.1), except console credential and MFA actions, which are always raised.",
  firesOn:
    "any root call in any service and region (CIS CloudWatch.1: not invoked by a service, not `AwsServiceEvent`), plus root console credential/MFA actions made via `signin.amazonaws.com`",
  severity: "critical for root credential/MFA changes, high otherwise, medium for read-only or failed calls",
};
