import type { RuleDocs } from "../rule-docs.js";

/** What people read about root-session-assumed: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "By the AWS root-task policy that scopes the session. Critical: IAMCreateRootUserPassword (a standing root sign-in). High: IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy, or a task policy trailguard does not know. Medium: IAMAuditRootUserCredentials (reads only). A failed call is low. The session's own calls in the member account are root calls, raised by root-activity there.",
  firesOn: "`AssumeRoot` (centralised root access: a root session in a member account; read-only calls included)",
  severity: "critical for a root password task; high for deleting root credentials, unlocking a bucket or queue policy, or an unknown task; medium for an audit; alert only",
};
