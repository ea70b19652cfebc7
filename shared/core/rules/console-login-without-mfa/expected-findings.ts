import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with the samples' configuration ("action:status"). */
export const expectations: SampleExpectations = {
  // Identity Center: MFA happens at the identity provider, so CloudTrail records MFAUsed "No".
  "benign-identity-center-console-login": [],
  // Alert only: the password may be the user's own; the runbook says when to treat it as stolen.
  "iam-user-console-login-without-mfa": [{ rule: "console-login-without-mfa", severity: "medium", actions: [] }],
};
