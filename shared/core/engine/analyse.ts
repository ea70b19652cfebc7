import { createHash } from "node:crypto";
import { unwrapEvent } from "../cloudtrail/envelope.js";
import { eventFacts, isDeniedErrorCode } from "../cloudtrail/event-facts.js";
import { actorFromRecord, isRootArn } from "../cloudtrail/identity.js";
import { isPlainObject, parseCloudTrailRecord } from "../cloudtrail/record.js";
import type { TrailguardConfig } from "../config/config.js";
import type { Finding } from "../model/finding.js";
import { type EventLookups, type LookupRequest, NO_LOOKUPS } from "../model/lookups.js";
import { minSeverity } from "../model/severity.js";
import { type CountRequest, type EventCounts, NO_COUNTS } from "../model/window-counts.js";
import { assumedRoleArnPrefix, parseIamRoleArn } from "../arn/arn.js";
import { recogniseOwnMove } from "../self/own-moves.js";
import { dutyAllows, expectedSessionName, roleNameOf, trailguardRoleArns } from "../self/self-knowledge.js";
import { createPrincipalGuard } from "../response/principal-guard.js";
import { type PlannerContext, planResponse } from "../response/planner.js";
import { RULE_CATALOG } from "../rules/catalog.generated.js";
import type { DetectionRule, DetectionSettings, RuleInput, TrailguardCaller } from "../rules/rule.js";
import { checkConfigAgainstRules, detectionSettings } from "./wiring.js";

/**
 * The pure core: one input (EventBridge event or raw record) in, findings with planned actions
 * out. No I/O, no clock. The Lambda handlers and the replay CLI both call this.
 */
export type Analysis =
  /** Understood; `findings` may be empty (most events are not interesting). */
  | { readonly kind: "analysed"; readonly eventId: string | undefined; readonly findings: readonly Finding[] }
  /** A well-formed event that is not CloudTrail (another EventBridge source): ignored, not an error. */
  | { readonly kind: "unsupported"; readonly reason: string }
  /** Cannot be understood: reported and skipped; never triggers a response. */
  | { readonly kind: "malformed"; readonly reason: string };

/** What an edge learnt for one event before it is judged: nothing, by default. */
export interface KnownFacts {
  /** What was looked up for `lookupsFor`'s requests (IAM in the responder, replay's memory). */
  readonly lookups?: EventLookups;
  /** What was counted for `countsFor`'s requests (DynamoDB in Lambda, memory in replay). */
  readonly counts?: EventCounts;
}

export interface Analyser {
  analyse(input: unknown, known?: KnownFacts): Analysis;
  /** The read-only facts the rules that would judge this event ask for (usually none). */
  lookupsFor(input: unknown): readonly LookupRequest[];
  /** The counts this event adds to, for the rules that judge a pattern of events (usually none). */
  countsFor(input: unknown): readonly CountRequest[];
}

/**
 * Runs `rules` (a function's own, or all of them for replay). Throws ConfigError when the
 * configuration names a rule or signal that no rule, registered (the catalog) or given, has.
 */
export function createAnalyser(config: TrailguardConfig, rules: readonly DetectionRule[]): Analyser {
  const given = new Set(rules.map((rule) => rule.id));
  checkConfigAgainstRules(config, [...RULE_CATALOG.filter((rule) => !given.has(rule.id)), ...rules]);
  const settings = detectionSettings(config);
  const ownRoleArns = trailguardRoleArns(settings.self);
  const guard = createPrincipalGuard(config.allowlist, ownRoleArns);
  const planner: PlannerContext = { policy: config.responsePolicy, guard };
  const prefilter = candidateFilter(rules, ownRoleArns);
  const readOnlyRules = rules.some((rule) => rule.includesReadOnly);
  const askers = rules.filter((rule) => rule.lookups !== undefined);
  const askedNames = new Set(askers.flatMap((rule) => rule.eventNames ?? []));
  const counters = rules.filter((rule) => rule.counts !== undefined);
  const counterFilter = candidateFilter(counters, ownRoleArns);
  return {
    analyse: (input, known = {}) => analyse(input, rules, settings, planner, prefilter, readOnlyRules, known.lookups ?? NO_LOOKUPS, known.counts ?? NO_COUNTS),
    lookupsFor: (input) => (askers.length === 0 ? [] : lookupsFor(input, askers, askedNames)),
    countsFor: (input) => (counters.length === 0 ? [] : countsFor(input, counters, counterFilter)),
  };
}

