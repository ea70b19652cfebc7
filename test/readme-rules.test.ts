import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../shared/core/rules/registry.js";
import { repoRoot } from "./support/run-cli.js";

/** The README's rule table is the user's view of the registry: every rule, its category, nothing else. */
describe("README rule table", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Rules"), readme.indexOf("## Response"));
  const rows = section
    .split("\n")
    .filter((line) => /^\| `[a-z-]+` \|/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));

  it("lists exactly the registered rules, in registry order, each with its category", () => {
    expect(rows.map((cells) => [cells[1]?.replace(/`/g, ""), cells[2]])).toEqual(RULES.map((rule) => [rule.id, rule.category]));
  });
});
