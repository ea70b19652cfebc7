import { rootActivity } from "./root-activity/root-activity.js";
import { rootConsoleLogin } from "./root-console-login/root-console-login.js";
import { rootSessionAssumed } from "./root-session-assumed/root-session-assumed.js";
import type { DetectionRule } from "./rule.js";
import { trailguardIdentityMisuse } from "./trailguard-identity-misuse/trailguard-identity-misuse.js";
import { trailguardTampering } from "./trailguard-tampering/trailguard-tampering.js";

/**
 * The root monitor's rules, in report order: category root-activity. A function imports only its
 * own registry, so it bundles only the rules it runs (every rule's code in every function cost
 * the responder about 30 KiB). rule-packs.test.ts checks each rule sits in the registry of its category.
 */
export const ROOT_RULES: readonly DetectionRule[] = [rootConsoleLogin, rootActivity, rootSessionAssumed];

/**
 * The root monitor also watches the watcher: changes to the tamper monitor and misuse of its
 * role, which the tamper monitor cannot be trusted to report once its code is replaced.
 */
export const ROOT_MONITOR_RULES: readonly DetectionRule[] = [...ROOT_RULES, trailguardTampering, trailguardIdentityMisuse];
