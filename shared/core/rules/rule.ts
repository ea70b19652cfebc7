import type { CloudTrailRecord } from "../cloudtrail/record.js";
import type { Actor, AttackTechnique, Category, EventFacts, Evidence, Target } from "../model/finding.js";
import type { EventLookups, LookupRequest } from "../model/lookups.js";
import type { CountRequest, EventCounts } from "../model/window-counts.js";
import type { Severity } from "../model/severity.js";
import type { OwnMove } from "../self/own-moves.js";
import type { SelfKnowledge } from "../self/self-knowledge.js";

/** Settings rules read. Everything has a safe default; see shared/core/config/config.ts. */
export interface DetectionSettings {
  /** Accounts a role may trust without raising an "untrusted account" finding (the event's own account always may). */
  readonly trustedAccounts: ReadonlySet<string>;
  /** trailguard's own roles and resources, from the stack. */
  readonly self: SelfKnowledge;
}

/** Set when the caller is one of trailguard's own roles (or the member role). */
export interface TrailguardCaller {
  readonly roleArn: string;
  /** What trailguard's own move this call is, or undefined: then someone else is using its identity. */
  readonly ownMove: OwnMove | undefined;
}

export interface RuleInput {
  readonly record: CloudTrailRecord;
  readonly actor: Actor;
  readonly event: EventFacts;
  readonly settings: DetectionSettings;
  readonly trailguard: TrailguardCaller | undefined;
  /** What the edge looked up for this event (see `DetectionRule.lookups`); NO_LOOKUPS in replay. */
  readonly lookups: EventLookups;
  /** What the edge counted for this event (see `DetectionRule.counts`); NO_COUNTS where nothing keeps state. */
  readonly counts: EventCounts;
}

/** What a rule reads to say which counts an event adds to. */
export type CountInput = Pick<RuleInput, "record" | "actor" | "event">;

/**
 * What a rule says about one event. The engine adds ids, metadata and the planned response.
 * `S` is the rule's declared signals: a match can carry no other (checked by the compiler
 * through `defineRule`, and on every bundled sample by rule-packs.test.ts).
 */
export interface RuleMatch<S extends string = string> {
  readonly severity: Severity;
  /** Overrides the rule title when the event deserves a sharper one. */
  readonly title?: string;
  readonly summary: string;
  readonly whyItMatters: string;
  readonly reasons: readonly string[];
  /** Tags response policies match on; only those the rule declares. */
  readonly signals: readonly S[];
  readonly target: Target | undefined;
  readonly technique?: AttackTechnique;
  readonly evidence?: Evidence;
}

export interface DetectionRule<S extends string = string> {
  readonly id: string;
  readonly title: string;
  readonly category: Category;
  readonly technique: AttackTechnique;
  /** What the on-call does, in one paragraph. */
  readonly runbook: string;
  /**
   * The CloudTrail event names the rule can fire on, when it is limited to some (IAM rules). The
   * deployed EventBridge pattern is checked against these, so a rule cannot silently miss events.
   */
  readonly eventNames?: readonly string[];
  /** The CloudTrail event sources those names belong to (the deployed pattern matches both). */
  readonly eventSources?: readonly string[];
  /** The rule only fires on calls by the root user (root rules): lets the engine skip the rest cheaply. */
  readonly rootOnly?: boolean;
  /** The rule only fires on calls made with trailguard's own roles (any event name). */
  readonly trailguardCallersOnly?: boolean;
  /** The rule also sees read-only calls by principals other than root (which change nothing, so others never do). */
  readonly includesReadOnly?: boolean;
  /**
   * Read-only facts the rule would like looked up before it judges an event (the Lambda
   * runtime fetches them; replay does not, and the rule says what is unknown). Pure.
   */
  readonly lookups?: (record: CloudTrailRecord, event: EventFacts) => readonly LookupRequest[];
  /**
   * The events the rule counts over a window (see shared/core/model/window-counts.ts): the edge
   * records them and answers in `RuleInput.counts` (DynamoDB in Lambda, memory in replay). Pure.
   */
  readonly counts?: (input: CountInput) => readonly CountRequest[];
  /**
   * The rule judges only calls refused for want of permission (`errorCode` AccessDenied... or
   * ...UnauthorizedOperation, CIS CloudWatch .2), whatever their name: routed by error code.
   */
  readonly deniedCallsOnly?: boolean;
  /** The highest severity of a failed call (default low: nothing changed). */
  readonly failedCallCap?: Severity;
  /**
   * Every signal this rule may emit. Response policies naming any other are refused at start-up
   * (`shared/core/engine/wiring.ts`); emitting an undeclared one does not compile.
   */
  readonly signals: readonly S[];
  /** Pure: no I/O, no clock, no randomness. */
  evaluate(input: RuleInput): RuleMatch<NoInfer<S>> | undefined;
}

/**
 * What configuration may name of a rule: its id, category and signals. Every function checks its
 * configuration against all rules (a response policy may name a rule another function runs), but
 * bundles only its own rules' code: the identities come from the generated catalog.
 */
export type RuleIdentity = Pick<DetectionRule, "id" | "category" | "signals">;

/**
 * Declares a rule, inferring its signals from `signals` so that `evaluate` cannot return one it
 * did not declare: `defineRule({ signals: ["a"], evaluate: () => ({ signals: ["b"], ... }) })` is
 * a type error.
 */
export function defineRule<const S extends string>(rule: DetectionRule<S>): DetectionRule<S> {
  return rule;
}
