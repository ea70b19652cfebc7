import type { RuleDocs } from "../rule-docs.js";

/** What people read about policy-default-version-set: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "By the document of the version made default, which the event does not show, the responder reads from IAM (its own and the managed accounts) and replay remembers from the `CreatePolicyVersion` it read before: critical when admin-equivalent, high with privilege-escalation actions on any resource or when trailguard cannot parse it, medium otherwise; low when replay saw the version created and it grants only read-only metadata actions or telemetry writes (as policy-document-grant rates it; a version read from IAM after the call stays medium). Medium too when it was not read (replay that did not see the version created, an unmanaged account, a failed read: the reason says which; the earlier CreatePolicyVersion finding judged the document, if trailguard saw it).",
  firesOn:
    "`SetDefaultPolicyVersion` (IAM only: IoT's is ignored)",
  severity: "critical when the version now in force is admin-equivalent (read by the responder, or seen created in the same replay); high for escalation; medium otherwise or when not known; low when seen created in the same replay and granting only read-only metadata or telemetry writes",
};
