import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "access-key-reactivated": [{ rule: "access-key-reactivated", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "benign-access-key-deactivated": [],
};
