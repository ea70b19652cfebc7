import type { RuleDocs } from "../rule-docs.js";

/** What people read about denied-calls-burst: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Medium when one principal (a user's ARN; for role sessions and federated users, the role or the IAM user that issued them, also for another account's sessions recorded without their issuer, so sessions opened per call under fresh names do not split a burst) has 10 calls refused (errorCode AccessDenied* or *UnauthorizedOperation) within 5 minutes; the principal then stays quiet for an hour. Left out, as CIS CloudWatch.2 leaves them out or because no person made them: HeadBucket, log delivery (delivery.logs.amazonaws.com), AWS services (AWSService callers, invokedBy, a service as source address, service-linked roles), and root (root-activity reports each of its calls).",
  firesOn:
    "any call refused for want of permission (CIS CloudWatch.2: errorCode `AccessDenied*` or `*UnauthorizedOperation`, read-only calls included), counted per principal (sessions under their role or issuing user): 10 in 5 minutes; not `HeadBucket`, log delivery, AWS services or root",
  severity: "medium",
};
