import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  "benign-organizations-create-policy": [],
  "policy-admin-inline-policy-on-role": [{ rule: "policy-document-grant", severity: "critical", actions: ["revoke-sessions:planned"] }],
  // iam:AttachUserPolicy on "*": dave can attach AdministratorAccess to himself, so it is admin-equivalent and he is quarantined.
  "policy-escalation-permissions-on-user": [
    { rule: "policy-document-grant", severity: "critical", actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"] },
  ],
  // "I?m:*" is iam:* spelled otherwise: erin grants herself IAM and is quarantined.
  "policy-iam-admin-spelled-with-wildcards": [
    { rule: "policy-document-grant", severity: "critical", actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"] },
  ],
  // iam:PassRole on every role with lambda:CreateFunction: code can run as any role; the role's sessions are revoked.
  "policy-passrole-to-lambda-on-every-role": [{ rule: "policy-document-grant", severity: "critical", actions: ["revoke-sessions:planned"] }],
  // Look-alikes that grant nothing admin-equivalent: a policy change, medium, no action
  // (low when it grants only read-only metadata actions or telemetry writes: iam:Get* and
  // iam:List* read IAM's metadata, and no IAM read returns a secret).
  "policy-iam-get-list-wildcards-on-user": [{ rule: "policy-document-grant", severity: "low", actions: [] }],
  "policy-passrole-one-role-without-compute": [{ rule: "policy-document-grant", severity: "medium", actions: [] }],
  "policy-notresource-star-grants-nothing": [{ rule: "policy-document-grant", severity: "medium", actions: [] }],
  "policy-notaction-grant-on-group": [
    {
      rule: "policy-document-grant",
      severity: "critical",
      // The actor (dave, AKIA key) quarantined; the group is not contained (skipped, to be handled by hand).
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:skipped"],
    },
  ],
  // ec2:Describe* on "*": read-only metadata, low.
  "policy-read-only-inline-policy": [{ rule: "policy-document-grant", severity: "low", actions: [] }],
  // A function's role allowed to write its own logs (telemetry writes, DescribeLogStreams): low.
  "policy-log-writing-for-lambda-role": [{ rule: "policy-document-grant", severity: "low", actions: [] }],
  // The look-alike: ec2:Describe* with ec2:GetPasswordData (a Windows administrator password) stays medium.
  "policy-describe-with-password-data": [{ rule: "policy-document-grant", severity: "medium", actions: [] }],
};
