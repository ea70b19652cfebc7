import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  // AWS IoT's SetDefaultPolicyVersion (iot.amazonaws.com): an IoT policy, not an IAM one.
  "benign-iot-set-default-policy-version": [],
  "policy-default-version-switched": [{ rule: "policy-default-version-set", severity: "medium", actions: [] }],
};
