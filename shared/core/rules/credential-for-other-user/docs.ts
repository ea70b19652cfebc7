import type { RuleDocs } from "../rule-docs.js";

/** What people read about credential-for-other-user: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "High: a console password, SSH key, service-specific credential or signing certificate created (or a password reset) for a user other than the caller, by anyone including root. Low: for the caller itself.",
  firesOn:
    "`CreateLoginProfile`, `UpdateLoginProfile`, `UploadSSHPublicKey`, `CreateServiceSpecificCredential`, `UploadSigningCertificate`",
  severity: "high for another user (user names compared), by anyone including root; low for oneself; alert only",
};
