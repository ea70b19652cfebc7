import type { SampleExpectations } from "../rule-pack.js";

/** Each sample in samples/ and exactly the findings it yields with default settings ("action:status"). Alert only. */
export const expectations: SampleExpectations = {
  "benign-idp-tagged": [],
  "idp-saml-metadata-replaced": [{ rule: "identity-provider-changed", severity: "high", actions: [] }],
};
