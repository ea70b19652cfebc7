import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-iam-get-policy-read-only": [],
  "policy-administrator-access-attached-to-user": [
    {
      rule: "managed-policy-attached",
      severity: "critical",
      // The actor (alice, AKIA key) quarantined, then temp-contractor, the new admin, contained.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"],
    },
  ],
  // A sequence: mallory writes a customer policy granting iam:* and attaches it to himself 36 s
  // later. The attachment is judged by the document replay saw created (live, the responder
  // reads it from IAM): admin-equivalent, critical, mallory quarantined. Its creation is
  // policy-document-grant's (critical too: a document granting iam:* is one step from use).
  "customer-admin-policy-created-then-attached": [
    { rule: "policy-document-grant", severity: "critical", actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:skipped"], event: 0 },
    { rule: "managed-policy-attached", severity: "critical", actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"], event: 1 },
  ],
  // The same path with a document that reads one bucket's objects: known, and rated as that document written is (medium).
  "customer-read-policy-created-then-attached": [
    { rule: "policy-document-grant", severity: "medium", actions: [], event: 0 },
    { rule: "managed-policy-attached", severity: "medium", actions: [], event: 1 },
  ],
  // And with one that only reads instance metadata (ec2:DescribeInstances): low, written and attached.
  "customer-describe-policy-created-then-attached": [
    { rule: "policy-document-grant", severity: "low", actions: [], event: 0 },
    { rule: "managed-policy-attached", severity: "low", actions: [], event: 1 },
  ],
  // The SSM agent's AWS managed policy on an instance's role: known narrow by its exact ARN, low.
  // The event does not show that the role is only an instance's: medium, like on a user.
  "ssm-agent-policy-attached-to-instance-role": [{ rule: "managed-policy-attached", severity: "medium", actions: [] }],
  // The same policy on a user: a person who can read every SSM parameter, medium.
  "ssm-agent-policy-attached-to-user": [{ rule: "managed-policy-attached", severity: "medium", actions: [] }],
};
