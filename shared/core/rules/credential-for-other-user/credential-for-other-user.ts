import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, outcome, requestString, sameUserName } from "../rule-helpers.js";

/**
 * The other doors to the same outcome as a backdoor access key: a console password
 * (CreateLoginProfile, or UpdateLoginProfile to reset someone's), an SSH key for CodeCommit, a
 * service-specific credential (CodeCommit, Keyspaces, Bedrock) or an X.509 signing certificate,
 * each made for a user other than the caller. For oneself they are routine.
 */
const EVENTS: Readonly<Record<string, string>> = {
  CreateLoginProfile: "console password created",
  UpdateLoginProfile: "console password reset",
  UploadSSHPublicKey: "SSH public key uploaded",
  CreateServiceSpecificCredential: "service-specific credential created",
  UploadSigningCertificate: "signing certificate uploaded",
};

export const credentialForOtherUser = defineRule({
  id: "credential-for-other-user",
  title: "Credential created for another user",
  category: "credential",
  technique: { id: "T1098.001", name: "Account Manipulation: Additional Cloud Credentials" },
  runbook:
    "Ask the user's owner whether they requested it. If not, the credential is a backdoor: delete the login profile (aws iam delete-login-profile), SSH key, service-specific credential or certificate, check the user's recent sign-ins and calls (CloudTrail, filter on the user), and treat the creator's session as compromised: what else did it do?",
  eventNames: Object.keys(EVENTS),
  eventSources: [IAM_SOURCE],
  signals: ["credential-for-other-user", "credential-for-self"],
  evaluate({ record, actor, event }) {
    const what = event.eventSource === IAM_SOURCE ? EVENTS[event.eventName] : undefined;
    if (what === undefined) return undefined;
    const requested = requestString(record, "userName");
    // Without a userName the call acts on the caller's own user (only an IAM user has one).
    const forSelf = actor.type === "IAMUser" && (requested === undefined || sameUserName(requested, actor.principalName));
    const owner = requested ?? (actor.type === "IAMUser" ? actor.principalName : undefined);
    const severity: Severity = forSelf ? "low" : "high";
    return {
      severity,
      ...(forSelf ? {} : { title: `${what.charAt(0).toUpperCase()}${what.slice(1)} for another user` }),
      summary: `${describeActor(actor)} called ${event.eventName} for user ${quoted(owner)}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: forSelf
        ? "Users managing their own credentials is routine, but every new credential widens exposure."
        : "A credential made for someone else lets its maker act as that user, through a door (the console, Git over SSH, a service login) that access-key monitoring alone never sees.",
      reasons: [forSelf ? `${what} by the user for itself` : `${what} for user ${quoted(owner)} by ${quoted(actor.principalName ?? actor.arn)} (${actor.type ?? "unknown type"})`],
      signals: [forSelf ? "credential-for-self" : "credential-for-other-user"],
      target: { kind: "user", name: owner, userName: owner },
    };
  },
});
