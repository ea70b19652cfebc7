import { type IAMClient, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { type ResponseMode, type TrailguardConfig, modeForRule } from "../config/config.js";
import { isAccountId, isLongTermAccessKeyId, isPrincipalName } from "../iam/identifiers.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../iam/revoke-sessions-policy.js";
import { type ResponseAction, describeActionTarget } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import type { AccountClients } from "./account-clients.js";

/**
 * Carries out a finding's planned actions: the only module that changes anything in AWS.
 * It never throws: every outcome (done, dry-run, skipped, failed with the AWS error) is written
 * back into the action so the alert can say exactly what happened.
 */
export interface ResponderContext {
  readonly config: TrailguardConfig;
  readonly clients: AccountClients;
  readonly now: () => Date;
}

export async function executeActions(finding: Finding, context: ResponderContext): Promise<Finding> {
  if (!finding.actions.some((action) => action.status === "planned")) return finding;
  const mode = modeForRule(context.config, finding.ruleId);
  const actions: ResponseAction[] = [];
  for (const action of finding.actions) actions.push(action.status === "planned" ? await execute(action, mode, context) : action);
  return { ...finding, actions };
}

async function execute(action: ResponseAction, mode: ResponseMode, context: ResponderContext): Promise<ResponseAction> {
  const described = describeActionTarget(action.target);
  if (mode === "off") return { ...action, status: "skipped", reason: `response is off for this rule: would ${action.type} ${described}` };
  if (mode === "dry-run") return { ...action, status: "dry-run", reason: `dry-run: would ${action.type} ${described} (${action.reason})` };

  const account = action.target.account;
  // The planner validated these; checked again because this is the line that touches AWS.
  if (!isAccountId(account)) return fail(action, `invalid account id`);
  let self: { account: string; arn: string };
  try {
    self = await context.clients.self();
  } catch (error) {
    return fail(action, `cannot establish the responder's own identity: ${describeError(error)}`);
  }
  if (account !== self.account && !context.config.managedAccounts.includes(account)) {
    return {
      ...action,
      status: "skipped",
      reason: `account ${account} is not managed by this responder (add it to managedAccounts and deploy the member role there)`,
    };
  }
  const selfRole = /:assumed-role\/([^/]+)\//.exec(self.arn)?.[1];
  if (action.target.kind === "role") {
    const ownRole = account === self.account && action.target.roleName === selfRole;
    const memberRole = account !== self.account && action.target.roleName === context.config.memberRoleName;
    if (ownRole || memberRole) return { ...action, status: "skipped", reason: "the target is trailguard's own responder role" };
  }

  let iam: IAMClient;
  try {
    iam = await context.clients.iamFor(account);
  } catch (error) {
    return fail(action, `cannot act in account ${account} (assuming ${context.config.memberRoleName} failed): ${describeError(error)}`);
  }
  const via = account === self.account ? "" : ` via ${context.config.memberRoleName}`;
  const actionTarget = action.target;
  try {
    if (action.type === "deactivate-access-key" && actionTarget.kind === "access-key") {
      if (!isLongTermAccessKeyId(actionTarget.accessKeyId) || !isPrincipalName(actionTarget.userName)) return fail(action, "invalid key id or user name");
      // UserName is always passed: without it IAM acts on the caller's own keys.
      await iam.send(new UpdateAccessKeyCommand({ UserName: actionTarget.userName, AccessKeyId: actionTarget.accessKeyId, Status: "Inactive" }));
      return { ...action, status: "done", reason: `deactivated${via} (not deleted: the key id is evidence)` };
    }
    if (action.type === "revoke-sessions" && (actionTarget.kind === "role" || actionTarget.kind === "user")) {
      const name = actionTarget.kind === "role" ? actionTarget.roleName : actionTarget.userName;
      if (!isPrincipalName(name)) return fail(action, "invalid principal name");
      const cutoff = context.now();
      const document = revokeSessionsPolicyDocument(cutoff);
      // Same name every time: re-running refreshes the cut-off instead of piling up policies.
      if (actionTarget.kind === "role") {
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
      } else {
        await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
      }
      return {
        ...action,
        status: "done",
        reason: `inline policy ${REVOKE_POLICY_NAME} put${via}: credentials issued before ${cutoff.toISOString()} are denied everything`,
      };
    }
    return fail(action, `action ${action.type} does not apply to a ${actionTarget.kind} target`);
  } catch (error) {
    if (action.type === "revoke-sessions" && errorName(error) === "LimitExceededException") {
      return fail(
        action,
        `LimitExceeded: the ${actionTarget.kind}'s inline policy space is full, sessions were NOT revoked. ` +
          `Fallback for the on-call: delete or shrink an inline policy of this ${actionTarget.kind} and re-run, or attach the AWS managed policy AWSDenyAll until the incident is closed` +
          (actionTarget.kind === "user" ? "; the user's long-term key used in the event is deactivated separately when known" : ""),
      );
    }
    return fail(action, describeError(error));
  }
}

function fail(action: ResponseAction, reason: string): ResponseAction {
  return { ...action, status: "failed", reason };
}

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String((error as { name: unknown }).name) : undefined;
}

export function describeError(error: unknown): string {
  const name = errorName(error) ?? "Error";
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message}`.slice(0, 500);
}
