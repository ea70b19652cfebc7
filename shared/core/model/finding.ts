import type { Severity } from "./severity.js";
import type { ResponseAction } from "./action.js";

/** Categories are a closed set: alert routing and response policies key on them. */
export const CATEGORIES = ["root-activity", "access-key", "credential", "policy-change", "trust-update", "resource-exposure", "repeated-failures", "tampering"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface AttackTechnique {
  /** MITRE ATT&CK technique id, e.g. T1098.001. */
  readonly id: string;
  readonly name: string;
}

/** Who made the call, as far as CloudTrail tells. Unknown fields stay undefined, never guessed. */
export interface Actor {
  readonly type: string | undefined;
  readonly arn: string | undefined;
  readonly accountId: string | undefined;
  /** IAM user name, role name (for role sessions) or "root". */
  readonly principalName: string | undefined;
  /** For role sessions and federated users: the role or user that issued the session. */
  readonly sessionIssuerArn: string | undefined;
  readonly sessionIssuerType: string | undefined;
  readonly sessionName: string | undefined;
  /** The access key id the call was signed with (AKIA… long-term, ASIA… temporary). */
  readonly accessKeyId: string | undefined;
  /** true/false when CloudTrail says, undefined when it does not. */
  readonly mfaAuthenticated: boolean | undefined;
  readonly invokedBy: string | undefined;
}

/**
 * What the call acted on, described for humans and for the response planner. A "trust-anchor" is
 * an IAM Roles Anywhere trust anchor (a CA whose certificates buy role credentials): not an IAM
 * principal, so the planner never contains it.
 */
export interface Target {
  readonly kind: "user" | "role" | "group" | "policy" | "access-key" | "account" | "trust-anchor";
  readonly name: string | undefined;
  readonly arn?: string | undefined;
  readonly userName?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly policyName?: string | undefined;
  readonly policyArn?: string | undefined;
}

/** The facts of the CloudTrail event the finding came from. */
export interface EventFacts {
  /** CloudTrail eventID, or a stable synthetic id (prefixed "synthetic-") when the record has none. */
  readonly eventId: string;
  readonly eventIdIsSynthetic: boolean;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string | undefined;
  /** The account the event belongs to (recipientAccountId, else the actor's account). */
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly readOnly: boolean;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly failed: boolean;
}

export interface Finding {
  /** `${eventId}/${ruleId}`: unique and stable across replays and redeliveries. */
  readonly findingId: string;
  readonly eventId: string;
  readonly ruleId: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly title: string;
  /** One line: who did what to what, and how it ended. */
  readonly summary: string;
  /** Why this matters to the on-call, specific to this event. */
  readonly whyItMatters: string;
  /** The factors that set the severity, most important first. */
  readonly reasons: readonly string[];
  /** Machine-readable tags that response policies match on, e.g. "admin-grant". */
  readonly signals: readonly string[];
  readonly technique: AttackTechnique;
  readonly runbook: string;
  readonly actor: Actor;
  readonly target: Target | undefined;
  readonly event: EventFacts;
  /** Set when the actor is allowlisted or is trailguard's own responder: alerted on, never acted on. */
  readonly exemption: Exemption | undefined;
  /** Material the on-call reads to judge the finding (e.g. the policy document as recorded). */
  readonly evidence: Evidence | undefined;
  readonly actions: readonly ResponseAction[];
  /**
   * SHA-256 of the CloudTrail record as delivered. Exactly-once keys include it, so an event
   * forged with a real eventID cannot pre-empt (and so suppress) the real one's steps.
   */
  readonly contentDigest?: string;
}

export interface Exemption {
  readonly kind: "allowlist" | "responder";
  /** The allowlist pattern or responder ARN that matched. */
  readonly matched: string;
}

export interface Evidence {
  /** The policy or trust document, pretty-printed JSON when it parsed, else as recorded. */
  readonly policyDocument?: string;
}
