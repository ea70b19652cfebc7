import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.js";

/**
 * docs/architecture.md is the map of the code; this keeps it true. Its module table says what
 * each module (a folder under shared/core/ or shared/edges/, plus cli/ and functions/) may
 * import; every relative import of every module (tests aside) is checked against it, every
 * module must have a row, and the core must stay pure.
 */
const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
const LAYERS = ["core", "edges"] as const;
const modules = LAYERS.flatMap((layer) =>
  readdirSync(join(repoRoot, "shared", layer), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${layer}/${entry.name}`),
).sort();

interface Row {
  readonly folder: string;
  readonly mayImport: ReadonlySet<string>;
}

/**
 * `| \`shared/core/x/\` | role | may import |`. The last column names modules as `core/x` or
 * `edges/x`; `core/*` means every core module, "everything" every module.
 */
function rows(): Row[] {
  const table = doc.slice(doc.indexOf("## Modules and what they may import"));
  return table
    .split("\n")
    .filter((line) => /^\| `(shared\/(core|edges)\/[\w-]+|cli|functions)\/` \|/.test(line))
    .map((line) => {
      const cells = line.split("|").map((cell) => cell.trim());
      const folder = (cells[1] ?? "").replace(/`/g, "").replace(/\/$/, "");
      const allowed = cells[cells.length - 2] ?? "";
      const named = new Set(allowed.match(/\b(?:core|edges)\/[\w*-]+/g) ?? []);
      const mayImport = new Set<string>();
      for (const module of modules) {
        if (/\beverything\b/.test(allowed) || named.has(module) || (named.has("core/*") && module.startsWith("core/"))) mayImport.add(module);
      }
      return { folder, mayImport };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The modules a file imports through relative paths (`from "…"`, bare `import "…"` and `import("…")`). */
function importedModules(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
    const target = relative(join(repoRoot, "shared"), join(file, "..", match[1] ?? ""));
    if (target.startsWith("..")) {
      found.push(target.replace(/^(\.\.\/)+/, "").split("/")[0] ?? "");
      continue;
    }
    const [layer, name] = target.split("/");
    found.push(`${layer}/${name}`);
  }
  return found;
}

/** What makes code impure: I/O modules, the environment, the clock, randomness. Types are fine. */
const IMPURE = [
  { pattern: /^import\s+(?!type\b)[^;]*from\s+"node:(?!crypto")[^"]+"/m, what: "a node: I/O module" },
  { pattern: /^import\s+(?!type\b)[^;]*from\s+"@aws-(?:sdk|lambda-powertools)\//m, what: "an AWS client" },
  { pattern: /\bprocess\.(?:env|stdout|stderr|argv|exit)/, what: "the process" },
  { pattern: /\bDate\.now\(|\bnew Date\(\)|\bMath\.random\(/, what: "the clock or randomness" },
];

describe("docs/architecture.md is the map of the code", () => {
  const table = rows();

  it("has a row for every module under shared/core/ and shared/edges/, and for cli/ and functions/", () => {
    const documented = table.map((row) => row.folder).sort();
    expect(documented).toEqual([...modules.map((name) => `shared/${name}`), "cli", "functions"].sort());
    expect(readdirSync(join(repoRoot, "shared")).sort()).toEqual([...LAYERS]);
  });

  it("every module imports only what its row allows", () => {
    const violations: string[] = [];
    for (const row of table) {
      const own = row.folder.startsWith("shared/") ? row.folder.slice("shared/".length) : undefined;
      for (const file of sourceFiles(join(repoRoot, row.folder))) {
        for (const module of importedModules(file)) {
          if (module !== own && !row.mayImport.has(module)) violations.push(`${relative(repoRoot, file)} imports ${module}`);
        }
      }
    }
    expect([...new Set(violations)]).toEqual([]);
  });

  it("the core never imports an edge and does no I/O: no files, network, AWS clients, environment, clock or randomness", () => {
    for (const row of table.filter((entry) => entry.folder.startsWith("shared/core/"))) {
      expect([...row.mayImport].filter((module) => !module.startsWith("core/")), row.folder).toEqual([]);
    }
    const impure: string[] = [];
    for (const file of sourceFiles(join(repoRoot, "shared", "core"))) {
      const text = readFileSync(file, "utf8");
      for (const { pattern, what } of IMPURE) if (pattern.test(text)) impure.push(`${relative(repoRoot, file)} uses ${what}`);
    }
    expect(impure).toEqual([]);
  });

  it("would catch a forbidden import or an impure core module (the checks are not vacuous)", () => {
    const model = table.find((row) => row.folder === "shared/core/model");
    expect(model?.mayImport.has("edges/lambda")).toBe(false);
    expect(table.find((row) => row.folder === "shared/edges/lambda")?.mayImport.size).toBe(modules.length);
    expect(importedModules(join(repoRoot, "shared", "core", "engine", "analyse.ts"))).toEqual(expect.arrayContaining(["core/rules", "core/self", "core/response"]));
    const probe = (text: string) => IMPURE.filter(({ pattern }) => pattern.test(text)).map(({ what }) => what);
    expect(probe('import { readFileSync } from "node:fs";')).toEqual(["a node: I/O module"]);
    expect(probe('import { createHash } from "node:crypto";\nimport type { X } from "@aws-sdk/client-sns";')).toEqual([]);
    expect(probe('import { IAMClient } from "@aws-sdk/client-iam";')).toEqual(["an AWS client"]);
    expect(probe("const t = Date.now();")).toEqual(["the clock or randomness"]);
  });

  it("the rules' docs stay out of the functions: only the CLI, scripts and tests import rule-docs.ts (types aside)", () => {
    const offenders = [join(repoRoot, "functions"), join(repoRoot, "shared")]
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => /^import\s+(?!type\b)[^;]*from\s+"[^"]*rule-docs\.js"/m.test(readFileSync(file, "utf8")))
      .map((file) => relative(repoRoot, file));
    expect(offenders).toEqual([]);
  });

  it("each function bundles only the rules it runs: its own registry's packs, never registry.ts", async () => {
    const { IAM_RULES } = await import("../shared/core/rules/registry-iam.js");
    const { ROOT_MONITOR_RULES } = await import("../shared/core/rules/registry-root.js");
    const { TAMPER_RULES } = await import("../shared/core/rules/registry-tamper.js");
    const { EXPOSURE_RULES } = await import("../shared/core/rules/registry-exposure.js");
    const { FAILURE_RULES } = await import("../shared/core/rules/registry-failure.js");
    const runs: Record<string, readonly { id: string }[]> = {
      "iam-responder": IAM_RULES,
      "root-monitor": ROOT_MONITOR_RULES,
      "exposure-monitor": EXPOSURE_RULES,
      "failure-monitor": FAILURE_RULES,
      "tamper-monitor": TAMPER_RULES,
      heartbeat: [],
      // Imports published alerts into Security Hub: it runs no rule.
      "securityhub-exporter": [],
    };
    expect(readdirSync(join(repoRoot, "functions")).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts")).map((file) => file.replace(/\.ts$/, "")).sort()).toEqual(Object.keys(runs).sort());
    for (const [fn, rules] of Object.entries(runs)) {
      const reached = staticImports(join(repoRoot, "functions", `${fn}.ts`)).map((file) => relative(join(repoRoot, "shared", "core", "rules"), file));
      expect(reached, fn).not.toContain("registry.ts");
      const packs = new Set(reached.filter((file) => !file.startsWith("..") && file.includes("/")).map((file) => file.split("/")[0]));
      expect([...packs].sort(), fn).toEqual(rules.map((rule) => rule.id).sort());
    }
  });
});

/** Every file a file reaches through relative value imports (type-only imports are erased by the bundler). */
function staticImports(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?"(\.{1,2}\/[^"]+)"/gm)) {
      visit(join(file, "..", (match[1] ?? "").replace(/\.js$/, ".ts")));
    }
  };
  visit(entry);
  return [...seen];
}