type Prefilter = (raw: Record<string, unknown>) => boolean;

/**
 * Which records could any of these rules fire on, judged from the raw object before any
 * validation: root's calls (for root rules), calls made with trailguard's own roles (for the
 * rules that watch its identity), the event names rules declare, everything for a rule that
 * declares none of these. Replay sees hundreds of thousands of records a second; nearly all of
 * them stop here.
 */
function candidateFilter(rules: readonly DetectionRule[], ownRoleArns: readonly string[]): Prefilter {
  if (rules.some((rule) => !rule.rootOnly && !rule.eventNames && !rule.trailguardCallersOnly && !rule.deniedCallsOnly)) return () => true;
  const anyDeniedRule = rules.some((rule) => rule.deniedCallsOnly);
  const names = new Set(rules.flatMap((rule) => rule.eventNames ?? []));
  const readOnlyNames = new Set(rules.flatMap((rule) => (rule.includesReadOnly ? (rule.eventNames ?? []) : [])));
  const anyRootRule = rules.some((rule) => rule.rootOnly);
  const isOwnCaller = rules.some((rule) => rule.trailguardCallersOnly) ? ownCallerTest(ownRoleArns) : () => false;
  return (raw) => {
    if (anyRootRule && isRootCaller(raw)) return true;
    if (isOwnCaller(raw)) return true;
    if (anyDeniedRule && isDeniedErrorCode(raw.errorCode)) return true;
    if (typeof raw.eventName !== "string" || !names.has(raw.eventName)) return false;
    // Read-only calls change nothing; only root's are raised (passed above), and those a rule asks for.
    return raw.readOnly !== true || readOnlyNames.has(raw.eventName);
  };
}

