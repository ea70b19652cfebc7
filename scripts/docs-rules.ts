/**
 * Rewrites the README's rule table from the registered rules' metadata (`npm run docs:rules`).
 * test/readme-rules.test.ts fails when the README and this rendering differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { replaceRuleTable } from "../shared/core/report/rule-table.js";
import { RULE_DOCS } from "../shared/core/rules/rule-docs.js";
import { RULES } from "../shared/core/rules/registry.js";

const readmePath = join(import.meta.dirname, "..", "README.md");
const before = readFileSync(readmePath, "utf8");
const after = replaceRuleTable(before, RULES, RULE_DOCS);
if (after === before) {
  process.stdout.write("README rule table is up to date\n");
} else {
  writeFileSync(readmePath, after);
  process.stdout.write(`README rule table rewritten: ${RULES.length} rules\n`);
}
