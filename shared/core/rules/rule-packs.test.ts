import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledSamples } from "../../edges/replay/bundled-samples.js";
import { parseConfig } from "../config/config.js";
import { type Analysis, createAnalyser } from "../engine/analyse.js";
import { replayState } from "../state/replay-state.js";
import { RULE_CATALOG } from "./catalog.generated.js";
import { EXPOSURE_RULES, FAILURE_RULES, IAM_RULES, ROOT_RULES, RULES, TAMPER_RULES } from "./registry.js";
import { renderRuleCatalog } from "../report/rule-table.js";
import { RULE_DOCS } from "./rule-docs.js";
import { type DetectionRule, defineRule } from "./rule.js";
import type { SampleExpectations } from "./rule-pack.js";
import { SAMPLE_CONFIG } from "./sample-config.js";

/**
 * A rule is one pack (see rule-pack.ts): this suite is what "everything else follows or a test
 * says what is missing" means. Adding a folder without its rule, tests, samples or expected
 * findings, a rule without a registry line, or a sample without an expectation fails here,
 * naming what is missing.
 */
const rulesDir = import.meta.dirname;
const packIds = readdirSync(rulesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Pack {
  readonly id: string;
  readonly rule: DetectionRule | undefined;
  readonly expectations: SampleExpectations;
}

function isRule(value: unknown): value is DetectionRule {
  return typeof value === "object" && value !== null && typeof (value as DetectionRule).id === "string" && typeof (value as DetectionRule).evaluate === "function";
}

const packs: Pack[] = await Promise.all(
  packIds.map(async (id) => {
    const ruleModule = existsSync(join(rulesDir, id, `${id}.ts`)) ? ((await import(/* @vite-ignore */ join(rulesDir, id, `${id}.ts`))) as Record<string, unknown>) : {};
    const expected = existsSync(join(rulesDir, id, "expected-findings.ts"))
      ? ((await import(/* @vite-ignore */ join(rulesDir, id, "expected-findings.ts"))) as { expectations?: SampleExpectations })
      : {};
    return { id, rule: Object.values(ruleModule).find(isRule), expectations: expected.expectations ?? {} };
  }),
);
const samples = bundledSamples();

describe("rule packs: a rule is one folder", () => {
  it.each(packIds)("%s has its rule, tests, samples and expected findings", (id) => {
    const missing = [
      ...(existsSync(join(rulesDir, id, `${id}.ts`)) ? [] : [`${id}.ts (the rule)`]),
      ...(existsSync(join(rulesDir, id, `${id}.test.ts`)) ? [] : [`${id}.test.ts (its tests)`]),
      ...(samples.some((sample) => sample.pack === id) ? [] : ["samples/*.json (at least one sample event)"]),
      ...(existsSync(join(rulesDir, id, "expected-findings.ts")) ? [] : ["expected-findings.ts (exporting expectations)"]),
      ...(existsSync(join(rulesDir, id, "docs.ts")) ? [] : ["docs.ts (severity logic and the README row)"]),
    ];
    expect(missing, `shared/core/rules/${id}/ is missing`).toEqual([]);
    const pack = packs.find((entry) => entry.id === id);
    expect(pack?.rule?.id, `${id}/${id}.ts must export the DetectionRule whose id is "${id}"`).toBe(id);
  });

  it("the registry lists exactly the packs' rules, each the object its pack exports, and the docs map every pack's docs", () => {
    expect(RULES.map((rule) => rule.id).sort(), "one registry line per pack, no rule without a pack").toEqual(packIds);
    expect(Object.keys(RULE_DOCS).sort(), "one line per pack in rule-docs.ts").toEqual(packIds);
    for (const rule of RULES) expect(packs.find((pack) => pack.id === rule.id)?.rule, rule.id).toBe(rule);
  });

  it("each rule sits in the registry of the function its category sends it to, once", () => {
    expect(new Set(RULES.map((rule) => rule.id)).size, "a rule registered twice").toBe(RULES.length);
    expect(ROOT_RULES.filter((rule) => rule.category !== "root-activity").map((rule) => rule.id), "registry-root.ts holds root-activity rules only").toEqual([]);
    expect(TAMPER_RULES.filter((rule) => rule.category !== "tampering").map((rule) => rule.id), "registry-tamper.ts holds tampering rules only").toEqual([]);
    expect(
      IAM_RULES.filter((rule) => rule.category === "root-activity" || rule.category === "tampering" || rule.category === "resource-exposure" || rule.category === "repeated-failures").map(
        (rule) => rule.id,
      ),
      "registry-iam.ts holds no root-activity, resource-exposure, repeated-failures or tampering rules",
    ).toEqual([]);
    expect(EXPOSURE_RULES.filter((rule) => rule.category !== "resource-exposure").map((rule) => rule.id), "registry-exposure.ts holds resource-exposure rules only").toEqual([]);
    expect(FAILURE_RULES.filter((rule) => rule.category !== "repeated-failures").map((rule) => rule.id), "registry-failure.ts holds repeated-failures rules only").toEqual([]);
  });

  it("the generated catalog (every rule's id, category and signals, which functions check configuration against) is the registry's", () => {
    const generated = readFileSync(join(rulesDir, "catalog.generated.ts"), "utf8");
    expect(generated, "run `npm run docs:rules`").toBe(renderRuleCatalog(RULES));
    expect(RULE_CATALOG).toEqual(RULES.map(({ id, category, signals }) => ({ id, category, signals })));
  });

  it("sample names are unique across packs, and every sample and expectation pair up within their pack", () => {
    const names = samples.map((sample) => sample.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index), "duplicate sample names").toEqual([]);
    for (const pack of packs) {
      const own = samples.filter((sample) => sample.pack === pack.id).map((sample) => sample.name).sort();
      expect(Object.keys(pack.expectations).sort(), `${pack.id}: samples/ and expected-findings.ts`).toEqual(own);
    }
  });

  it.each(packIds)("%s: at least one sample raises the rule and at least one benign look-alike does not", (id) => {
    const pack = packs.find((entry) => entry.id === id);
    const outcomes = Object.values(pack?.expectations ?? {});
    expect(outcomes.some((findings) => findings.some((finding) => finding.rule === id)), `${id}: a sample that raises it`).toBe(true);
    expect(outcomes.some((findings) => findings.every((finding) => finding.rule !== id)), `${id}: a benign look-alike sample`).toBe(true);
  });
});

