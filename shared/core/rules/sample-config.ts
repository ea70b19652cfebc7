import type { SampleConfig } from "./rule-pack.js";

/**
 * The configuration every bundled sample is judged with: trailguard deployed as stack
 * `trailguard-prod` in the samples' account 111122223333 (what the stack puts in
 * TRAILGUARD_RESPONDER_ROLE_ARNS, TRAILGUARD_OWN_RESOURCES and the rest), everything else at its
 * default. A deployed trailguard always knows its own roles and resources, so the samples about
 * them (trailguard-tampering, -identity-misuse, -heartbeat) raise what they would in production.
 * `npm run demo` (replay with no path and no --config) uses it too, and the tests of the
 * self-defence rules build on it (test/support/self-config.ts).
 */
export const SAMPLE_CONFIG: SampleConfig = {
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
