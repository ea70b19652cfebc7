import { isAccountId, isIamName, isLongTermAccessKeyId } from "../arn/arn.js";
import { serviceManagedRole } from "../iam/identifiers.js";
import { quoted as quoteUntrusted } from "../model/untrusted.js";
import type { ActionTarget, ActionType, ResponseAction } from "../model/action.js";
import type { Actor, Finding } from "../model/finding.js";
import type { PrincipalGuard } from "./principal-guard.js";
import { type ActionTemplate, type ResponsePolicy, invokedByService, statementMatches } from "./response-policy.js";

/**
 * Pure: decides the response to a finding from the response policy, without calling AWS.
 * Guardrails turn a would-be action into "skipped" with the reason, so the alert always says
 * what was not done and why: failed calls, exempt principals, root, a person for what a service
 * did on their behalf, service-managed and Identity Center roles, unknown or invalid targets.
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
  const eventGate = gateOnEvent(finding);
  // When the same change is both on the actor and on the target, the actor's guardrails win.
  proposed.sort((a, b) => Number(b.onActor) - Number(a.onActor));
  return dedupe(proposed).map((action) => finalise(action, eventGate, context.guard));
}

interface ProposedAction {
  readonly type: ActionType;
  readonly target: ActionTarget;
  readonly reason: string;
  /** Contains the caller: skipped when the caller is exempt or a service acted for it. */
  readonly onActor: boolean;
  /** Set when the action cannot be carried out whatever the guards say. */
  readonly impossible?: string;
}

function expand(template: ActionTemplate, finding: Unplanned): ProposedAction[] {
  const account = finding.event.account;
  switch (template) {
    case "deactivate-target-key":
      return deactivateTargetKey(finding, account);
    case "contain-actor":
      return containActor(finding.actor, account, `contain the actor: ${finding.title}`);
    case "contain-target":
      return containTarget(finding, account, false);
    case "deny-target":
      return containTarget(finding, account, true);
  }
}

function deactivateTargetKey(finding: Unplanned, account: string | undefined): ProposedAction[] {
  const target = finding.target;
  if (target?.kind === "account") {
    return [
      {
        type: "deactivate-access-key",
        target: { kind: "root", account },
        reason: finding.title,
        onActor: false,
        impossible: "the key belongs to the root user: IAM cannot manage root keys from another principal",
      },
    ];
  }
  return [
    {
      type: "deactivate-access-key",
      target: { kind: "access-key", account, userName: target?.userName, accessKeyId: target?.accessKeyId },
      reason: finding.title,
      onActor: false,
    },
  ];
}

/**
 * An IAM user is quarantined, not only the key of the event: every active key is deactivated
 * (long-term keys carry no issue time, so the time-based deny never stops them), the deny policy
 * stops every use including a console sign-in with the password, and the revoke policy covers
 * session tokens already minted. Keys are never deleted: they are evidence.
 */
function quarantineUser(account: string | undefined, userName: string | undefined, reason: string, onActor: boolean, usedKey?: string): ProposedAction[] {
  const user = { kind: "user" as const, account, userName };
  return [
    ...(usedKey?.startsWith("AKIA")
      ? [{ type: "deactivate-access-key" as const, target: { kind: "access-key" as const, account, userName, accessKeyId: usedKey }, reason: `${reason} (the key used for the call)`, onActor }]
      : []),
    { type: "deactivate-user-keys", target: user, reason: `${reason} (every active access key of the user)`, onActor },
    { type: "attach-deny-policy", target: user, reason: `${reason} (no use of the user, console included, until released)`, onActor },
    { type: "revoke-sessions", target: user, reason: `${reason} (session tokens already issued)`, onActor },
  ];
}

