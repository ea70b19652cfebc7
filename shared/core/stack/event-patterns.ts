import { DENIED_ERROR_CODE } from "../cloudtrail/event-facts.js";
import type { DetectionRule } from "../rules/rule.js";

/**
 * EventBridge patterns rendered from rule metadata (Cloud Custodian style): the event names and
 * sources a rule declares, whether it watches root or trailguard's own roles, whether it needs
 * read-only calls. No function's pattern is kept by hand, so a rule cannot silently miss events.
 */
export const API_CALL = "AWS API Call via CloudTrail";
/**
 * Every pattern requires an AWS source: events:PutEvents lets anyone publish any detail-type and
 * detail, but only under a source of their own (AWS reserves "aws."), so this is what keeps a
 * forged "CloudTrail" event off trailguard's rules.
 */
const AWS_SOURCE = [{ prefix: "aws." }];
export const CONSOLE_SIGN_IN = "AWS Console Sign In via CloudTrail";
const SIGN_IN_SOURCE = "signin.amazonaws.com";

/** An ARN as a literal or a CloudFormation intrinsic (resolved at deploy time). */
export type TemplateValue = string | Record<string, unknown>;

export interface RenderedPattern {
  /** Short, stable name suffix for the EventBridge rule. */
  readonly suffix: string;
  readonly pattern: Record<string, unknown>;
  /**
   * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS when a rule needs read-only calls: EventBridge
   * delivers read-only management events only to rules in that state.
   */
  readonly state: "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
}

export function renderPatterns(rules: readonly DetectionRule[], watchedRoleArns: readonly TemplateValue[]): RenderedPattern[] {
  const patterns: RenderedPattern[] = [];
  const byName = rules.filter((rule) => rule.eventNames !== undefined && !rule.rootOnly && !rule.trailguardCallersOnly && !rule.deniedCallsOnly);
  const unroutable = rules.filter((rule) => rule.eventNames === undefined && !rule.rootOnly && !rule.trailguardCallersOnly && !rule.deniedCallsOnly);
  if (unroutable.length > 0) throw new Error(`rules without routing metadata (eventNames, rootOnly, trailguardCallersOnly or deniedCallsOnly): ${unroutable.map((rule) => rule.id).join(", ")}`);
  const sourceless = byName.filter((rule) => !rule.eventSources || rule.eventSources.length === 0);
  if (sourceless.length > 0) throw new Error(`rules with event names but no eventSources: ${sourceless.map((rule) => rule.id).join(", ")}`);

  // Console sign-ins are not API calls: EventBridge delivers them under their own detail-type, so
  // rules about sign-ins get their own pattern and stay out of the API-call one.
  const callRules = byName.filter((rule) => (rule.eventSources ?? []).some((source) => source !== SIGN_IN_SOURCE));
  callPatterns(callRules).forEach(({ readOnly, ...detail }, index) => {
    patterns.push({
      suffix: index === 0 ? "calls" : `calls-${index + 1}`,
      pattern: { source: AWS_SOURCE, "detail-type": [API_CALL], detail },
      state: readOnly ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    });
  });
  const signInNames = sortedUnion(byName.filter((rule) => rule.eventSources?.includes(SIGN_IN_SOURCE)).flatMap((rule) => rule.eventNames ?? []));
  if (signInNames.length > 0) {
    patterns.push({ suffix: "sign-in", pattern: { source: ["aws.signin"], "detail-type": [CONSOLE_SIGN_IN], detail: { eventName: signInNames } }, state: "ENABLED" });
  }
  const deniedRules = rules.filter((rule) => rule.deniedCallsOnly);
  if (deniedRules.length > 0) {
    // Refused calls to any service, by error code; most are read-only (enumeration), delivered only in the ALL state.
    patterns.push({
      suffix: "denied-calls",
      pattern: { source: AWS_SOURCE, "detail-type": [API_CALL], detail: { errorCode: [{ prefix: DENIED_ERROR_CODE.prefix }, { suffix: DENIED_ERROR_CODE.suffix }] } },
      state: deniedRules.some((rule) => rule.includesReadOnly) ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    });
  }
  const rootRules = rules.filter((rule) => rule.rootOnly);
  if (rootRules.length > 0) {
    patterns.push({ suffix: "root-sign-in", pattern: { source: ["aws.signin"], "detail-type": [CONSOLE_SIGN_IN], detail: { userIdentity: { type: ["Root"] } } }, state: "ENABLED" });
    // Root calls to any service. Read-only ones arrive only in the ALL state; the rules rate them.
    patterns.push({ suffix: "root-calls", pattern: { source: AWS_SOURCE, "detail-type": [API_CALL], detail: { userIdentity: { type: ["Root"] } } }, state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" });
  }
  const identityRules = rules.filter((rule) => rule.trailguardCallersOnly);
  if (identityRules.length > 0 && watchedRoleArns.length > 0) {
    patterns.push({
      suffix: "own-identity",
      pattern: { source: AWS_SOURCE, "detail-type": [API_CALL], detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [...watchedRoleArns] } } } } },
      state: identityRules.some((rule) => rule.includesReadOnly) ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    });
  }
  return patterns;
}

