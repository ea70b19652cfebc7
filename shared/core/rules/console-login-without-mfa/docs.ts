import type { RuleDocs } from "../rule-docs.js";

/** What people read about console-login-without-mfa: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Medium: an IAM user signed in to the console successfully and CloudTrail records that no MFA was used (additionalEventData.MFAUsed = No). Sign-ins with MFA, failed sign-ins, root (root-console-login's) and federated sign-ins (SAML, Identity Center, assumed roles: MFA is the identity provider's) raise nothing.",
  firesOn:
    "an IAM user's successful `ConsoleLogin` without MFA (CIS CloudWatch.3; root is `root-console-login`'s, federated sign-ins are left to their identity provider)",
  severity: "medium",
};
