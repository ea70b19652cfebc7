import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). */
export const expectations: SampleExpectations = {
  // IAM Identity Center's permission-set boundary (sso.amazonaws.com), not an IAM user's or role's.
  "benign-identity-center-permission-set-boundary-deleted": [],
  "permissions-boundary-set-to-administrator-access": [{ rule: "permissions-boundary-change", severity: "high", actions: [] }],
  "policy-permissions-boundary-removed": [{ rule: "permissions-boundary-change", severity: "high", actions: [] }],
};
