import { type PolicyDocument, conditionValues } from "./policy-document.js";

/**
 * The containment policy: deny everything to credentials issued before a cut-off time. Sessions
 * (and their stolen copies) minted before containment stop working; a legitimate user who signs
 * in again afterwards gets a fresh token and works normally. This is what the IAM console's
 * "Revoke active sessions" does, under the name AWSRevokeOlderSessions.
 */
export const REVOKE_POLICY_NAME = "TrailguardRevokeOlderSessions";
export const CONSOLE_REVOKE_POLICY_NAME = "AWSRevokeOlderSessions";
export const REVOKE_POLICY_NAMES: readonly string[] = [REVOKE_POLICY_NAME, CONSOLE_REVOKE_POLICY_NAME];

export function revokeSessionsPolicyDocument(cutoff: Date): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenySessionsIssuedBeforeContainment",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff.toISOString() } },
      },
    ],
  });
}

/** True when the document still denies everything to tokens issued before some time. */
export function isRevokeSessionsDocument(document: PolicyDocument): boolean {
  return document.statements.some(
    (statement) =>
      statement.effect === "Deny" &&
      statement.actions.includes("*") &&
      statement.resources.includes("*") &&
      statement.notActions === undefined &&
      statement.notResources === undefined &&
      conditionValues(statement, "aws:TokenIssueTime").length > 0 &&
      statement.conditions.has("DateLessThan"),
  );
}
