import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { type ResponseMode, type TrailguardConfig, modeForRule, quarantinePolicyArn } from "../../core/config/config.js";
import { isAccountId, isIamName, isLongTermAccessKeyId, parseArn, parseAssumedRoleArn } from "../../core/arn/arn.js";
import { serviceManagedRole } from "../../core/iam/identifiers.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../../core/iam/revoke-sessions-policy.js";
import { type PrincipalRef, type ResponseAction, type UndoStep, describeActionTarget } from "../../core/model/action.js";
import type { Finding } from "../../core/model/finding.js";
import { type PrincipalGuard, createPrincipalGuard } from "../../core/response/principal-guard.js";
import { principalOf } from "../../core/response/planner.js";
import type { AccountClients } from "./account-clients.js";

/**
 * Carries out a finding's planned actions: the only module that changes anything in AWS.
 * It never throws: every outcome (done, dry-run, skipped, failed with the AWS error) is written
 * back into the action so the alert can say exactly what happened, and every change it made is
 * recorded in the action's `undo` steps, so a release reverses exactly that.
 *
 * Before any change it reads the principal from IAM: the event names it without its path and in
 * whatever case the caller typed, so the real ARN is checked against the allowlist, trailguard's
 * own roles and AWS-managed paths again here, the last line before IAM.
 */
export interface ResponderContext {
  readonly config: TrailguardConfig;
  readonly clients: AccountClients;
  readonly now: () => Date;
}

export async function executeActions(finding: Finding, context: ResponderContext): Promise<Finding> {
  if (!finding.actions.some((action) => action.status === "planned")) return finding;
  const mode = modeForRule(context.config, finding.ruleId);
  const guard = guardFor(context.config);
  const actions: ResponseAction[] = [];
  for (const action of finding.actions) actions.push(action.status === "planned" ? await execute(action, mode, context, guard) : action);
  return { ...finding, actions };
}

/** The guard depends on the configuration alone: built once per configuration, not per finding. */
const guards = new WeakMap<TrailguardConfig, PrincipalGuard>();
function guardFor(config: TrailguardConfig): PrincipalGuard {
  let guard = guards.get(config);
  if (!guard) {
    guard = createPrincipalGuard(config.allowlist, config.responderRoleArns);
    guards.set(config, guard);
  }
  return guard;
}

async function execute(action: ResponseAction, mode: ResponseMode, context: ResponderContext, guard: PrincipalGuard): Promise<ResponseAction> {
  const described = describeActionTarget(action.target);
  if (mode === "off") return { ...action, status: "skipped", reason: `response is off for this rule: would ${action.type} ${described}` };
  if (mode === "dry-run") return { ...action, status: "dry-run", reason: `dry-run: would ${action.type} ${described} (${action.reason})` };

  const account = action.target.account;
  // The planner validated these; checked again because this is the line that touches AWS.
  if (!isAccountId(account)) return fail(action, `invalid account id`);
  const principal = principalOf(action.target);
  if (!principal || !isIamName(principal.name)) return fail(action, "invalid principal name");
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
  const selfRole = parseAssumedRoleArn(self.arn)?.roleName;
  if (principal.kind === "role") {
    const lower = principal.name.toLowerCase();
    const ownRole = account === self.account && lower === selfRole?.toLowerCase();
    const memberRole = account !== self.account && lower === context.config.memberRoleName.toLowerCase();
    if (ownRole || memberRole) return { ...action, status: "skipped", reason: "the target is trailguard's own responder role" };
  }

  let iam: IAMClient;
  try {
    iam = await context.clients.iamFor(account);
  } catch (error) {
    return fail(action, `cannot act in account ${account} (assuming ${context.config.memberRoleName} failed): ${describeError(error)}`);
  }
  const partition = parseArn(self.arn)?.partition ?? "aws";
  const via = account === self.account ? "" : ` via ${context.config.memberRoleName}`;
  try {
    // The principal as IAM knows it: its real name (case) and full ARN, path included.
    const real = await resolvePrincipal(iam, principal.kind, principal.name);
    const managed = principal.kind === "role" ? serviceManagedRole(real.arn) : undefined;
    if (managed) return { ...action, status: "skipped", reason: `${real.arn} is a ${managed} role: AWS manages it and IAM refuses changes` };
    const exemption = guard.exemptionForPrincipal({ account, kind: principal.kind, name: real.name, arn: real.arn });
    if (exemption?.kind === "responder") return { ...action, status: "skipped", reason: "the target is trailguard's own responder" };
    if (exemption) return { ...action, status: "skipped", reason: `the target is allowlisted (${exemption.matched}, matched against ${real.arn})` };
    const ref: PrincipalRef = { kind: principal.kind, name: real.name };
    return await carryOut(action, { iam, account, ref, via, partition }, context);
  } catch (error) {
    if (errorName(error) === "LimitExceededException") return fail(action, limitExceeded(action));
    return fail(action, describeError(error));
  }
}

interface Where {
  readonly iam: IAMClient;
  readonly account: string;
  readonly ref: PrincipalRef;
  readonly via: string;
  readonly partition: string;
}

