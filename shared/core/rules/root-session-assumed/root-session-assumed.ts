import { isAccountId, parseArn } from "../../arn/arn.js";
import { isPlainObject } from "../../cloudtrail/record.js";
import type { Severity } from "../../model/severity.js";
import { accountText, quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { describeActor, outcome } from "../rule-helpers.js";

/**
 * Root without a password: `sts:AssumeRoot` (centralised root access in an organization) gives
 * a principal of the management or delegated administrator account a 15-minute root session in
 * a member account, scoped by one of five AWS task policies. The session's own calls are root
 * calls in the member account (root-activity raises them); this is the door being opened, seen
 * where it is opened. What the task allows sets the severity: a root password created is a
 * standing root credential, deleting credentials or unlocking a resource policy changes who can
 * get in, auditing only reads.
 */
const TASKS: Readonly<Record<string, { readonly severity: Severity; readonly what: string }>> = {
  IAMCreateRootUserPassword: { severity: "critical", what: "create a root password (a standing root sign-in for whoever sets it)" },
  IAMDeleteRootUserCredentials: { severity: "high", what: "delete the root user's password, access keys, certificates and MFA devices" },
  S3UnlockBucketPolicy: { severity: "high", what: "delete a bucket policy that denies everyone (removing a lock or a guardrail)" },
  SQSUnlockQueuePolicy: { severity: "high", what: "delete a queue policy that denies everyone (removing a lock or a guardrail)" },
  IAMAuditRootUserCredentials: { severity: "medium", what: "read the root user's credential inventory" },
};
const TASK_POLICY = /^arn:[\w-]+:iam::aws:policy\/root-task\/([A-Za-z0-9]+)$/;

export const rootSessionAssumed = defineRule({
  id: "root-session-assumed",
  title: "Root session assumed in a member account",
  category: "root-activity",
  technique: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  runbook:
    "Confirm with the person behind the actor that this privileged root task was planned (a change ticket, the account owner). If not, treat the actor's credentials as compromised, review everything root did in the target account in the following 15 minutes (CloudTrail in that account, userIdentity.type = Root), and for IAMCreateRootUserPassword reset the root password through centralised root access (IAMDeleteRootUserCredentials) at once. Restrict sts:AssumeRoot with an SCP to a break-glass role.",
  eventNames: ["AssumeRoot"],
  eventSources: ["sts.amazonaws.com"],
  // STS records its credential calls as read-only; they must still be delivered and judged.
  includesReadOnly: true,
  signals: ["root-session-assumed", "root-password-task"],
  evaluate({ record, actor, event }) {
    if (event.eventSource !== "sts.amazonaws.com" || event.eventName !== "AssumeRoot") return undefined;
    const request = record.requestParameters ?? {};
    const targetPrincipal = typeof request.targetPrincipal === "string" ? request.targetPrincipal : undefined;
    const target = isAccountId(targetPrincipal) ? targetPrincipal : parseArn(targetPrincipal)?.account;
    const policyArn = isPlainObject(request.taskPolicyArn) && typeof request.taskPolicyArn.arn === "string" ? request.taskPolicyArn.arn : undefined;
    const taskName = TASK_POLICY.exec(policyArn ?? "")?.[1];
    const task = taskName !== undefined && Object.hasOwn(TASKS, taskName) ? TASKS[taskName] : undefined;
    const severity: Severity = task?.severity ?? "high";
    const taskText = taskName ? quoted(taskName) : policyArn ? quoted(policyArn) : "an unrecorded task";
    return {
      severity,
      summary: `${describeActor(actor)} assumed root in account ${accountText(target)} for task ${taskText}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: task
        ? `For up to 15 minutes this session is the root user of that account, allowed to ${task.what}; IAM policies and trailguard cannot restrict root.`
        : "For up to 15 minutes this session is the root user of that account, with a task policy trailguard does not know: read what it allows.",
      reasons: [task ? `task ${taskText}: ${task.what}` : `task policy ${taskText} is not one of AWS's root-task policies trailguard knows`, `target ${quoted(targetPrincipal)}`],
      signals: taskName === "IAMCreateRootUserPassword" ? ["root-session-assumed", "root-password-task"] : ["root-session-assumed"],
      target: { kind: "account", name: target },
    };
  },
});
