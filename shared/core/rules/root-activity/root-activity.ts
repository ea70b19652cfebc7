import { defineRule } from "../rule.js";
import { describeActor, outcome } from "../rule-helpers.js";

/**
 * Root API activity with CIS CloudWatch.1 semantics ("Root" caller, not invoked by an AWS
 * service, not an AwsServiceEvent), in every service and region. Console actions by root carry
 * invokedBy signin.amazonaws.com; CIS would drop them, but the credential and MFA ones are
 * exactly what an attacker with the root password does, so they are kept.
 */
const SENSITIVE_CONSOLE_ACTIONS = new Set([
  "CreateAccessKey",
  "UpdateAccessKey",
  "ChangePassword",
  "PasswordUpdated",
  "PasswordRecoveryRequested",
  "PasswordRecoveryCompleted",
  "DeactivateMFADevice",
  "DeleteVirtualMFADevice",
  "CreateVirtualMFADevice",
  "EnableMFADevice",
  "ResyncMFADevice",
  "UploadSigningCertificate",
  "UpdateSigningCertificate",
]);

/** Credential and MFA changes on root: an attacker entrenching, or an owner weakening, the account's master key. */
const CREDENTIAL_ACTIONS = new Set([
  "CreateAccessKey",
  "UpdateAccessKey",
  "ChangePassword",
  "PasswordUpdated",
  "PasswordRecoveryCompleted",
  "DeactivateMFADevice",
  "DeleteVirtualMFADevice",
  "UploadSigningCertificate",
  "UpdateSigningCertificate",
]);

const KEY_ACTIONS = new Set(["CreateAccessKey", "UpdateAccessKey"]);

const SIGNIN_INVOKER = "signin.amazonaws.com";

export const rootActivity = defineRule({
  id: "root-activity",
  title: "Root user activity",
  category: "root-activity",
  technique: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  runbook:
    "Ask the account owner whether root was used on purpose; very few tasks need it. If not planned: treat the root password and MFA as compromised (reset the password, re-register MFA, delete root access keys), then review every root call around this time across all regions. IAM policies cannot restrict root, so trailguard cannot contain it; in an Organization, an SCP or centralized root access management can lock root down.",
  rootOnly: true,
  signals: ["root-activity", "root-credential-change"],
  evaluate({ record, event, actor }) {
    if (actor.type !== "Root") return undefined;
    // AWS acting on the account's behalf, not someone holding root credentials.
    if (record.eventType === "AwsServiceEvent") return undefined;
    if (event.eventSource === "signin.amazonaws.com" && event.eventName === "ConsoleLogin") return undefined;
    const invokedBy = actor.invokedBy;
    const sensitiveConsole = invokedBy === SIGNIN_INVOKER && SENSITIVE_CONSOLE_ACTIONS.has(event.eventName);
    if (invokedBy && !sensitiveConsole) return undefined;
    // Access-key calls naming a userName manage an IAM user's keys, not root's own credentials.
    const forIamUser = KEY_ACTIONS.has(event.eventName) && typeof record.requestParameters?.userName === "string";
    const credentialChange = CREDENTIAL_ACTIONS.has(event.eventName) && !forIamUser && !event.failed;
    const severity = event.failed ? "medium" : credentialChange ? "critical" : event.readOnly ? "medium" : "high";
    const reasons = [
      event.failed ? `root call ${outcome(true, event.errorCode)}` : "successful call by the root user",
      ...(credentialChange ? ["changes root credentials or MFA"] : []),
      ...(event.readOnly && !event.failed ? ["read-only call"] : []),
      ...(sensitiveConsole ? ["made from the console (invokedBy signin.amazonaws.com)"] : []),
      ...(actor.mfaAuthenticated === false ? ["session without MFA"] : []),
    ];
    return {
      severity,
      title: credentialChange ? "Root user changed credentials or MFA" : "Root user activity",
      summary: `${capitalise(describeActor(actor))} called ${event.eventName} (${event.eventSource}) in ${event.region ?? "an unknown region"}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: credentialChange
        ? "Changing root's keys, password or MFA is how an intruder keeps root access, or how the account loses its strongest protection."
        : "The root user can do anything in the account and IAM cannot restrict it; routine work should never use it.",
      reasons,
      signals: credentialChange ? ["root-activity", "root-credential-change"] : ["root-activity"],
      target: { kind: "account", name: event.account },
    };
  },
});

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
