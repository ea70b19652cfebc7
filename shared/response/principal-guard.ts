import { wildcardMatches } from "../iam/policy-document.js";
import type { Actor, Exemption } from "../model/finding.js";

/**
 * Who trailguard must never act against: allowlisted principals (ARN patterns) and trailguard's
 * own responder roles (exact ARNs). A role session is matched by its session ARN and by the role
 * ARN that issued it, so allowlisting a role covers all of its sessions.
 */
export interface PrincipalGuard {
  /** The allowlist pattern or responder ARN the actor matches, or undefined. */
  exemptionFor(actor: Actor): Exemption | undefined;
  /** Same for a principal trailguard is about to act on. */
  exemptionForArn(arn: string): Exemption | undefined;
}

const ASSUMED_ROLE = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//;

export function createPrincipalGuard(allowlist: readonly string[], responderRoleArns: readonly string[]): PrincipalGuard {
  /** Role sessions name the role without its path; compare account + name. */
  const responderKeys = new Set(responderRoleArns.map(roleKeyFromRoleArn).filter((key): key is string => key !== undefined));

  function exemptionForArns(arns: readonly string[]): Exemption | undefined {
    for (const arn of arns) {
      const key = roleKeyFromRoleArn(arn) ?? roleKeyFromSessionArn(arn);
      if (key !== undefined && responderKeys.has(key)) return { kind: "responder", matched: arn };
    }
    // ARNs are case-sensitive, unlike action names.
    for (const pattern of allowlist) {
      if (arns.some((arn) => wildcardMatches(pattern, arn, false))) return { kind: "allowlist", matched: pattern };
    }
    return undefined;
  }

  return {
    exemptionFor(actor) {
      const arns = [actor.arn, actor.sessionIssuerArn ?? roleArnFromSessionArn(actor.arn)].filter(
        (arn): arn is string => typeof arn === "string" && arn.length > 0,
      );
      return exemptionForArns(arns);
    },
    exemptionForArn(arn) {
      return exemptionForArns([arn]);
    },
  };
}

function roleKeyFromRoleArn(arn: string): string | undefined {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

function roleKeyFromSessionArn(arn: string): string | undefined {
  const match = ASSUMED_ROLE.exec(arn);
  return match ? `${match[2]}/${match[3]}` : undefined;
}

/** When a record lacks the session issuer, the role (without its path, which sessions do not show). */
function roleArnFromSessionArn(arn: string | undefined): string | undefined {
  const match = arn ? /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn) : null;
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}
