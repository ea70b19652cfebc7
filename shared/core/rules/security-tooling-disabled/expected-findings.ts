import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). Alert only: no actions. */
export const expectations: SampleExpectations = {
  "benign-config-recorder-started": [],
  "benign-guardduty-detector-frequency-updated": [],
  "config-recorder-stopped": [{ rule: "security-tooling-disabled", severity: "critical", actions: [] }],
  "guardduty-detector-deleted": [{ rule: "security-tooling-disabled", severity: "critical", actions: [] }],
  "guardduty-findings-archive-filter": [{ rule: "security-tooling-disabled", severity: "high", actions: [] }],
  "kms-key-deletion-scheduled": [{ rule: "security-tooling-disabled", severity: "high", actions: [] }],
  "securityhub-disabled": [{ rule: "security-tooling-disabled", severity: "critical", actions: [] }],
};