describe("every bundled sample yields exactly its expected findings", () => {
  const analyser = createAnalyser(parseConfig(SAMPLE_CONFIG, "shared/core/rules/sample-config.ts"), RULES);
  type SampleEvent = { "detail-type"?: string; region?: string; detail: { eventID: string; eventSource?: string } };

  it.each(samples.map((sample) => [sample.name, sample] as const))("%s", async (_name, sample) => {
    const pack = packs.find((entry) => entry.id === sample.pack);
    expect(pack).toBeDefined();
    if (!pack) return;
    // A sample is one event, or a sequence (a JSON array) judged in order as replay judges it: with
    // its own state (window counts, policies seen), each event observed, then analysed with what
    // the state knows of it when it needs any.
    const content = JSON.parse(readFileSync(sample.path, "utf8")) as SampleEvent | SampleEvent[];
    const sequence = Array.isArray(content);
    const events = sequence ? content : [content];
    expect(events.length, "a sequence holds at least two events").toBeGreaterThan(sequence ? 1 : 0);
    const state = replayState(analyser);
    const analyses: Analysis[] = [];
    for (const event of events) {
      // Samples are what EventBridge delivers; IAM and sign-in events are delivered only in us-east-1.
      expect(event["detail-type"]).toMatch(/^AWS (API Call|Console Sign In) via CloudTrail$/);
      if (event.detail.eventSource === "iam.amazonaws.com" || event.detail.eventSource === "signin.amazonaws.com") expect(event.region).toBe("us-east-1");
      state.observe(event);
      analyses.push(state.needs(event) ? analyser.analyse(event, await state.knownFor(event)) : analyser.analyse(event));
    }
    const eventIds = events.map((event) => event.detail.eventID);
    expect(new Set(eventIds).size, "every event of a sequence has an eventID of its own").toBe(eventIds.length);

    const findings = analyses.flatMap((analysis, index) => {
      expect(analysis.kind, `event ${index}`).toBe("analysed");
      return analysis.kind === "analysed" ? analysis.findings.map((finding) => ({ finding, index })) : [];
    });
    const actual = findings.map(({ finding, index }) => ({
      rule: finding.ruleId,
      severity: finding.severity,
      actions: finding.actions.map((action) => `${action.type}:${action.status}`),
      ...(sequence ? { event: index } : {}),
    }));
    expect(actual).toEqual(pack.expectations[sample.name]);
    for (const { finding, index } of findings) {
      // A rule emits only the signals it declares: policies are checked against the declarations.
      const declared = RULES.find((rule) => rule.id === finding.ruleId)?.signals ?? [];
      expect(finding.signals.filter((signal) => !declared.includes(signal)), `${finding.ruleId} emitted undeclared signals`).toEqual([]);
      // Every finding carries what the on-call needs, and names the event of the sequence it came from.
      expect(eventIds).toContain(finding.eventId);
      expect(finding.eventId).toBe(eventIds[index]);
      expect(finding.summary.length).toBeGreaterThan(10);
      expect(finding.runbook.length).toBeGreaterThan(50);
      expect(finding.technique.id).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(finding.event.account).toMatch(/^\d{12}$/);
      expect(finding.event.sourceIp).toBeTruthy();
      for (const action of finding.actions) expect(action.reason.length).toBeGreaterThan(5);
    }
  });
});

describe("declared signals: a rule cannot emit one it did not declare", () => {
  it("is a compile error (npm test type-checks first; an unused @ts-expect-error fails it)", () => {
    const base = { id: "probe", title: "probe", category: "tampering", technique: { id: "T1562", name: "probe" }, runbook: "" } as const;
    const match = { severity: "low", summary: "s", whyItMatters: "w", reasons: [], target: undefined } as const;
    const declared = defineRule({ ...base, signals: ["declared"], evaluate: () => ({ ...match, signals: ["declared"] }) });
    // @ts-expect-error "undeclared" is not among the rule's signals
    const undeclared = defineRule({ ...base, signals: ["declared"], evaluate: () => ({ ...match, signals: ["undeclared"] }) });
    expect(declared.signals).toEqual(["declared"]);
    expect(undeclared.signals).toEqual(["declared"]);
  });
});
