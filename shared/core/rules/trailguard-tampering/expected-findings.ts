import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with the samples' configuration (../sample-config.ts; "action:status"). */
export const expectations: SampleExpectations = {
  // The same call on the staging deployment's function: not a resource this stack names.
  "benign-staging-function-code-updated": [],
  "trailguard-function-code-replaced": [{ rule: "trailguard-tampering", severity: "critical", actions: [] }],
};
