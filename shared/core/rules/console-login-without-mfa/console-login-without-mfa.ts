import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";

/**
 * CIS CloudWatch.3 for IAM users: a console sign-in that a password alone opened. Root has its
 * own rule. Federated sign-ins (SAML, IAM Identity Center, assumed roles) record MFAUsed "No"
 * because MFA happens at the identity provider, so only IAM users are judged here.
 */
export const consoleLoginWithoutMfa = defineRule({
  id: "console-login-without-mfa",
  title: "IAM user console sign-in without MFA",
  category: "credential",
  technique: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  runbook:
    "Ask the user whether the sign-in was theirs (time, source IP, user agent). A password alone opened the console: if the user did not sign in, or the login profile was created or reset shortly before by someone else (a credential-for-other-user finding), treat the password as stolen: disable the login profile (aws iam delete-login-profile), review what the session did, and enforce MFA (an IAM policy denying everything without aws:MultiFactorAuthPresent, or Identity Center).",
  eventNames: ["ConsoleLogin"],
  eventSources: ["signin.amazonaws.com"],
  signals: ["no-mfa-sign-in"],
  evaluate({ actor, event }) {
    if (event.eventSource !== "signin.amazonaws.com" || event.eventName !== "ConsoleLogin") return undefined;
    if (actor.type !== "IAMUser" || event.failed || actor.mfaAuthenticated !== false) return undefined;
    const where = event.sourceIp ? quoted(event.sourceIp) : "an unknown address";
    return {
      severity: "medium",
      summary: `IAM user ${quoted(actor.principalName ?? actor.arn)} signed in to the console WITHOUT MFA from ${where}`,
      whyItMatters: "A password alone opened the console. Passwords leak, and a login profile an attacker created or reset for a user signs in exactly like this.",
      reasons: ["successful console sign-in", "no MFA was used"],
      signals: ["no-mfa-sign-in"],
      target: actor.principalName ? { kind: "user", name: actor.principalName, arn: actor.arn } : undefined,
    };
  },
});
