import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with the samples' configuration (../sample-config.ts; "action:status"). */
export const expectations: SampleExpectations = {
  // The responder's own containment move, from its own code: exempt, nothing raised.
  "benign-trailguard-deactivates-access-key": [],
  "trailguard-role-reactivates-access-key": [
    // The key is switched off again; trailguard's own role is never contained, only paged on.
    { rule: "access-key-reactivated", severity: "high", actions: ["deactivate-access-key:planned"] },
    { rule: "trailguard-identity-misuse", severity: "critical", actions: [] },
  ],
};
