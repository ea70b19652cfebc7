import type { ConfigInput } from "../../shared/core/config/config.js";
import { ACCOUNT } from "./records.js";

/**
 * trailguard as its stack describes itself (what TRAILGUARD_RESPONDER_ROLE_ARNS and
 * TRAILGUARD_OWN_RESOURCES carry), for the tests of the self-defence rules (their packs under
 * shared/core/rules/trailguard-*) and of the stack (test/self-defence/). Those packs'
 * expected-findings.ts write the same values out as their `sampleConfig` (the core does not import
 * test code); their tests check the two agree.
 */
export const MEMBER = "222233334444";
export const RESPONDER = "trailguard-prod-iam-responder";
export const HEARTBEAT = "trailguard-prod-heartbeat";
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-prod-alerts`;
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const INPUT_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:trailguard-prod-iam-responder-input`;

export const SELF_CONFIG: ConfigInput = {
  responderRoleArns: [`arn:aws:iam::${ACCOUNT}:role/${RESPONDER}`, `arn:aws:iam::${ACCOUNT}:role/trailguard-prod-tamper-monitor`, `arn:aws:iam::${ACCOUNT}:role/${HEARTBEAT}`],
  managedAccounts: [MEMBER],
  containmentRoleArns: [`arn:aws:iam::${ACCOUNT}:role/${RESPONDER}`],
  heartbeatRoleArns: [`arn:aws:iam::${ACCOUNT}:role/${HEARTBEAT}`],
  ownResources: {
    stacks: ["trailguard-prod"],
    functions: ["trailguard-prod-iam-responder", "trailguard-prod-tamper-monitor", "trailguard-prod-heartbeat"],
    rules: ["trailguard-prod-iam-responder", "trailguard-prod-tamper-monitor"],
    topics: [TOPIC],
    keys: [KEY, "alias/trailguard-prod-alerts"],
    tables: ["trailguard-prod-idempotency"],
    queues: [INPUT_QUEUE],
    alarms: ["trailguard-prod-heartbeat-missing"],
    logGroups: ["/aws/lambda/trailguard-prod-iam-responder"],
  },
};
