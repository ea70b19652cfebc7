import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";

/**
 * Root console sign-in. Sign-in events carry the outcome in responseElements.ConsoleLogin and
 * MFA use in additionalEventData.MFAUsed; they reach EventBridge as
 * "AWS Console Sign In via CloudTrail", in us-east-1 only.
 */
export const rootConsoleLogin = defineRule({
  id: "root-console-login",
  title: "Root user console sign-in",
  category: "root-activity",
  technique: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  runbook:
    "Confirm with the account owner that this root sign-in was planned (break-glass, account closure, support plan change). If not: reset the root password, remove and re-register root MFA, delete any root access keys, review everything root did since the sign-in (filter CloudTrail on userIdentity.type = Root), and rotate the root e-mail mailbox password. trailguard cannot contain root: IAM policies do not apply to the root user. Protect root with MFA and, in an Organization, with SCPs or centralized root access.",
  rootOnly: true,
  signals: ["root-signin", "no-mfa"],
  evaluate({ record, actor, event }) {
    if (event.eventSource !== "signin.amazonaws.com" || event.eventName !== "ConsoleLogin") return undefined;
    if (actor.type !== "Root") return undefined;
    const where = event.sourceIp ? quoted(event.sourceIp) : "an unknown address";
    if (event.failed) {
      const why = event.errorMessage ? `: ${quoted(event.errorMessage)}` : "";
      return {
        severity: "medium",
        title: "Failed root user console sign-in",
        summary: `Failed root console sign-in from ${where}${why}`,
        whyItMatters:
          "Someone tried the root user's credentials. Repeated failures suggest guessing or a leaked root e-mail address.",
        reasons: ["root sign-in attempt failed"],
        signals: ["root-signin"],
        target: { kind: "account", name: event.account },
      };
    }
    const mfaUsed = actor.mfaAuthenticated;
    if (mfaUsed === true) {
      return {
        severity: "high",
        summary: `Root signed in to the console with MFA from ${where}`,
        whyItMatters:
          "The root user can do anything in the account, including closing it, and IAM cannot restrict it. Routine work should never need it.",
        reasons: ["successful root sign-in", "MFA was used"],
        signals: ["root-signin"],
        target: { kind: "account", name: event.account },
      };
    }
    return {
      severity: "critical",
      title: "Root user console sign-in without MFA",
      summary: `Root signed in to the console WITHOUT MFA from ${where}`,
      whyItMatters:
        "A password alone opened the most powerful identity in the account. If the password leaked, the attacker now has unrestricted control that IAM cannot limit.",
      reasons: ["successful root sign-in", mfaUsed === false ? "no MFA was used" : "MFA use not recorded"],
      signals: ["root-signin", "no-mfa"],
      target: { kind: "account", name: event.account },
    };
  },
});
