import { cloudTrailTampering } from "./cloudtrail-tampering/cloudtrail-tampering.js";
import type { DetectionRule } from "./rule.js";
import { securityToolingDisabled } from "./security-tooling-disabled/security-tooling-disabled.js";
import { trailguardHeartbeat } from "./trailguard-heartbeat/trailguard-heartbeat.js";
import { trailguardIdentityMisuse } from "./trailguard-identity-misuse/trailguard-identity-misuse.js";
import { trailguardTampering } from "./trailguard-tampering/trailguard-tampering.js";

/** The tamper monitor's rules, in report order: category tampering. CloudTrail, the security services, trailguard itself, the heartbeat. */
export const TAMPER_RULES: readonly DetectionRule[] = [
  cloudTrailTampering,
  securityToolingDisabled,
  trailguardTampering,
  trailguardIdentityMisuse,
  trailguardHeartbeat,
];
