import type { ConfigInput } from "../../shared/core/config/config.js";
import { SAMPLE_CONFIG } from "../../shared/core/rules/sample-config.js";
import { ACCOUNT } from "./records.js";

/**
 * trailguard as its stack describes itself (what TRAILGUARD_RESPONDER_ROLE_ARNS and
 * TRAILGUARD_OWN_RESOURCES carry), for the tests of the self-defence rules (their packs under
 * shared/core/rules/trailguard-*) and of the stack (test/self-defence/): the bundled samples'
 * configuration (shared/core/rules/sample-config.ts), named piece by piece.
 */
export const MEMBER = "222233334444";
export const RESPONDER = "trailguard-prod-iam-responder";
export const HEARTBEAT = "trailguard-prod-heartbeat";
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-prod-alerts`;
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const INPUT_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:trailguard-prod-iam-responder-input`;

export const SELF_CONFIG: ConfigInput = SAMPLE_CONFIG as ConfigInput;
