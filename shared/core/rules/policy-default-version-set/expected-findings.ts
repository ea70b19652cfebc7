import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  // AWS IoT's SetDefaultPolicyVersion (iot.amazonaws.com): an IoT policy, not an IAM one.
  "benign-iot-set-default-policy-version": [],
  "policy-default-version-switched": [{ rule: "policy-default-version-set", severity: "medium", actions: [] }],
  // A sequence: a policy reading a bucket's objects (medium), a second version reading only
  // CloudWatch metrics (low, not default yet), then that version made default: replay saw it
  // created, so the switch is judged by it: low.
  "narrow-version-created-then-made-default": [
    { rule: "policy-document-grant", severity: "medium", actions: [], event: 0 },
    { rule: "policy-document-grant", severity: "low", actions: [], event: 1 },
    { rule: "policy-default-version-set", severity: "low", actions: [], event: 2 },
  ],
};
