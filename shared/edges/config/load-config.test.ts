import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_CONFIG } from "../../core/config/config.js";
import { DEFAULT_RESPONSE_POLICY } from "../../core/response/response-policy.js";
import { loadConfigFile, loadConfigFromEnv } from "./load-config.js";

const badPolicy = JSON.stringify({ version: 1, statements: [{ id: "s", match: { signals: ["admin-grnat"] }, actions: ["contain-actor"] }] });

/** The message names the setting, the statement and the signal, so the typo can be found. */
const unknownSignal = /responsePolicy\.statements\.0 \(s\): matches a signal no rule emits "admin-grnat"/;
const badSuppressions = JSON.stringify([{ id: "typo", reason: "noisy vendor", expires: "2030-01-01", signals: ["trust-publik"] }]);

describe("loading configuration checks it against the rules at start-up", () => {
  it("from the environment", () => {
    expect(() => loadConfigFromEnv({ TRAILGUARD_RESPONSE_POLICY: badPolicy })).toThrow(ConfigError);
    expect(() => loadConfigFromEnv({ TRAILGUARD_RESPONSE_POLICY: badPolicy })).toThrow(unknownSignal);
    expect(() => loadConfigFromEnv({ TRAILGUARD_SUPPRESSIONS: badSuppressions })).toThrow(/suppressions\.0 \(typo\): matches no signal any rule emits "trust-publik"/);
    expect(() => loadConfigFromEnv({ TRAILGUARD_RULE_MODES: '{"no-such-rule":"enforce"}' })).toThrow(/unknown rule id/);
    expect(loadConfigFromEnv({ TRAILGUARD_MODE: "enforce" }).mode).toBe("enforce");
  });

  it("from a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "trailguard-config-"));
    const path = join(dir, "config.json");
    writeFileSync(path, `{"responsePolicy": ${badPolicy}}`);
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(unknownSignal);
    writeFileSync(path, `{"suppressions": ${badSuppressions}}`);
    expect(() => loadConfigFile(path)).toThrow(/suppressions\.0 \(typo\): matches no signal any rule emits "trust-publik"/);
    // The setting alertFormat is gone (httpsAlertFormat replaced it): a file still setting it is refused, not ignored.
    writeFileSync(path, '{"alertFormat": "chatbot"}');
    expect(() => loadConfigFile(path)).toThrow(/alertFormat/);
    writeFileSync(path, '{"mode": "off"}');
    expect(loadConfigFile(path).mode).toBe("off");
  });
});

describe("the shipped example configuration (examples/trailguard.config.json)", () => {
  const path = join(import.meta.dirname, "..", "..", "..", "examples", "trailguard.config.json");

  it("loads, and names only rules and signals that exist", () => {
    expect(() => loadConfigFile(path)).not.toThrow();
  });

  it("sets the commonly set keys, the alerting ones included, each away from or at a stated default", () => {
    const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const common = ["mode", "ruleModes", "trustedAccounts", "allowlist", "managedAccounts", "memberRoleName", "quarantinePolicy", "alertTopicArn", "minAlertSeverity"];
    const alerting = ["httpsAlertFormat", "accountNames", "incidentWindowSeconds", "incidentMaxSeconds", "suppressions"];
    expect(Object.keys(raw)).toEqual(expect.arrayContaining([...common, ...alerting, "responsePolicy"]));
    const config = loadConfigFile(path);
    expect(config.suppressions.length).toBeGreaterThan(1);
    expect(Object.keys(config.accountNames).length).toBeGreaterThan(0);
    expect(config.httpsAlertFormat).toBe(DEFAULT_CONFIG.httpsAlertFormat);
  });

  it("keeps every statement of the default response policy (a policy replaces the default whole: a copy must not quietly drop one)", () => {
    const { statements } = loadConfigFile(path).responsePolicy;
    for (const statement of DEFAULT_RESPONSE_POLICY.statements) expect(statements).toContainEqual(statement);
  });
});
