import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). Root sessions cannot be contained: alert only. */
export const expectations: SampleExpectations = {
  "benign-sts-assume-role-deploy": [],
  "root-session-audit-task": [{ rule: "root-session-assumed", severity: "medium", actions: [] }],
  "root-session-password-task": [{ rule: "root-session-assumed", severity: "critical", actions: [] }],
};