/** A cheap raw-object test for "signed by one of trailguard's roles": issuer ARN or session ARN prefix. */
function ownCallerTest(ownRoleArns: readonly string[]): Prefilter {
  if (ownRoleArns.length === 0) return () => false;
  const issuers = new Set(ownRoleArns);
  const sessionPrefixes = ownRoleArns.flatMap((arn) => {
    const role = parseIamRoleArn(arn);
    return role ? [assumedRoleArnPrefix(role)] : [];
  });
  return (raw) => {
    const identity = raw.userIdentity;
    if (!isPlainObject(identity)) return false;
    const issuer = isPlainObject(identity.sessionContext) && isPlainObject(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer.arn : undefined;
    if (typeof issuer === "string" && issuers.has(issuer)) return true;
    const arn = identity.arn;
    return typeof arn === "string" && sessionPrefixes.some((prefix) => arn.startsWith(prefix));
  };
}

function isRootCaller(raw: Record<string, unknown>): boolean {
  const identity = raw.userIdentity;
  if (!isPlainObject(identity)) return false;
  if (identity.type === "Root") return true;
  // Same inference as the actor model: a missing type with a well-formed root ARN.
  return identity.type === undefined && typeof identity.arn === "string" && isRootArn(identity.arn);
}

/** The common answer, shared: most records concern no rule, and replay sees a great many. */
const NOTHING: Analysis = Object.freeze({ kind: "analysed", eventId: undefined, findings: Object.freeze([]) as readonly Finding[] });

function analyse(
  input: unknown,
  rules: readonly DetectionRule[],
  settings: DetectionSettings,
  planner: PlannerContext,
  mayConcernRules: Prefilter,
  anyRuleReadsReadOnly: boolean,
  lookups: EventLookups,
  counts: EventCounts,
): Analysis {
  // Fast path for raw records (replay): no envelope to unwrap, nothing allocated when no rule applies.
  if (isPlainObject(input) && !("detail-type" in input) && typeof input.eventName === "string" && input.eventName !== "" && typeof input.eventSource === "string" && input.eventSource !== "" && !mayConcernRules(input)) {
    return NOTHING;
  }
  const unwrapped = unwrapEvent(input);
  if (unwrapped.kind === "unsupported") return { kind: "unsupported", reason: unwrapped.reason };
  if (unwrapped.kind === "invalid") return { kind: "malformed", reason: unwrapped.reason };
  const raw = unwrapped.record;
  if (isInsightRecord(raw)) return NOTHING;
  const shape = basicShapeProblem(raw);
  if (shape) return { kind: "malformed", reason: shape };
  // Hot path for replay: most records concern no rule and need no further validation.
  if (!mayConcernRules(raw as Record<string, unknown>)) return NOTHING;
  const parsed = parseCloudTrailRecord(raw);
  if (!parsed.ok) return { kind: "malformed", reason: parsed.reason };
  const record = parsed.record;
  const actor = actorFromRecord(record);
  const event = eventFacts(record, unwrapped.envelope?.account, unwrapped.envelope?.region);
  // Read-only calls change nothing; only root's are worth an alert, and those a rule asks for.
  const quietReadOnly = event.readOnly && actor.type !== "Root";
  if (quietReadOnly && !anyRuleReadsReadOnly) return { kind: "analysed", eventId: event.eventId, findings: [] };

  const trailguard = trailguardCaller(record, actor, event.eventTime, planner, settings);
  const ruleInput: RuleInput = { record, actor, event, settings, trailguard, lookups, counts };
  // trailguard's identity exempts only trailguard's own moves; anything else from it is misuse.
  const exemption = trailguard?.ownMove ? { kind: "responder" as const, matched: trailguard.roleArn } : planner.guard.allowlisted(actor);
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (quietReadOnly && !rule.includesReadOnly) continue;
    if (rule.trailguardCallersOnly && trailguard === undefined) continue;
    if (rule.eventNames && !rule.trailguardCallersOnly && !rule.eventNames.includes(event.eventName)) continue;
    if (rule.deniedCallsOnly && !isDeniedErrorCode(event.errorCode)) continue;
    let match;
    try {
      match = rule.evaluate(ruleInput);
    } catch (error) {
      // A rule bug must not take the batch down or act on half-evaluated input.
      return { kind: "malformed", reason: `rule ${rule.id} could not evaluate the event: ${(error as Error).message}` };
    }
    if (!match) continue;
    // Failed calls changed nothing; outside root they are at most low (or the rule's cap), and never acted on.
    const capped = event.failed && actor.type !== "Root" ? minSeverity(match.severity, rule.failedCallCap ?? "low") : match.severity;
    const reasons = capped !== match.severity ? [...match.reasons, `capped at ${capped}: the call failed`] : match.reasons;
    const unplanned = {
      findingId: `${event.eventId}/${rule.id}`,
      eventId: event.eventId,
      ruleId: rule.id,
      category: rule.category,
      severity: capped,
      title: match.title ?? rule.title,
      summary: match.summary,
      whyItMatters: match.whyItMatters,
      reasons,
      signals: match.signals,
      technique: match.technique ?? rule.technique,
      runbook: rule.runbook,
      actor,
      target: match.target,
      event,
      exemption,
      evidence: match.evidence,
    };
    findings.push({ ...unplanned, actions: planResponse(unplanned, planner) });
  }
  if (findings.length === 0) return { kind: "analysed", eventId: event.eventId, findings };
  const contentDigest = digestOf(raw);
  if (contentDigest === undefined) return { kind: "analysed", eventId: event.eventId, findings };
  return { kind: "analysed", eventId: event.eventId, findings: findings.map((finding) => ({ ...finding, contentDigest })) };
}

/**
 * What the rules that ask for lookups want for this event: only successful, non-read-only calls
 * whose name the asking rule routes (a failed call changed nothing; nothing is read for it).
 */
function lookupsFor(input: unknown, askers: readonly DetectionRule[], askedNames: ReadonlySet<string>): LookupRequest[] {
  // Replay asks this of every raw record: answer most without allocating anything.
  if (isPlainObject(input) && !("detail-type" in input) && !askedNames.has(input.eventName as string)) return [];
  const unwrapped = unwrapEvent(input);
  if (unwrapped.kind !== "record") return [];
  // Every event of the responder passes here: only the few names a rule asks about are parsed twice.
  const name = isPlainObject(unwrapped.record) ? unwrapped.record.eventName : undefined;
  if (typeof name !== "string" || !askedNames.has(name)) return [];
  const parsed = parseCloudTrailRecord(unwrapped.record);
  if (!parsed.ok) return [];
  const event = eventFacts(parsed.record, unwrapped.envelope?.account, unwrapped.envelope?.region);
  if (event.failed || event.readOnly) return [];
  return askers.flatMap((rule) => {
    if (!(rule.eventNames ?? []).includes(event.eventName) || !(rule.eventSources ?? []).includes(event.eventSource)) return [];
    try {
      return [...(rule.lookups?.(parsed.record, event) ?? [])];
    } catch {
      // A rule bug must not take the batch down: its evaluate then sees nothing looked up and says what is unknown.
      return [];
    }
  });
}

