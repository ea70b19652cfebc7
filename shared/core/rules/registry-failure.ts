import { consoleSignInFailures } from "./console-sign-in-failures/console-sign-in-failures.js";
import { deniedCallsBurst } from "./denied-calls-burst/denied-calls-burst.js";
import type { DetectionRule } from "./rule.js";

/**
 * The failure monitor's rules, in report order: category repeated-failures. Patterns of refused
 * calls and failed sign-ins counted over a window (CIS CloudWatch .2 and .6): a function of their
 * own, so a flood of failures (cheap for anyone to make) delays no other detection. Alert only.
 */
export const FAILURE_RULES: readonly DetectionRule[] = [consoleSignInFailures, deniedCallsBurst];
