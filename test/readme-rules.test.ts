import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULE_TABLE_BEGIN, RULE_TABLE_END, renderRuleTable, replaceRuleTable } from "../shared/core/report/rule-table.js";
import { DEFAULT_RESPONSE_POLICY } from "../shared/core/response/response-policy.js";
import { RULE_DOCS } from "../shared/core/rules/rule-docs.js";
import { RULES } from "../shared/core/rules/registry.js";
import { repoRoot } from "./support/run-cli.js";

/** The README's rule table is the user's view of the registry, rendered from the rules' metadata. */
describe("README rule table", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

  it("is exactly what the registered rules' metadata renders (run `npm run docs:rules` after changing a rule)", () => {
    const section = readme.slice(readme.indexOf(RULE_TABLE_BEGIN), readme.indexOf(RULE_TABLE_END) + RULE_TABLE_END.length);
    expect(section).toBe(renderRuleTable(RULES, RULE_DOCS));
    expect(replaceRuleTable(readme, RULES, RULE_DOCS)).toBe(readme);
  });

  it("has one row per registered rule, in registry order, with its category and technique (the rendering is not vacuous)", () => {
    const rows = renderRuleTable(RULES, RULE_DOCS)
      .split("\n")
      .filter((line) => /^\| `[a-z-]+` \|/.test(line))
      .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| /, "").trim()));
    expect(rows.map((cells) => [cells[0]?.replace(/`/g, ""), cells[1], cells[2]])).toEqual(RULES.map((rule) => [rule.id, rule.category, rule.technique.id]));
    for (const rule of RULES) {
      expect(RULE_DOCS[rule.id]?.firesOn.length, rule.id).toBeGreaterThan(5);
      expect(RULE_DOCS[rule.id]?.severity.length, rule.id).toBeGreaterThan(2);
      expect(RULE_DOCS[rule.id]?.severityLogic.length, rule.id).toBeGreaterThan(20);
    }
  });

  it("a rule's event names all appear in what the table says it fires on, unless the rule watches too many to list", () => {
    const listing = RULES.filter((rule) => RULE_DOCS[rule.id]?.listsEventNames !== false);
    const missing = listing.flatMap((rule) => (rule.eventNames ?? []).filter((name) => !RULE_DOCS[rule.id]?.firesOn.includes(`\`${name}\``)).map((name) => `${rule.id}: ${name}`));
    expect(missing).toEqual([]);
    expect(RULES.filter((rule) => RULE_DOCS[rule.id]?.listsEventNames === false).map((rule) => rule.id)).toEqual(["trailguard-tampering"]);
  });

  it("the Response section's statement table lists exactly the default response policy's statements, in order", () => {
    const section = readme.slice(readme.indexOf("## Response"), readme.indexOf("Guardrails the policy cannot override"));
    const ids = section
      .split("\n")
      .map((line) => /^\| `([a-z-]+)` \|/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids).toEqual(DEFAULT_RESPONSE_POLICY.statements.map((statement) => statement.id));
  });

  it("the CIS CloudWatch table has rows 1 to 9 and names only registered rules", () => {
    const section = readme.slice(readme.indexOf("### CIS AWS Foundations"), readme.indexOf("Across all rules:"));
    const rows = section.split("\n").filter((line) => /^\| CloudWatch\.\d \|/.test(line));
    expect(rows.map((line) => /CloudWatch\.(\d)/.exec(line)?.[1])).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    const named = rows.flatMap((line) => [...(line.split(" | ")[2] ?? "").matchAll(/`([a-z-]+)`/g)].map((match) => match[1]));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((id) => !RULES.some((rule) => rule.id === id))).toEqual([]);
  });
});

