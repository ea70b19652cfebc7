import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-iam-user-console-login": [],
  "root-console-login-failed": [{ rule: "root-console-login", severity: "medium", actions: [] }],
  "root-console-login-with-mfa": [{ rule: "root-console-login", severity: "high", actions: [] }],
  "root-console-login-without-mfa": [{ rule: "root-console-login", severity: "critical", actions: [] }],
};
