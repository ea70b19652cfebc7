import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, configSchema } from "../shared/core/config/config.js";
import { CONFIG_ENV, loadConfigFile } from "../shared/edges/config/load-config.js";
import { repoRoot } from "./support/run-cli.js";

/**
 * The README's Configuration section is the user's reference: its table must name every setting
 * of the schema, each with the environment variable the loader reads and its real default, and
 * its example must be a configuration trailguard accepts.
 */
const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("\n## Configuration\n"), readme.indexOf("\n## ", readme.indexOf("\n## Configuration\n") + 5));

interface Row {
  readonly settings: string[];
  readonly envVars: string[];
  readonly defaultCell: string;
  readonly line: string;
}

/** The table `| setting | environment variable | default | meaning |` (cells split on unescaped pipes). */
function configTable(): Row[] {
  const lines = section.split("\n");
  const header = lines.findIndex((line) => line.startsWith("| setting | environment variable | default | meaning |"));
  expect(header, "the Configuration section's table header").toBeGreaterThan(-1);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    expect(cells, line).toHaveLength(4);
    const [settingCell = "", envCell = "", defaultCell = ""] = cells;
    const ticked = (cell: string, pattern: RegExp) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "").filter((name) => pattern.test(name));
    rows.push({ settings: settingCell === "—" ? [] : ticked(settingCell, /^[a-z][A-Za-z]+$/), envVars: envCell === "—" ? [] : ticked(envCell, /^[A-Z][A-Z_]+$/), defaultCell, line });
  }
  return rows;
}

/** How a default is written in the table: `dry-run`, `3600`, `{}`. */
function written(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object" && value !== null) return Object.values(value).every(isEmpty);
  return false;
}

describe("README Configuration table", () => {
  const rows = configTable();
  const schemaKeys = Object.keys(configSchema.shape).sort();

  it("names every setting of the schema, once, and nothing else", () => {
    const named = rows.flatMap((row) => row.settings);
    expect([...named].sort()).toEqual(schemaKeys);
    expect(new Set(named).size).toBe(named.length);
  });

  it("gives each setting the environment variable the loader reads (CONFIG_ENV), or — when it has none", () => {
    for (const row of rows.filter((candidate) => candidate.settings.length > 0)) {
      const expected = row.settings.flatMap((setting) => {
        const name = (CONFIG_ENV as Record<string, string | undefined>)[setting];
        return name === undefined ? [] : [name];
      });
      expect(row.envVars, row.line).toEqual(expected);
    }
    // Every variable the loader reads is documented; the rows without a setting are variables read elsewhere.
    const documented = rows.flatMap((row) => row.envVars);
    expect(Object.values(CONFIG_ENV).filter((name) => !documented.includes(name))).toEqual([]);
    for (const row of rows.filter((candidate) => candidate.settings.length === 0)) {
      expect(row.envVars.length, row.line).toBeGreaterThan(0);
      for (const name of row.envVars) expect(Object.values(CONFIG_ENV) as string[], row.line).not.toContain(name);
    }
    expect(Object.keys(CONFIG_ENV).filter((key) => !schemaKeys.includes(key))).toEqual([]);
  });

  it("states each setting's real default", () => {
    for (const row of rows.filter((candidate) => candidate.settings.length === 1)) {
      const setting = row.settings[0] ?? "";
      const value = (DEFAULT_CONFIG as Record<string, unknown>)[setting];
      const literal = /^`([^`]+)`$/.exec(row.defaultCell)?.[1];
      if (literal !== undefined) expect(literal, row.line).toBe(written(value));
      else if (row.defaultCell.startsWith("none")) expect(isEmpty(value), row.line).toBe(true);
      else expect(setting, row.line).toBe("responsePolicy");
    }
  });

  it("no longer mentions the removed alertFormat setting", () => {
    expect(section).not.toMatch(/`alertFormat`\s*\|/);
    expect(section).not.toContain("TRAILGUARD_ALERT_FORMAT` |");
  });

  it("its JSON example is a configuration trailguard accepts (schema and rules)", () => {
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(blocks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "trailguard-readme-config-"));
    blocks.forEach((block, index) => {
      const path = join(dir, `example-${index}.json`);
      writeFileSync(path, block);
      const config = loadConfigFile(path);
      expect(config.responsePolicy.version).toBe(1);
    });
  });
});
