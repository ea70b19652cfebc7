import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { describeActor, outcome } from "../rule-helpers.js";

/**
 * trailguard's roles can change IAM everywhere it responds, so their credentials are the prize
 * (stolen from the function through UpdateFunctionCode, a role passed to new compute, or a
 * loosened trust policy). Its own moves are recognised exactly (shared/core/self/own-moves.ts); any
 * other call made with them is someone else holding trailguard's identity.
 */
export const trailguardIdentityMisuse = defineRule({
  id: "trailguard-identity-misuse",
  title: "trailguard's identity used for something trailguard never does",
  category: "tampering",
  technique: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  runbook:
    "Treat trailguard's role as compromised. Revoke its sessions by hand (IAM console, the role, Revoke active sessions), check the function's code and configuration against the deployed version (aws lambda get-function: CodeSha256, environment, role) and its role's trust and policies, redeploy trailguard from source, and review what the role did since (CloudTrail, filter on the role's session ARN). trailguard does not contain its own roles: it only pages.",
  trailguardCallersOnly: true,
  includesReadOnly: true,
  failedCallCap: "high",
  signals: ["trailguard-identity-misused"],
  evaluate({ actor, event, trailguard }) {
    if (trailguard === undefined || trailguard.ownMove !== undefined) return undefined;
    const service = event.eventSource.replace(/\.amazonaws\.com$/, "");
    return {
      severity: event.readOnly ? "high" : "critical",
      title: "trailguard's identity misused",
      summary: `${describeActor(actor)} called ${quoted(`${service}:${event.eventName}`)}, which trailguard never does: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters:
        "This call was made with trailguard's own role, which holds the power to change IAM in every account trailguard manages, and it is not one of trailguard's own moves: someone else is using trailguard's credentials.",
      reasons: [`the caller is trailguard's role ${quoted(trailguard.roleArn)}`, `${quoted(event.eventName)} on ${quoted(event.eventSource)} is not a move trailguard makes`],
      signals: ["trailguard-identity-misused"],
      target: undefined,
    };
  },
});
