import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/config/config.js";
import { loadConfigFile, loadConfigFromEnv } from "./load-config.js";

const badPolicy = JSON.stringify({ version: 1, statements: [{ id: "s", match: { signals: ["admin-grnat"] }, actions: ["contain-actor"] }] });

describe("loading configuration checks it against the rules at start-up", () => {
  it("from the environment", () => {
    expect(() => loadConfigFromEnv({ TRAILGUARD_RESPONSE_POLICY: badPolicy })).toThrow(ConfigError);
    expect(() => loadConfigFromEnv({ TRAILGUARD_RULE_MODES: '{"no-such-rule":"enforce"}' })).toThrow(/unknown rule id/);
    expect(loadConfigFromEnv({ TRAILGUARD_MODE: "enforce" }).mode).toBe("enforce");
  });

  it("from a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "trailguard-config-"));
    const path = join(dir, "config.json");
    writeFileSync(path, `{"responsePolicy": ${badPolicy}}`);
    expect(() => loadConfigFile(path)).toThrow(/signal no rule emits "admin-grnat"/);
    writeFileSync(path, '{"mode": "off"}');
    expect(loadConfigFile(path).mode).toBe("off");
  });
});
