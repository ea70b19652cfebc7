import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-autoscaling-delete-policy": [],
  "policy-detached-from-role": [{ rule: "policy-permissions-removed", severity: "low", actions: [] }],
};
