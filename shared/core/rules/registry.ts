import { EXPOSURE_RULES } from "./registry-exposure.js";
import { FAILURE_RULES } from "./registry-failure.js";
import { IAM_RULES } from "./registry-iam.js";
import { ROOT_MONITOR_RULES, ROOT_RULES } from "./registry-root.js";
import { TAMPER_RULES } from "./registry-tamper.js";
import type { DetectionRule } from "./rule.js";

/**
 * Every rule trailguard runs, in report order: root, IAM, exposure, then tampering. A rule is
 * registered once, in the registry of the function that runs it (registry-root.ts,
 * registry-iam.ts, registry-exposure.ts, registry-failure.ts, registry-tamper.ts, by its category); this file only joins them, for replay,
 * the stack and the docs. Functions import their own registry, never this one.
 */
export const RULES: readonly DetectionRule[] = [...ROOT_RULES, ...IAM_RULES, ...EXPOSURE_RULES, ...FAILURE_RULES, ...TAMPER_RULES];

export { EXPOSURE_RULES, FAILURE_RULES, IAM_RULES, ROOT_MONITOR_RULES, ROOT_RULES, TAMPER_RULES };
