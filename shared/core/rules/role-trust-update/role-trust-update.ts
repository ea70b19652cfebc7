import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { parsePolicyDocument } from "../../iam/policy-document.js";
import { analyseTrust } from "../../iam/trust-analysis.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, documentEvidence, outcome, requestString, responseObject } from "../rule-helpers.js";

/**
 * UpdateAssumeRolePolicy and CreateRole: who may now assume the role. Opening a role to an
 * outside account or to everyone is the cloud equivalent of adding a backdoor login.
 */
export const roleTrustUpdate = defineRule({
  id: "role-trust-update",
  title: "Role trust policy changed",
  category: "trust-update",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Read the new trust policy in the alert. If it opens the role to everyone or to an account you do not know, the role is a backdoor: trailguard's default response revokes the actor's sessions and shuts the role (its sessions revoked, AWSDenyAll attached until released; the actions say what was done); restore the previous trust policy (CloudTrail has it in the earlier UpdateAssumeRolePolicy or CreateRole event), then check for AssumeRole calls from the outside account since the change (CloudTrail in this account records them). Add legitimate partner accounts to the trusted accounts setting.",
  eventNames: ["UpdateAssumeRolePolicy", "CreateRole"],
  eventSources: [IAM_SOURCE],
  signals: ["trust-public", "trust-untrusted-account", "trust-oidc-unscoped"],
  evaluate({ record, actor, event, settings }) {
    if (event.eventSource !== IAM_SOURCE) return undefined;
    if (event.eventName !== "UpdateAssumeRolePolicy" && event.eventName !== "CreateRole") return undefined;
    const roleName = requestString(record, "roleName");
    const target = { kind: "role" as const, name: roleName, arn: roleArn(record) };
    const summary = `${describeActor(actor)} ${event.eventName === "CreateRole" ? "created role" : "changed the trust policy of role"} ${quoted(roleName)}: ${outcome(event.failed, event.errorCode)}`;
    const raw = trustDocument(record, event.eventName);
    if (raw === undefined) {
      return {
        severity: "medium",
        summary,
        whyItMatters: "The trust policy decides who can become this role, and this event does not show it: check the role's current trust policy by hand.",
        reasons: ["trust policy not recorded (CloudTrail omits request parameters over 100 KB)"],
        signals: [],
        target,
      };
    }
    const parsed = parsePolicyDocument(raw);
    if (!parsed.ok) {
      return {
        severity: "high",
        summary,
        whyItMatters: "The trust policy could not be analysed, so trailguard cannot rule out that it opens the role to outsiders: read it by hand.",
        reasons: [parsed.reason],
        signals: [],
        target,
        evidence: documentEvidence(raw, parsed),
      };
    }
    const verdict = analyseTrust(parsed.document, event.account, settings.trustedAccounts);
    const opened = verdict.signals.includes("trust-public") || verdict.signals.includes("trust-untrusted-account");
    return {
      severity: verdict.severity,
      ...(opened ? { title: "Role opened to principals outside the organization" } : {}),
      summary,
      whyItMatters: opened
        ? "Anyone allowed by this trust policy can become the role and use all of its permissions, from their own account, without any credential from yours."
        : "The trust policy decides who can become this role; changes to it change who holds the role's permissions.",
      reasons: verdict.findings.map((finding) => finding.reason),
      signals: verdict.signals,
      target,
      evidence: documentEvidence(raw, parsed),
    };
  },
});

function trustDocument(record: CloudTrailRecord, eventName: string): unknown {
  const requested = eventName === "CreateRole" ? record.requestParameters?.assumeRolePolicyDocument : record.requestParameters?.policyDocument;
  if (requested !== undefined && requested !== null) return requested;
  // CreateRole echoes the document (URL-encoded) in the response when the request was cut.
  return responseObject(record, "role")?.assumeRolePolicyDocument ?? undefined;
}

function roleArn(record: CloudTrailRecord): string | undefined {
  const arn = responseObject(record, "role")?.arn;
  return typeof arn === "string" ? arn : undefined;
}
