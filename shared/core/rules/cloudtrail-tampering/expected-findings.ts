import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-cloudtrail-data-events-added": [],
  "cloudtrail-logging-stopped": [{ rule: "cloudtrail-tampering", severity: "critical", actions: [] }],
  "cloudtrail-management-events-excluded": [{ rule: "cloudtrail-tampering", severity: "critical", actions: [] }],
};
