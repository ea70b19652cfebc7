import { describe, expect, it } from "vitest";
import { RULES } from "../rules/registry.js";
import { type DetectionRule, defineRule } from "../rules/rule.js";
import { CONSUMERS } from "./stack-model.js";
import { EVENT_PATTERN_MAX_CHARS, callRouting, renderPatterns } from "./event-patterns.js";

/**
 * The call patterns are split to stay within EventBridge's pattern size limit; splitting must
 * never lose a (source, event name) pair a rule declares, nor pay for read-only deliveries a
 * rule did not ask for.
 */
type Detail = { eventSource: string[]; eventName: string[] };
const probe = (id: string, eventSources: string[], eventNames: string[], includesReadOnly = false): DetectionRule =>
  defineRule({ id, title: id, category: "tampering", technique: { id: "T0000", name: "probe" }, runbook: "", eventSources, eventNames, includesReadOnly, signals: [], evaluate: () => undefined });

function routes(rules: readonly DetectionRule[], source: string, name: string): boolean {
  return renderPatterns(rules, []).some((pattern) => {
    const detail = pattern.pattern.detail as Partial<Detail>;
    return (detail.eventSource ?? []).includes(source) && (detail.eventName ?? []).includes(name);
  });
}

describe("call patterns within EventBridge's size limit", () => {
  it("every function's patterns fit, and every rule's every source and name is routed together", () => {
    for (const consumer of CONSUMERS) {
      for (const pattern of renderPatterns(consumer.rules, [])) expect(JSON.stringify(pattern.pattern).length, `${consumer.name} ${pattern.suffix}`).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      for (const rule of consumer.rules.filter((candidate) => candidate.eventNames && !candidate.rootOnly && !candidate.trailguardCallersOnly)) {
        for (const source of (rule.eventSources ?? []).filter((candidate) => candidate !== "signin.amazonaws.com")) {
          for (const name of rule.eventNames ?? []) expect(routes(consumer.rules, source, name), `${consumer.name}: ${rule.id} ${source} ${name}`).toBe(true);
        }
      }
    }
  });

  it("splits a rule with more names than one pattern holds, keeping all its sources on each part", () => {
    const names = Array.from({ length: 300 }, (_, index) => `SomeVeryLongOperationName${String(index).padStart(4, "0")}`);
    const huge = probe("huge", ["a.amazonaws.com", "b.amazonaws.com"], names);
    const patterns = renderPatterns([huge], []);
    expect(patterns.length).toBeGreaterThan(3);
    expect(patterns.map((pattern) => pattern.suffix).slice(0, 3)).toEqual(["calls", "calls-2", "calls-3"]);
    for (const pattern of patterns) {
      expect(JSON.stringify(pattern.pattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      expect((pattern.pattern.detail as Detail).eventSource).toEqual(["a.amazonaws.com", "b.amazonaws.com"]);
    }
    expect(callRouting(patterns).eventName).toEqual(names);
  });

  it("packs small rules into one pattern, but never a read-only rule with the others", () => {
    const small = [probe("one", ["x.amazonaws.com"], ["A"]), probe("two", ["y.amazonaws.com"], ["B"]), probe("reads", ["z.amazonaws.com"], ["C"], true)];
    const patterns = renderPatterns(small, []);
    expect(patterns.map((pattern) => [pattern.suffix, pattern.state, (pattern.pattern.detail as Detail).eventName])).toEqual([
      ["calls", "ENABLED", ["A", "B"]],
      ["calls-2", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", ["C"]],
    ]);
  });

  it("the registered rules need more than one pattern today (the split is exercised, not hypothetical)", () => {
    expect(CONSUMERS.some((consumer) => renderPatterns(consumer.rules, []).filter((pattern) => pattern.suffix.startsWith("calls")).length > 1)).toBe(true);
    expect(RULES.length).toBeGreaterThan(15);
  });
});
