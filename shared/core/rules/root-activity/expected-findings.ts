import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-root-call-invoked-by-service": [],
  "root-activity-ec2-run-instances": [{ rule: "root-activity", severity: "high", actions: [] }],
  "root-created-access-key-in-console": [
    { rule: "root-activity", severity: "critical", actions: [] },
    { rule: "access-key-created", severity: "critical", actions: [] },
  ],
};
