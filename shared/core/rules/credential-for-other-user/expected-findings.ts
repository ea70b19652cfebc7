import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-password-changed-by-user": [],
  "credential-console-password-for-other-user": [{ rule: "credential-for-other-user", severity: "high", actions: [] }],
};
