import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with the samples' configuration (../sample-config.ts; "action:status"). */
export const expectations: SampleExpectations = {
  // The staging stack's canary: not this stack's heartbeat role, so no proof this pipeline works.
  "benign-staging-heartbeat-tag": [],
  // Someone else writing the heartbeat tag on trailguard's role: tampering, never a heartbeat.
  "heartbeat-tag-forged-by-another-principal": [{ rule: "trailguard-tampering", severity: "critical", actions: [] }],
  "trailguard-heartbeat-tag": [{ rule: "trailguard-heartbeat", severity: "info", actions: [] }],
};
