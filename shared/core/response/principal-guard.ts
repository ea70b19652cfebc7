import { iamPrincipalArn, parseAssumedRoleArn, parseIamPrincipalArn, parseIamRoleArn, roleArnOfSession } from "../arn/arn.js";
import { wildcardMatches } from "../iam/policy-document.js";
import type { Actor, Exemption } from "../model/finding.js";

/**
 * Who trailguard must never act against: allowlisted principals (ARN patterns) and trailguard's
 * own roles (exact ARNs). A role session is matched by its session ARN and by the role ARN that
 * issued it, so allowlisting a role covers all of its sessions.
 *
 * Matching is IAM's: a pattern without wildcards names one principal, and a principal is its
 * account, kind and name, the name compared without regard to case and the path ignored (IAM
 * names are unique per account whatever their path or case), so `user/admins/breakglass` and
 * `user/breakglass` are the same user. A pattern with wildcards is matched against the full ARN,
 * path included: events name a target without its path, so the responder resolves the real ARN
 * from IAM and asks again before it changes anything.
 *
 * Being one of trailguard's roles is not, by itself, an exemption for the actor of an event:
 * only trailguard's own moves are (see shared/core/self/own-moves.ts). This guard only says who is who.
 */
export interface PrincipalGuard {
  /** The trailguard role ARN the actor is (a session of), or undefined. */
  trailguardIdentity(actor: Actor): string | undefined;
  /** The allowlist pattern the actor matches, or undefined. */
  allowlisted(actor: Actor): Exemption | undefined;
  /** For a principal trailguard is about to act on: trailguard's own role, or allowlisted. */
  exemptionForPrincipal(principal: PrincipalToCheck): Exemption | undefined;
}

export interface PrincipalToCheck {
  readonly account: string;
  readonly kind: "user" | "role";
  readonly name: string;
  /** The full ARN, path included, when known (from IAM); else the ARN is built without a path. */
  readonly arn?: string;
  readonly partition?: string;
}

interface Identity {
  readonly account: string;
  readonly kind: "user" | "role";
  readonly name: string;
}

const identityKey = (identity: Identity) => `${identity.account}/${identity.kind}/${identity.name.toLowerCase()}`;

export function createPrincipalGuard(allowlist: readonly string[], trailguardRoleArns: readonly string[]): PrincipalGuard {
  const ownRoles = new Map<string, string>();
  for (const arn of trailguardRoleArns) {
    const role = parseIamRoleArn(arn);
    if (role) ownRoles.set(identityKey({ account: role.account, kind: "role", name: role.name }), arn);
  }
  // Patterns without wildcards name one principal: matched by identity. The rest by full ARN.
  const exactIdentities = new Map<string, string>();
  const arnPatterns: string[] = [];
  for (const pattern of allowlist) {
    const named = /[*?]/.test(pattern) ? undefined : parseIamPrincipalArn(pattern);
    if (named) exactIdentities.set(identityKey(named), pattern);
    else arnPatterns.push(pattern);
  }

  function allowlistedBy(identity: Identity | undefined, arns: readonly string[]): Exemption | undefined {
    const exact = identity ? exactIdentities.get(identityKey(identity)) : undefined;
    if (exact !== undefined) return { kind: "allowlist", matched: exact };
    // ARNs are case-sensitive, unlike action names.
    for (const pattern of arnPatterns) {
      if (arns.some((arn) => wildcardMatches(pattern, arn, false))) return { kind: "allowlist", matched: pattern };
    }
    return undefined;
  }

  const ownRole = (identity: Identity | undefined) => (identity?.kind === "role" ? ownRoles.get(identityKey(identity)) : undefined);

  return {
    trailguardIdentity: (actor) => ownRole(actorIdentity(actor)),
    allowlisted: (actor) => allowlistedBy(actorIdentity(actor), actorArns(actor)),
    exemptionForPrincipal(principal) {
      const identity = { account: principal.account, kind: principal.kind, name: principal.name };
      const own = ownRole(identity);
      if (own !== undefined) return { kind: "responder", matched: own };
      const arn = principal.arn ?? iamPrincipalArn({ partition: principal.partition ?? "aws", account: principal.account, kind: principal.kind, name: principal.name });
      return allowlistedBy(identity, [arn]);
    },
  };
}

/** The IAM principal behind a caller: the user, the role a session was issued by, or a federated user's issuer. */
function actorIdentity(actor: Actor): Identity | undefined {
  const fromArn = (arn: string | undefined): Identity | undefined => {
    const parsed = parseIamPrincipalArn(arn);
    if (parsed) return { account: parsed.account, kind: parsed.kind, name: parsed.name };
    const session = parseAssumedRoleArn(arn);
    return session ? { account: session.account, kind: "role", name: session.roleName } : undefined;
  };
  return fromArn(actor.sessionIssuerArn) ?? fromArn(actor.arn);
}

function actorArns(actor: Actor): string[] {
  return [actor.arn, actor.sessionIssuerArn ?? roleArnFromSessionArn(actor.arn)].filter((arn): arn is string => typeof arn === "string" && arn.length > 0);
}

/** When a record lacks the session issuer, the role (without its path, which sessions do not show). */
function roleArnFromSessionArn(arn: string | undefined): string | undefined {
  const session = parseAssumedRoleArn(arn);
  return session ? roleArnOfSession(session) : undefined;
}