async function carryOut(action: ResponseAction, where: Where, context: ResponderContext): Promise<ResponseAction> {
  const { iam, account, ref, via } = where;
  const target = action.target;
  switch (action.type) {
    case "deactivate-access-key": {
      if (target.kind !== "access-key" || !isLongTermAccessKeyId(target.accessKeyId)) return fail(action, "invalid key id");
      const keys = await listKeys(iam, ref.name);
      const key = keys.find((candidate) => candidate.id === target.accessKeyId);
      if (!key) return fail(action, `user ${ref.name} has no access key ${target.accessKeyId} (deleted already?)`);
      if (key.status !== "Active") {
        return { ...action, status: "done", reason: `already inactive${via}: nothing changed (not deleted: the key id is evidence)`, held: [reactivateStep(account, ref.name, key.id)] };
      }
      await deactivate(iam, ref.name, key.id);
      return { ...action, status: "done", reason: `deactivated${via} (not deleted: the key id is evidence)`, undo: [reactivateStep(account, ref.name, key.id)] };
    }
    case "deactivate-user-keys": {
      const keys = await listKeys(iam, ref.name);
      const active = keys.filter((key) => key.status === "Active");
      for (const key of active) await deactivate(iam, ref.name, key.id);
      const inactive = keys.length - active.length;
      const said = active.length === 0 ? "no active access key: nothing changed" : `deactivated ${active.map((key) => key.id).join(", ")}`;
      return {
        ...action,
        status: "done",
        reason: `${said}${inactive > 0 ? ` (${inactive} already inactive)` : ""}${via}; keys are never deleted: they are evidence`,
        ...(active.length > 0 ? { undo: active.map((key) => reactivateStep(account, ref.name, key.id)) } : {}),
        ...(inactive > 0 ? { held: keys.filter((key) => key.status !== "Active").map((key) => reactivateStep(account, ref.name, key.id)) } : {}),
      };
    }
    case "attach-deny-policy": {
      const policyArn = quarantinePolicyArn(context.config, where.partition);
      const attached = await attachedPolicyArns(iam, ref);
      if (attached.includes(policyArn)) {
        return {
          ...action,
          status: "done",
          reason: `${policyArn} was already attached${via} (not by this action: a release of this finding leaves it)`,
          held: [{ kind: "detach-policy", account, principal: ref, policyArn }],
        };
      }
      if (ref.kind === "user") await iam.send(new AttachUserPolicyCommand({ UserName: ref.name, PolicyArn: policyArn }));
      else await iam.send(new AttachRolePolicyCommand({ RoleName: ref.name, PolicyArn: policyArn }));
      return {
        ...action,
        status: "done",
        reason: `attached ${policyArn}${via}: every request by this ${ref.kind} is denied until a person releases it`,
        undo: [{ kind: "detach-policy", account, principal: ref, policyArn }],
      };
    }
    case "revoke-sessions": {
      const cutoff = context.now();
      const document = revokeSessionsPolicyDocument(cutoff);
      // Same name every time: re-running refreshes the cut-off instead of piling up policies.
      if (ref.kind === "role") await iam.send(new PutRolePolicyCommand({ RoleName: ref.name, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
      else await iam.send(new PutUserPolicyCommand({ UserName: ref.name, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
      return {
        ...action,
        status: "done",
        reason: `inline policy ${REVOKE_POLICY_NAME} put${via}: credentials issued before ${cutoff.toISOString()} are denied everything`,
        undo: [{ kind: "delete-inline-policy", account, principal: ref, policyName: REVOKE_POLICY_NAME }],
      };
    }
  }
}

async function resolvePrincipal(iam: IAMClient, kind: "user" | "role", name: string): Promise<{ name: string; arn: string }> {
  if (kind === "user") {
    const { User } = await iam.send(new GetUserCommand({ UserName: name }));
    if (!User?.Arn || !User.UserName) throw new Error(`IAM returned no user for ${name}`);
    return { name: User.UserName, arn: User.Arn };
  }
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
  if (!Role?.Arn || !Role.RoleName) throw new Error(`IAM returned no role for ${name}`);
  return { name: Role.RoleName, arn: Role.Arn };
}

async function listKeys(iam: IAMClient, userName: string): Promise<{ id: string; status: string }[]> {
  const keys: { id: string; status: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    for (const key of page.AccessKeyMetadata ?? []) if (key.AccessKeyId) keys.push({ id: key.AccessKeyId, status: key.Status ?? "Unknown" });
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return keys;
}

async function attachedPolicyArns(iam: IAMClient, ref: PrincipalRef): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page =
      ref.kind === "user"
        ? await iam.send(new ListAttachedUserPoliciesCommand({ UserName: ref.name, ...(marker ? { Marker: marker } : {}) }))
        : await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ref.name, ...(marker ? { Marker: marker } : {}) }));
    for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return arns;
}

/** UserName is always passed: without it IAM acts on the caller's own keys. */
async function deactivate(iam: IAMClient, userName: string, accessKeyId: string): Promise<void> {
  await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: "Inactive" }));
}

function reactivateStep(account: string, userName: string, accessKeyId: string): UndoStep {
  return { kind: "reactivate-access-key", account, userName, accessKeyId };
}

function limitExceeded(action: ResponseAction): string {
  const kind = action.target.kind;
  if (action.type === "attach-deny-policy") {
    return (
      `LimitExceeded: the ${kind} already has the most managed policies IAM allows, the deny policy was NOT attached. ` +
      `Fallback for the on-call: detach a managed policy from this ${kind} and re-run, or rely on the revoke-sessions action, which needs no managed-policy slot`
    );
  }
  return (
    `LimitExceeded: the ${kind}'s inline policy space is full, sessions were NOT revoked. ` +
    `Fallback for the on-call: delete or shrink an inline policy of this ${kind} and re-run, or attach the AWS managed policy AWSDenyAll until the incident is closed` +
    (kind === "user" ? "; the user's access keys are deactivated separately" : "")
  );
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
