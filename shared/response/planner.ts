import { isServiceLinkedRoleArn } from "../cloudtrail/identity.js";
import { isAccountId, isLongTermAccessKeyId, isPrincipalName } from "../iam/identifiers.js";
import { quoted as quoteUntrusted } from "../model/untrusted.js";
import type { ActionTarget, ActionType, ResponseAction } from "../model/action.js";
import type { Actor, Finding } from "../model/finding.js";
import type { PrincipalGuard } from "./principal-guard.js";
import { type ActionTemplate, type ResponsePolicy, statementMatches } from "./response-policy.js";

/**
 * Pure: decides the response to a finding from the response policy, without calling AWS.
 * Guardrails turn a would-be action into "skipped" with the reason, so the alert always says
 * what was not done and why: failed calls, exempt actors, root, unknown or invalid targets.
 */
export interface PlannerContext {
  readonly policy: ResponsePolicy;
  readonly guard: PrincipalGuard;
}

type Unplanned = Omit<Finding, "actions">;

export function planResponse(finding: Unplanned, context: PlannerContext): ResponseAction[] {
  const templates = new Set<ActionTemplate>();
  for (const statement of context.policy.statements) {
    if (statementMatches(statement, finding)) for (const template of statement.actions) templates.add(template);
  }
  if (templates.size === 0) return [];
  const proposed: ProposedAction[] = [];
  for (const template of templates) proposed.push(...expand(template, finding));
  const actorGate = gateOnActorAndEvent(finding);
  return dedupe(proposed).map((action) => finalise(action, actorGate, context.guard));
}

interface ProposedAction {
  readonly type: ActionType;
  readonly target: ActionTarget;
  readonly reason: string;
  /** Set when the action cannot be carried out whatever the guards say. */
  readonly impossible?: string;
}

function expand(template: ActionTemplate, finding: Unplanned): ProposedAction[] {
  const account = finding.event.account;
  if (template === "deactivate-target-key") {
    const target = finding.target;
    if (target?.kind === "account") {
      return [
        {
          type: "deactivate-access-key",
          target: { kind: "root", account },
          reason: `${finding.title}`,
          impossible: "the key belongs to the root user: IAM cannot manage root keys from another principal",
        },
      ];
    }
    return [
      {
        type: "deactivate-access-key",
        target: { kind: "access-key", account, userName: target?.userName, accessKeyId: target?.accessKeyId },
        reason: finding.title,
      },
    ];
  }
  return containActor(finding.actor, account, finding.title);
}

function containActor(actor: Actor, account: string | undefined, why: string): ProposedAction[] {
  const actorAccount = actor.accountId ?? account;
  const reason = `contain the actor: ${why}`;
  switch (actor.type) {
    case "AssumedRole": {
      const serviceLinked = isServiceLinkedRoleArn(actor.sessionIssuerArn);
      return [
        {
          type: "revoke-sessions",
          target: { kind: "role", account: actorAccount, roleName: actor.principalName },
          reason,
          ...(serviceLinked ? { impossible: "service-linked roles cannot be given inline policies" } : {}),
        },
      ];
    }
    case "IAMUser": {
      const actions: ProposedAction[] = [];
      if (actor.accessKeyId?.startsWith("AKIA")) {
        actions.push({
          type: "deactivate-access-key",
          target: { kind: "access-key", account: actorAccount, userName: actor.principalName, accessKeyId: actor.accessKeyId },
          reason: `${reason} (long-term key used for the call)`,
        });
      }
      actions.push({ type: "revoke-sessions", target: { kind: "user", account: actorAccount, userName: actor.principalName }, reason });
      return actions;
    }
    case "FederatedUser": {
      // GetFederationToken sessions carry the permissions of the IAM user that minted them.
      const issuer = actor.sessionIssuerType === "IAMUser" ? actor.principalName : undefined;
      return [
        {
          type: "revoke-sessions",
          target: { kind: "user", account: actorAccount, userName: issuer },
          reason: `${reason} (federated session issued by this user)`,
          ...(issuer ? {} : { impossible: "the federated session's issuing user is not recorded" }),
        },
      ];
    }
    case "Root":
      return [
        {
          type: "revoke-sessions",
          target: { kind: "root", account: actorAccount },
          reason,
          impossible: "the actor is the root user: IAM policies cannot restrict root, so trailguard only alerts",
        },
      ];
    default:
      return [
        {
          type: "revoke-sessions",
          target: { kind: "unknown", account: actorAccount, description: `${actor.type ?? "unidentified"} caller ${actor.arn ?? ""}`.trim() },
          reason,
          impossible: `trailguard cannot contain a ${actor.type ?? "caller of unknown type"} from this account`,
        },
      ];
  }
}

/** A skip that applies to every action of this finding, or undefined. */
function gateOnActorAndEvent(finding: Unplanned): string | undefined {
  if (finding.event.failed) {
    return `the call failed (${finding.event.errorCode ?? "error"}): nothing changed, so there is nothing to undo`;
  }
  const exemption = finding.exemption;
  if (exemption?.kind === "responder") return "the actor is trailguard's own responder";
  if (exemption) return `the actor is allowlisted (${exemption.matched})`;
  if (finding.actor.type === "Root") {
    return "the actor is the root user: trailguard alerts only (IAM cannot restrict root, and root can undo any containment)";
  }
  return undefined;
}

function finalise(action: ProposedAction, actorGate: string | undefined, guard: PrincipalGuard): ResponseAction {
  const skip = (reason: string): ResponseAction => ({ type: action.type, target: action.target, status: "skipped", reason });
  if (action.impossible) return skip(action.impossible);
  if (actorGate) return skip(actorGate);
  const invalid = validateTarget(action.target);
  if (invalid) return skip(invalid);
  const targetArn = principalArnOf(action.target);
  const exemption = targetArn ? guard.exemptionForArn(targetArn) : undefined;
  if (exemption?.kind === "responder") return skip("the target is trailguard's own responder");
  if (exemption) return skip(`the target is allowlisted (${exemption.matched})`);
  return { type: action.type, target: action.target, status: "planned", reason: action.reason };
}

/** Every value that would reach an IAM call must match IAM's own format. */
function validateTarget(target: ActionTarget): string | undefined {
  if (!isAccountId(target.account)) return `target account ${quoteUntrusted(target.account)} is not a 12-digit account id`;
  switch (target.kind) {
    case "access-key":
      if (!isLongTermAccessKeyId(target.accessKeyId)) {
        return `access key id ${quoteUntrusted(target.accessKeyId)} is not a long-term key id (AKIA…)`;
      }
      if (!isPrincipalName(target.userName)) return `user name ${quoteUntrusted(target.userName)} is not a valid IAM user name`;
      return undefined;
    case "role":
      return isPrincipalName(target.roleName) ? undefined : `role name ${quoteUntrusted(target.roleName)} is not a valid IAM role name`;
    case "user":
      return isPrincipalName(target.userName) ? undefined : `user name ${quoteUntrusted(target.userName)} is not a valid IAM user name`;
    case "root":
    case "unknown":
      return "no actionable target";
  }
}

function principalArnOf(target: ActionTarget): string | undefined {
  // Paths are unknown from events; allowlist patterns should use a wildcard for them.
  if (target.kind === "role") return `arn:aws:iam::${target.account}:role/${target.roleName}`;
  if (target.kind === "user" || target.kind === "access-key") return `arn:aws:iam::${target.account}:user/${target.userName}`;
  return undefined;
}

function dedupe(actions: ProposedAction[]): ProposedAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const key = `${action.type}:${JSON.stringify(action.target)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