function containActor(actor: Actor, account: string | undefined, reason: string): ProposedAction[] {
  const actorAccount = actor.accountId ?? account;
  switch (actor.type) {
    case "AssumedRole": {
      const target = { kind: "role" as const, account: actorAccount, roleName: actor.principalName };
      const managed = serviceManagedRole(actor.sessionIssuerArn ?? actor.principalName);
      if (managed === "identity-center") {
        return [{ type: "revoke-sessions", target, reason, onActor: true, impossible: identityCenterGuidance(actor, actorAccount) }];
      }
      const impossible = managed ? `${managed} roles are managed by AWS: IAM refuses to change them` : undefined;
      return [{ type: "revoke-sessions", target, reason, onActor: true, ...(impossible ? { impossible } : {}) }];
    }
    case "IAMUser":
      return quarantineUser(actorAccount, actor.principalName, reason, true, actor.accessKeyId);
    case "FederatedUser": {
      // GetFederationToken sessions carry the permissions of the IAM user (and key) that minted them.
      const issuer = actor.sessionIssuerType === "IAMUser" ? actor.principalName : undefined;
      if (!issuer) {
        return [
          {
            type: "revoke-sessions",
            target: { kind: "user", account: actorAccount, userName: undefined },
            reason,
            onActor: true,
            impossible: "the federated session's issuing user is not recorded",
          },
        ];
      }
      return quarantineUser(actorAccount, issuer, `${reason} (the user that issued the federated session)`, true);
    }
    case "Root":
      return [
        {
          type: "revoke-sessions",
          target: { kind: "root", account: actorAccount },
          reason,
          onActor: true,
          impossible: "the actor is the root user: IAM policies cannot restrict root, so trailguard only alerts",
        },
      ];
    default:
      return [
        {
          type: "revoke-sessions",
          target: { kind: "unknown", account: actorAccount, description: `${actor.type ?? "unidentified"} caller ${actor.arn ?? ""}`.trim() },
          reason,
          onActor: true,
          impossible: `trailguard cannot contain a ${actor.type ?? "caller of unknown type"} from this account`,
        },
      ];
  }
}

/**
 * The principal the finding is about: a user or role just granted admin-equivalent rights, a role
 * whose trust was opened. `deny`: attach the deny policy only (the door itself stays shut).
 */
function containTarget(finding: Unplanned, account: string | undefined, deny: boolean): ProposedAction[] {
  const target = finding.target;
  const reason = `contain the ${target?.kind ?? "target"} the finding is about: ${finding.title}`;
  if (target?.kind === "user") {
    const user = { kind: "user" as const, account, userName: target.name };
    if (deny) return [{ type: "attach-deny-policy", target: user, reason: `${reason} (no use until released)`, onActor: false }];
    return quarantineUser(account, target.name, reason, false);
  }
  if (target?.kind === "role") {
    const role = { kind: "role" as const, account, roleName: target.name };
    // Only a recorded ARN's path decides here (a name is the attacker's choice); the responder
    // checks the real ARN from IAM before it acts.
    const managed = target.arn !== undefined ? serviceManagedRole(target.arn) : undefined;
    const impossible = managed ? { impossible: `${managed} roles are managed by AWS: IAM refuses to change them` } : {};
    if (deny) return [{ type: "attach-deny-policy", target: role, reason: `${reason} (nobody can use the role until released)`, onActor: false, ...impossible }];
    return [{ type: "revoke-sessions", target: role, reason: `${reason} (sessions already issued)`, onActor: false, ...impossible }];
  }
  const what = target ? `${target.kind} ${quoteUntrusted(target.name)}` : "an unrecorded target";
  const byHand =
    target?.kind === "group"
      ? `trailguard does not contain groups (every member would be hit): detach or delete the policy on ${what} by hand and review its members`
      : target?.kind === "policy"
        ? `${what} may be attached to several principals: restore its previous default version (aws iam set-default-policy-version) by hand`
        : `trailguard cannot contain ${what}`;
  return [{ type: deny ? "attach-deny-policy" : "revoke-sessions", target: { kind: "unknown", account, description: what }, reason, onActor: false, impossible: byHand }];
}

