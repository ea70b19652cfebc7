import type { SampleExpectations } from "../rule-pack.js";

/**
 * Each sample in samples/ and exactly the findings it yields with the samples' configuration
 * ("action:status"). Every sample here is a sequence (a JSON array of events judged in order):
 * `event` is the index of the event that yields the finding.
 */
export const expectations: SampleExpectations = {
  // A stolen role session asking for Windows passwords, twelve refusals in three seconds (the
  // corpus's stratus ec2-get-password-data): raised once, on the tenth. Alert only.
  "denied-calls-burst-stolen-role-get-password-data": [{ rule: "denied-calls-burst", severity: "medium", actions: [], event: 9 }],
  // Nine refusals in a minute: one short of the threshold.
  "benign-denied-calls-nine-in-a-minute": [],
  // Thirty refusals of AWS Config's service-linked role (invokedBy config.amazonaws.com): a service's, not a person's.
  "benign-denied-calls-by-aws-config": [],
  // The corpus's bert-jan: 13 refused AssumeRole over 15 minutes while new roles' trust propagated, at most 8 in any 5 minutes.
  "benign-denied-assume-role-while-roles-propagate": [],
};
