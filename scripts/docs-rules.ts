/**
 * Rewrites what is rendered from the registered rules' metadata (`npm run docs:rules`): the
 * README's rule table, and the rule catalog the functions check their configuration against.
 * test/readme-rules.test.ts and shared/core/rules/rule-packs.test.ts fail when either differs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderRuleCatalog, replaceRuleTable } from "../shared/core/report/rule-table.js";
import { RULE_DOCS } from "../shared/core/rules/rule-docs.js";
import { RULES } from "../shared/core/rules/registry.js";

function rewrite(path: string, after: string, what: string): void {
  const before = readFileSync(path, "utf8");
  if (after === before) {
    process.stdout.write(`${what} is up to date\n`);
  } else {
    writeFileSync(path, after);
    process.stdout.write(`${what} rewritten: ${RULES.length} rules\n`);
  }
}

const root = join(import.meta.dirname, "..");
const readmePath = join(root, "README.md");
rewrite(readmePath, replaceRuleTable(readFileSync(readmePath, "utf8"), RULES, RULE_DOCS), "README rule table");
rewrite(join(root, "shared", "core", "rules", "catalog.generated.ts"), renderRuleCatalog(RULES), "rule catalog");
