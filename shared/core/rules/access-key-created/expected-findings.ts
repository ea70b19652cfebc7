import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "access-key-create-denied-for-other-user": [{ rule: "access-key-created", severity: "low", actions: ["deactivate-access-key:skipped"] }],
  "access-key-created-by-role-session": [{ rule: "access-key-created", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "access-key-created-for-other-user": [{ rule: "access-key-created", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "access-key-created-for-self-with-path": [{ rule: "access-key-created", severity: "low", actions: [] }],
  "benign-access-key-listed": [],
};
