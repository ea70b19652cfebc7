import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). Alert only: no actions. */
export const expectations: SampleExpectations = {
  "benign-bucket-policy-cloudtrail-delivery": [],
  "benign-ebs-snapshot-unshared": [],
  "benign-sns-topic-policy-own-account": [],
  "resource-bucket-policy-outside-account": [{ rule: "resource-shared-outside", severity: "high", actions: [] }],
  "resource-ebs-snapshot-shared-outside": [{ rule: "resource-shared-outside", severity: "high", actions: [] }],
  "resource-lambda-invoke-permission-public": [{ rule: "resource-shared-outside", severity: "critical", actions: [] }],
  "resource-rds-snapshot-public": [{ rule: "resource-shared-outside", severity: "critical", actions: [] }],
};