/** IAM cannot touch an Identity Center role; the session is revoked where it was issued. */
export function identityCenterGuidance(actor: Actor, account: string | undefined): string {
  const user = quoteUntrusted(actor.sessionName);
  const role = quoteUntrusted(actor.principalName);
  return (
    `IAM Identity Center session (user ${user}, permission-set role ${role}): IAM refuses to change Identity Center roles, so trailguard does not act. ` +
    `In IAM Identity Center: delete the user's active sessions (Users > ${user} > Active sessions), then disable the user or remove the permission set's assignment to account ${account ?? "(unknown)"}; ` +
    `role credentials already issued stay valid until they expire (the permission set's session duration): to cut them now, add a Deny * with ` +
    `"StringLike": {"aws:userid": "*:${(actor.sessionName ?? "<user>").replace(/[^\w+=,.@-]/g, "?")}"} to the permission set's inline policy and reprovision it`
  );
}

/** A skip that applies to every action of this finding, or undefined. */
function gateOnEvent(finding: Unplanned): { all?: string; actor?: string } {
  if (finding.event.failed) {
    return { all: `the call failed (${finding.event.errorCode ?? "error"}): nothing changed, so there is nothing to undo` };
  }
  const exemption = finding.exemption;
  if (exemption?.kind === "responder") return { all: "the actor is trailguard's own responder" };
  if (exemption) return { all: `the actor is allowlisted (${exemption.matched})` };
  const service = invokedByService(finding.actor);
  if (service !== undefined) {
    return {
      actor: `${service} made this call on the actor's behalf (an infrastructure change, e.g. a stack deployment): trailguard never contains a person for what a service did for them; review the change and who started it`,
    };
  }
  if (finding.actor.type === "Root") {
    return { actor: "the actor is the root user: trailguard alerts only (IAM cannot restrict root, and root can undo any containment)" };
  }
  return {};
}

function finalise(action: ProposedAction, gate: { all?: string; actor?: string }, guard: PrincipalGuard): ResponseAction {
  const skip = (reason: string): ResponseAction => ({ type: action.type, target: action.target, status: "skipped", reason });
  if (gate.all) return skip(gate.all);
  if (action.onActor && gate.actor) return skip(gate.actor);
  if (action.impossible) return skip(action.impossible);
  const invalid = validateTarget(action.target);
  if (invalid) return skip(invalid);
  const principal = principalOf(action.target);
  const exemption = principal ? guard.exemptionForPrincipal(principal) : undefined;
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
      if (!isIamName(target.userName)) return `user name ${quoteUntrusted(target.userName)} is not a valid IAM user name`;
      return undefined;
    case "role":
      return isIamName(target.roleName) ? undefined : `role name ${quoteUntrusted(target.roleName)} is not a valid IAM role name`;
    case "user":
      return isIamName(target.userName) ? undefined : `user name ${quoteUntrusted(target.userName)} is not a valid IAM user name`;
    case "root":
    case "unknown":
      return "no actionable target";
  }
}

/** The principal an action changes (validated, so account and name are set). */
export function principalOf(target: ActionTarget): { account: string; kind: "user" | "role"; name: string } | undefined {
  if (!target.account) return undefined;
  if (target.kind === "role" && target.roleName) return { account: target.account, kind: "role", name: target.roleName };
  if ((target.kind === "user" || target.kind === "access-key") && target.userName) return { account: target.account, kind: "user", name: target.userName };
  return undefined;
}

/** One action per type and target; user and role names compared as IAM compares them. */
function dedupe(actions: ProposedAction[]): ProposedAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const target = action.target;
    const key = `${action.type}:${target.kind}:${target.account}:${"roleName" in target ? target.roleName?.toLowerCase() : ""}:${"userName" in target ? target.userName?.toLowerCase() : ""}:${"accessKeyId" in target ? target.accessKeyId : ""}:${"description" in target ? target.description : ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
