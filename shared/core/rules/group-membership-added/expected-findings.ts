import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). Replay reads no group: medium, no action. */
export const expectations: SampleExpectations = {
  "benign-user-removed-from-group": [],
  "group-user-added-policies-unread": [{ rule: "group-membership-added", severity: "medium", actions: [] }],
};
