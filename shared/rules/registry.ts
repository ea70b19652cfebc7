import { accessKeyCreated } from "./access-key-created.js";
import { accessKeyReactivated } from "./access-key-reactivated.js";
import { iamPolicyChange } from "./iam-policy-change.js";
import { roleTrustUpdate } from "./role-trust-update.js";
import { rootActivity } from "./root-activity.js";
import { rootConsoleLogin } from "./root-console-login.js";
import type { DetectionRule } from "./rule.js";

/** Every rule trailguard runs, in report order. Adding a rule: one file, one line here, samples in events/. */
export const RULES: readonly DetectionRule[] = [
  rootConsoleLogin,
  rootActivity,
  accessKeyCreated,
  accessKeyReactivated,
  iamPolicyChange,
  roleTrustUpdate,
];

/** Split between the deployed functions so no event is judged twice by the same rule. */
export const ROOT_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.category === "root-activity");
export const IAM_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.category !== "root-activity");
