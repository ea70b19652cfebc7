import { FAILURE_RULES } from "../shared/core/rules/registry-failure.js";
import { createAlertRuntime } from "../shared/edges/lambda/create-alert-runtime.js";
import { lambdaEntry } from "../shared/edges/lambda/lambda-entry.js";

/** Repeated failures counted over a window (refused calls, failed console sign-ins): detect and alert. */
export const handler = lambdaEntry(createAlertRuntime({ rules: FAILURE_RULES }));
