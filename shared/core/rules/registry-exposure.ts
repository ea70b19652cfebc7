import { resourceSharedOutside } from "./resource-shared-outside/resource-shared-outside.js";
import type { DetectionRule } from "./rule.js";

/**
 * The exposure monitor's rules, in report order: category resource-exposure. Resources shared
 * outside the account are watched in S3, EC2, KMS and a score of other services whose calls are
 * many: a function of their own keeps that volume (and its code) away from the responder and
 * the tamper monitor. Alert only.
 */
export const EXPOSURE_RULES: readonly DetectionRule[] = [resourceSharedOutside];
