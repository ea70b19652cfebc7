import type { RuleDocs } from "../rules/rule-docs.js";
import type { DetectionRule } from "../rules/rule.js";

/** Where the README's rule table starts and ends; `npm run docs:rules` rewrites what is between. */
export const RULE_TABLE_BEGIN = "<!-- rule table: rendered from rule metadata by `npm run docs:rules`; do not edit by hand -->";
export const RULE_TABLE_END = "<!-- end of rule table -->";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ").trim();

/** The README's rule table, one row per registered rule in registry order, from metadata only. */
export function renderRuleTable(rules: readonly DetectionRule[], docs: Readonly<Record<string, RuleDocs>>): string {
  const rows = rules.map((rule) => {
    const entry = docs[rule.id];
    if (!entry) throw new Error(`rule ${rule.id} has no docs.ts in its pack`);
    return `| \`${rule.id}\` | ${rule.category} | ${rule.technique.id} | ${cell(entry.firesOn)} | ${cell(entry.severity)} |`;
  });
  return [RULE_TABLE_BEGIN, "", "| rule | category | ATT&CK | fires on | severity |", "|---|---|---|---|---|", ...rows, "", RULE_TABLE_END].join("\n");
}

/** `text` with the rule table between its markers replaced; throws when the markers are missing. */
export function replaceRuleTable(text: string, rules: readonly DetectionRule[], docs: Readonly<Record<string, RuleDocs>>): string {
  const begin = text.indexOf(RULE_TABLE_BEGIN);
  const end = text.indexOf(RULE_TABLE_END);
  if (begin < 0 || end < begin) throw new Error("the rule table markers are missing");
  return `${text.slice(0, begin)}${renderRuleTable(rules, docs)}${text.slice(end + RULE_TABLE_END.length)}`;
}
