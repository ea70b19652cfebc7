import { parseRoleArn } from "../iam/identifiers.js";
import { wildcardMatches } from "../iam/policy-document.js";
import type { Actor, Exemption } from "../model/finding.js";

/**
 * Who trailguard must never act against: allowlisted principals (ARN patterns) and trailguard's
 * own roles (exact ARNs). A role session is matched by its session ARN and by the role ARN that
 * issued it, so allowlisting a role covers all of its sessions.
 *
 * Being one of trailguard's roles is not, by itself, an exemption for the actor of an event:
 * only trailguard's own moves are (see shared/self/own-moves.ts). This guard only says who is who.
 */
export interface PrincipalGuard {
  /** The trailguard role ARN the actor is (a session of), or undefined. */
  trailguardIdentity(actor: Actor): string | undefined;
  /** The allowlist pattern the actor matches, or undefined. */
  allowlisted(actor: Actor): Exemption | undefined;
  /** For a principal trailguard is about to act on: trailguard's own role, or allowlisted. */
  exemptionForArn(arn: string): Exemption | undefined;
}

const ASSUMED_ROLE = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//;

export function createPrincipalGuard(allowlist: readonly string[], trailguardRoleArns: readonly string[]): PrincipalGuard {
  /** Role sessions name the role without its path; compare account + name. */
  const ownRoles = new Map<string, string>();
  for (const arn of trailguardRoleArns) {
    const key = roleKeyFromRoleArn(arn);
    if (key !== undefined) ownRoles.set(key, arn);
  }

  function ownRole(arns: readonly string[]): string | undefined {
    for (const arn of arns) {
      const key = roleKeyFromRoleArn(arn) ?? roleKeyFromSessionArn(arn);
      const own = key === undefined ? undefined : ownRoles.get(key);
      if (own !== undefined) return own;
    }
    return undefined;
  }

  function allowlistedArns(arns: readonly string[]): Exemption | undefined {
    // ARNs are case-sensitive, unlike action names.
    for (const pattern of allowlist) {
      if (arns.some((arn) => wildcardMatches(pattern, arn, false))) return { kind: "allowlist", matched: pattern };
    }
    return undefined;
  }

  const actorArns = (actor: Actor) =>
    [actor.arn, actor.sessionIssuerArn ?? roleArnFromSessionArn(actor.arn)].filter((arn): arn is string => typeof arn === "string" && arn.length > 0);

  return {
    trailguardIdentity: (actor) => ownRole(actorArns(actor)),
    allowlisted: (actor) => allowlistedArns(actorArns(actor)),
    exemptionForArn(arn) {
      const own = ownRole([arn]);
      return own !== undefined ? { kind: "responder", matched: own } : allowlistedArns([arn]);
    },
  };
}

function roleKeyFromRoleArn(arn: string): string | undefined {
  const role = parseRoleArn(arn);
  return role ? `${role.account}/${role.name}` : undefined;
}

function roleKeyFromSessionArn(arn: string): string | undefined {
  const match = ASSUMED_ROLE.exec(arn);
  return match ? `${match[2]}/${match[3]}` : undefined;
}

/** When a record lacks the session issuer, the role (without its path, which sessions do not show). */
function roleArnFromSessionArn(arn: string | undefined): string | undefined {
  const match = arn ? ASSUMED_ROLE.exec(arn) : null;
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}