function sortedUnion(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * EventBridge refuses a pattern longer than 2,048 characters (the default quota; it can be raised
 * to 4,096 on request, which a deployment must not depend on). Each call pattern stays within it.
 */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/**
 * The call patterns' `detail`s. Each rule's sources and names are one unit (a pattern matches
 * any of its sources with any of its names, as the rule asks); units are packed together while
 * the pattern stays within the limit, and a rule with too many names for one pattern has them
 * split over several, each with all its sources. Rules that need read-only calls are packed
 * apart (their patterns need the ALL state, which costs read-only deliveries the others never
 * asked for). Deterministic: rules in registry order.
 */
function callPatterns(callRules: readonly DetectionRule[]): Array<{ eventSource: string[]; eventName: string[]; readOnly: boolean }> {
  const fits = (detail: { eventSource: string[]; eventName: string[] }) =>
    JSON.stringify({ source: AWS_SOURCE, "detail-type": [API_CALL], detail }).length <= EVENT_PATTERN_MAX_CHARS;
  const details: Array<{ eventSource: string[]; eventName: string[]; readOnly: boolean }> = [];
  for (const rule of callRules) {
    const sources = sortedUnion((rule.eventSources ?? []).filter((source) => source !== SIGN_IN_SOURCE));
    const names = sortedUnion(rule.eventNames ?? []);
    const readOnly = rule.includesReadOnly === true;
    const merged = details.find(
      (detail) => detail.readOnly === readOnly && fits({ eventSource: sortedUnion([...detail.eventSource, ...sources]), eventName: sortedUnion([...detail.eventName, ...names]) }),
    );
    if (merged) {
      merged.eventSource = sortedUnion([...merged.eventSource, ...sources]);
      merged.eventName = sortedUnion([...merged.eventName, ...names]);
      continue;
    }
    let chunk: string[] = [];
    for (const name of names) {
      if (chunk.length > 0 && !fits({ eventSource: sources, eventName: [...chunk, name] })) {
        details.push({ eventSource: sources, eventName: chunk, readOnly });
        chunk = [];
      }
      chunk.push(name);
    }
    details.push({ eventSource: sources, eventName: chunk, readOnly });
  }
  return details;
}

/** Every call pattern's event sources and names (for checks that a rule's events are routed). */
export function callRouting(patterns: readonly RenderedPattern[]): { eventSource: string[]; eventName: string[] } {
  const calls = patterns.filter((pattern) => pattern.suffix === "calls" || pattern.suffix.startsWith("calls-"));
  const details = calls.map((pattern) => pattern.pattern.detail as { eventSource: string[]; eventName: string[] });
  return { eventSource: sortedUnion(details.flatMap((detail) => detail.eventSource)), eventName: sortedUnion(details.flatMap((detail) => detail.eventName)) };
}