/**
 * The counts this event adds to: asked of the rules that count and would see it (the same
 * prefilter and routing as analysis), for a well-formed record only. Failed calls count too:
 * repeated failures are what these rules are about.
 */
function countsFor(input: unknown, counters: readonly DetectionRule[], mayConcernCounters: Prefilter): CountRequest[] {
  if (isPlainObject(input) && !("detail-type" in input) && !mayConcernCounters(input)) return [];
  const unwrapped = unwrapEvent(input);
  if (unwrapped.kind !== "record" || !isPlainObject(unwrapped.record) || !mayConcernCounters(unwrapped.record)) return [];
  const parsed = parseCloudTrailRecord(unwrapped.record);
  if (!parsed.ok) return [];
  const record = parsed.record;
  const event = eventFacts(record, unwrapped.envelope?.account, unwrapped.envelope?.region);
  const actor = actorFromRecord(record);
  const requests: CountRequest[] = [];
  for (const rule of counters) {
    if (event.readOnly && actor.type !== "Root" && !rule.includesReadOnly) continue;
    if (rule.eventNames && !rule.eventNames.includes(event.eventName)) continue;
    if (rule.deniedCallsOnly && !isDeniedErrorCode(event.errorCode)) continue;
    try {
      requests.push(...(rule.counts?.({ record, actor, event }) ?? []));
    } catch {
      // A rule bug must not take the batch down: its evaluate then sees no count and says nothing.
    }
  }
  return requests;
}

/** SHA-256 of the record as delivered; undefined for values JSON cannot hold (never from the wire). */
function digestOf(raw: unknown): string | undefined {
  try {
    return createHash("sha256").update(JSON.stringify(raw)).digest("hex");
  } catch {
    return undefined;
  }
}

function trailguardCaller(
  record: RuleInput["record"],
  actor: RuleInput["actor"],
  eventTime: string | undefined,
  planner: PlannerContext,
  settings: DetectionSettings,
): TrailguardCaller | undefined {
  const roleArn = planner.guard.trailguardIdentity(actor);
  if (roleArn === undefined) return undefined;
  const roleName = roleNameOf(roleArn) ?? "";
  const move = recogniseOwnMove(record, roleName, eventTime, settings.self);
  if (move === undefined || move === "polling") return { roleArn, ownMove: move };
  // Anything else only from trailguard's own code: a session of its role under another name (the
  // role lent to other compute, or assumed by someone else) is not it.
  if (actor.sessionName !== expectedSessionName(roleName, settings.self)) return { roleArn, ownMove: undefined };
  // And containment and the heartbeat only from the role whose duty they are.
  if ((move === "containment" || move === "heartbeat") && !dutyAllows(settings.self, roleArn, move)) return { roleArn, ownMove: undefined };
  return { roleArn, ownMove: move };
}

/**
 * A CloudTrail Insights record (`eventType` "AwsCloudTrailInsight", no `eventName` of its own:
 * the call it is about sits in `insightDetails`) reports an unusual call rate, not a call. It is
 * valid input that no rule judges: understood, no findings, no notice (an archive holds many),
 * never an error. Only the exact shape CloudTrail writes counts: a record with a top-level
 * eventName is a call, whatever its eventType says.
 */
function isInsightRecord(raw: unknown): boolean {
  return isPlainObject(raw) && raw.eventType === "AwsCloudTrailInsight" && raw.eventName === undefined;
}

function basicShapeProblem(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return "CloudTrail record is not a JSON object";
  if (typeof raw.eventName !== "string" || raw.eventName === "") return "CloudTrail record has no eventName";
  if (typeof raw.eventSource !== "string" || raw.eventSource === "") return "CloudTrail record has no eventSource";
  return undefined;
}
