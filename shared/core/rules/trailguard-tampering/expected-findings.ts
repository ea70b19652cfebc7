import type { SampleConfig, SampleExpectations } from "../rule-pack.js";

/**
 * trailguard as its stack describes itself (TRAILGUARD_RESPONDER_ROLE_ARNS, TRAILGUARD_OWN_RESOURCES):
 * the samples are about its own roles and resources, which the defaults do not name. The same
 * values as test/support/self-config.ts (SELF_CONFIG), written out: the core does not import test
 * code; this pack's tests check the two agree.
 */
export const sampleConfig: SampleConfig = {
  responderRoleArns: [
    "arn:aws:iam::111122223333:role/trailguard-prod-iam-responder",
    "arn:aws:iam::111122223333:role/trailguard-prod-tamper-monitor",
    "arn:aws:iam::111122223333:role/trailguard-prod-heartbeat",
  ],
  managedAccounts: ["222233334444"],
  containmentRoleArns: ["arn:aws:iam::111122223333:role/trailguard-prod-iam-responder"],
  heartbeatRoleArns: ["arn:aws:iam::111122223333:role/trailguard-prod-heartbeat"],
  ownResources: {
    stacks: ["trailguard-prod"],
    functions: ["trailguard-prod-iam-responder", "trailguard-prod-tamper-monitor", "trailguard-prod-heartbeat"],
    rules: ["trailguard-prod-iam-responder", "trailguard-prod-tamper-monitor"],
    topics: ["arn:aws:sns:us-east-1:111122223333:trailguard-prod-alerts"],
    keys: ["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/trailguard-prod-alerts"],
    tables: ["trailguard-prod-idempotency"],
    queues: ["arn:aws:sqs:us-east-1:111122223333:trailguard-prod-iam-responder-input"],
    alarms: ["trailguard-prod-heartbeat-missing"],
    logGroups: ["/aws/lambda/trailguard-prod-iam-responder"],
  },
};

/** Each sample in samples/ and exactly the findings it yields with sampleConfig ("action:status"). */
export const expectations: SampleExpectations = {
  // The same call on the staging deployment's function: not a resource this stack names.
  "benign-staging-function-code-updated": [],
  "trailguard-function-code-replaced": [{ rule: "trailguard-tampering", severity: "critical", actions: [] }],
};
