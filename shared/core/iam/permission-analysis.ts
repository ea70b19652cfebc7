import { quoted } from "../model/untrusted.js";
import { type PolicyDocument, type PolicyStatement, wildcardMatches } from "./policy-document.js";

/**
 * What an identity policy grants, reduced to what decides severity: is it admin-equivalent,
 * and does it hand out privilege-escalation permissions. Deny statements are ignored (they only
 * take away); conditions do not lower the verdict (they are often trivially satisfiable) but are
 * reported.
 */
export interface PermissionVerdict {
  readonly adminEquivalent: boolean;
  /** Human-readable reasons, one per offending statement. */
  readonly adminReasons: readonly string[];
  /** IAM/STS actions usable for privilege escalation granted on any resource. */
  readonly escalationActions: readonly string[];
  readonly conditional: boolean;
}

/** Actions that, on any resource, let a principal raise its own privileges. */
const ESCALATION_ACTIONS = [
  "iam:AttachUserPolicy",
  "iam:AttachRolePolicy",
  "iam:AttachGroupPolicy",
  "iam:PutUserPolicy",
  "iam:PutRolePolicy",
  "iam:PutGroupPolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:UpdateAssumeRolePolicy",
  "iam:AddUserToGroup",
  "iam:PassRole",
  "iam:DeleteUserPermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "sts:AssumeRole",
] as const;

/** Action patterns that alone mean "everything in IAM", which is everything. */
const ADMIN_ACTION_PATTERNS = ["*", "*:*", "iam:*"];

export function analysePermissions(document: PolicyDocument): PermissionVerdict {
  const adminReasons: string[] = [];
  const escalation = new Set<string>();
  let conditional = false;
  for (const [index, statement] of document.statements.entries()) {
    if (statement.effect !== "Allow") continue;
    const label = statement.sid ? `statement ${quoted(statement.sid)}` : `statement ${index + 1}`;
    const onAnyResource = coversAnyResource(statement);
    const admin = adminReason(statement, onAnyResource);
    if (admin) {
      adminReasons.push(`${label}: ${admin}`);
      if (statement.conditions.size > 0) conditional = true;
    }
    if (!onAnyResource) continue;
    for (const action of ESCALATION_ACTIONS) if (allowsAction(statement, action)) escalation.add(action);
  }
  return { adminEquivalent: adminReasons.length > 0, adminReasons, escalationActions: [...escalation], conditional };
}

function adminReason(statement: PolicyStatement, onAnyResource: boolean): string | undefined {
  if (!onAnyResource) return undefined;
  if (statement.notActions !== undefined) {
    return `Allow NotAction [${statement.notActions.map((action) => quoted(action)).join(", ")}] on ${resourceText(statement)} (everything except a few actions)`;
  }
  const wildcard = statement.actions.find((action) => ADMIN_ACTION_PATTERNS.includes(action.toLowerCase()));
  if (wildcard) return `Allow ${quoted(wildcard)} on ${resourceText(statement)}`;
  return undefined;
}

function resourceText(statement: PolicyStatement): string {
  if (statement.notResources !== undefined) return `NotResource [${statement.notResources.map((resource) => quoted(resource)).join(", ")}]`;
  return statement.resources.length === 1 ? quoted(statement.resources[0]) : `[${statement.resources.map((resource) => quoted(resource)).join(", ")}]`;
}

/** Resource "*" (or an ARN of only wildcards), or NotResource (everything but a few). */
function coversAnyResource(statement: PolicyStatement): boolean {
  if (statement.notResources !== undefined) return true;
  return statement.resources.some(isWildcardResource);
}

function isWildcardResource(resource: string): boolean {
  if (resource === "*" || /^arn:\*+$/.test(resource)) return true;
  // arn:aws:*:*:*:* (every service) or arn:aws:iam::<account>:* (every IAM entity, which is enough to grant anything).
  const parts = resource.split(":");
  if (parts.length < 6) return false;
  const [, partition, service] = parts;
  if (parts.slice(5).join(":") !== "*") return false;
  return partition === "*" || service === "*" || service?.toLowerCase() === "iam";
}

function allowsAction(statement: PolicyStatement, action: string): boolean {
  if (statement.notActions !== undefined) return !statement.notActions.some((pattern) => wildcardMatches(pattern, action));
  return statement.actions.some((pattern) => wildcardMatches(pattern, action));
}

/** AWS managed policies that grant administrator or IAM-administrator power. */
const ADMIN_MANAGED_POLICY_NAMES = new Set([
  "AdministratorAccess",
  "AdministratorAccess-Amplify",
  "AdministratorAccess-AWSElasticBeanstalk",
  "IAMFullAccess",
  "AWSOrganizationsFullAccess",
]);

/** Broad but not admin: worth a human look. */
const BROAD_MANAGED_POLICY_NAMES = new Set([
  "PowerUserAccess",
  "job-function/SystemAdministrator",
  "job-function/NetworkAdministrator",
  "job-function/DatabaseAdministrator",
  "AWSLambda_FullAccess",
  "AmazonEC2FullAccess",
  "AmazonS3FullAccess",
  "SecretsManagerReadWrite",
  "AWSCloudFormationFullAccess",
]);

const AWS_MANAGED_POLICY_ARN = /^arn:aws[\w-]*:iam::aws:policy\/(?:service-role\/)?(.+)$/;

export type ManagedPolicyClass = "admin" | "broad" | "other";

export function classifyManagedPolicyArn(policyArn: string): ManagedPolicyClass {
  const match = AWS_MANAGED_POLICY_ARN.exec(policyArn);
  if (!match?.[1]) return "other";
  if (ADMIN_MANAGED_POLICY_NAMES.has(match[1])) return "admin";
  if (BROAD_MANAGED_POLICY_NAMES.has(match[1])) return "broad";
  return "other";
}
