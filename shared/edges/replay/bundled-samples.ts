import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where rule packs live: every `<rule-id>/samples/` folder under it is a bundled sample set. */
export const RULES_DIR = fileURLToPath(new URL("../../core/rules/", import.meta.url));

/** Each pack's sample folder, in rule-folder order. Replay with no path reads these. */
export function bundledSampleDirs(): string[] {
  return readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(RULES_DIR, entry.name, "samples"))
    .filter((dir) => existsSync(dir))
    .sort();
}

/** Every bundled sample event (a JSON file per event), with its name and the pack it belongs to. */
export function bundledSamples(): Array<{ readonly name: string; readonly pack: string; readonly path: string }> {
  return bundledSampleDirs().flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .sort()
      .map((file) => ({ name: file.replace(/\.json$/, ""), pack: join(dir, "..").slice(RULES_DIR.length).replace(/\/$/, ""), path: join(dir, file) })),
  );
}

/** The path of one bundled sample by name (names are unique across packs; a test checks). */
export function bundledSamplePath(name: string): string {
  const found = bundledSamples().find((sample) => sample.name === name);
  if (!found) throw new Error(`no bundled sample named ${name}`);
  return found.path;
}
