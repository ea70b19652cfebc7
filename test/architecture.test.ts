import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.js";

/**
 * docs/architecture.md is the map of the code; this keeps it true. Its module table says what
 * each folder may import; every relative import of every module (tests aside) is checked
 * against it, and every folder under shared/ must have a row.
 */
const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
const sharedFolders = readdirSync(join(repoRoot, "shared"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Row {
  readonly folder: string;
  readonly mayImport: ReadonlySet<string>;
}

/** `| \`shared/x/\` | role | may import |`: the folder names the last column mentions ("everything": all). */
function rows(): Row[] {
  const table = doc.slice(doc.indexOf("## Modules and what they may import"));
  return table
    .split("\n")
    .filter((line) => /^\| `(shared\/[\w-]+|cli|functions)\/` \|/.test(line))
    .map((line) => {
      const cells = line.split("|").map((cell) => cell.trim());
      const folder = (cells[1] ?? "").replace(/`/g, "").replace(/\/$/, "");
      const allowed = cells[cells.length - 2] ?? "";
      const words = new Set(allowed.toLowerCase().match(/[a-z-]+/g) ?? []);
      const mayImport = words.has("everything") ? new Set(sharedFolders) : new Set(sharedFolders.filter((name) => words.has(name)));
      if (words.has("shared")) for (const name of sharedFolders) mayImport.add(name);
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

/** The shared/ folders a file imports, through relative paths (both `from "…"` and bare `import "…"`). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const folders: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]+)"/g)) {
    const target = relative(join(repoRoot, "shared"), join(file, "..", match[1] ?? ""));
    if (target.startsWith("..")) continue;
    folders.push(target.split("/")[0] ?? "");
  }
  return folders;
}

describe("docs/architecture.md is the map of the code", () => {
  const table = rows();

  it("has a row for every folder under shared/, and for cli/ and functions/", () => {
    const documented = table.map((row) => row.folder).sort();
    expect(documented).toEqual([...sharedFolders.map((name) => `shared/${name}`), "cli", "functions"].sort());
  });

  it("every module imports only what its folder's row allows", () => {
    const violations: string[] = [];
    for (const row of table) {
      const own = row.folder.startsWith("shared/") ? row.folder.slice("shared/".length) : undefined;
      for (const file of sourceFiles(join(repoRoot, row.folder))) {
        for (const folder of importedFolders(file)) {
          if (folder !== own && !row.mayImport.has(folder)) violations.push(`${relative(repoRoot, file)} imports shared/${folder}/`);
        }
      }
    }
    expect([...new Set(violations)]).toEqual([]);
  });

  it("would catch a forbidden import (the check is not vacuous)", () => {
    const model = table.find((row) => row.folder === "shared/model");
    expect(model?.mayImport.has("runtime")).toBe(false);
    expect(table.find((row) => row.folder === "shared/runtime")?.mayImport.size).toBe(sharedFolders.length);
    expect(importedFolders(join(repoRoot, "shared", "pipeline", "analyse.ts"))).toEqual(expect.arrayContaining(["rules", "self", "response"]));
  });
});
