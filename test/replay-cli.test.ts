import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../shared/core/model/finding.js";
import { RULES } from "../shared/core/rules/registry.js";
import { bundledSamplePath, bundledSamples } from "../shared/edges/replay/bundled-samples.js";
import { testTimeout } from "./support/bounded-process.js";
import { REPLAY_BOUND_MS, jsonLines, repoRoot, runReplay } from "./support/run-cli.js";

const sample = (name: string) => JSON.parse(readFileSync(bundledSamplePath(name), "utf8")) as { detail: Record<string, unknown> };
const backdoorKey = sample("access-key-created-for-other-user");
const adminGrant = sample("policy-admin-inline-policy-on-role");
const benign = sample("benign-iam-get-policy-read-only");
const sampleCount = bundledSamples().length;
/** A sample file holds one event or a sequence of them (a JSON array): replay reads each as a record. */
const sampleRecords = bundledSamples().reduce((total, { path }) => {
  const content = JSON.parse(readFileSync(path, "utf8")) as unknown;
  return total + (Array.isArray(content) ? content.length : 1);
}, 0);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "trailguard-replay-"));
});

function write(name: string, content: string | Buffer): string {
  const path = join(work, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

// The CLI runs as a bounded child (REPLAY_BOUND_MS); each test's timeout covers its runs.
describe("replay CLI: every input form", { timeout: testTimeout(1, REPLAY_BOUND_MS) }, () => {
  const records = () => [backdoorKey.detail, adminGrant.detail, benign.detail];
  const forms: Array<[string, () => string | Buffer, string]> = [
    ["EventBridge event", () => JSON.stringify(backdoorKey), "eb.json"],
    ["raw record", () => JSON.stringify(backdoorKey.detail), "raw.json"],
    ["CloudTrail log file", () => JSON.stringify({ Records: records() }), "log.json"],
    ["gzipped CloudTrail log file", () => gzipSync(JSON.stringify({ Records: records() })), "log.json.gz"],
    ["JSON array of events", () => JSON.stringify([backdoorKey, adminGrant, benign]), "array.json"],
    ["JSON array of records", () => JSON.stringify(records()), "array-records.json"],
    ["JSON Lines of events", () => [backdoorKey, adminGrant, benign].map((e) => JSON.stringify(e)).join("\n"), "events.jsonl"],
    ["JSON Lines of records", () => `${records().map((r) => JSON.stringify(r)).join("\r\n")}\r\n`, "records.jsonl"],
    [
      "lookup-events output",
      () => JSON.stringify({ Events: records().map((r) => ({ EventId: r.eventID, EventName: r.eventName, CloudTrailEvent: JSON.stringify(r) })) }),
      "lookup.json",
    ],
  ];

  it.each(forms)("%s", async (_label, content, file) => {
    const path = write(`forms/${file}`, content());
    const result = await runReplay([path, "--format", "jsonl"]);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.status).toBe(0);
    const findings = jsonLines(result.stdout);
    const ids = findings.map((finding) => finding.eventId);
    expect(ids).toContain(backdoorKey.detail.eventID);
    if (findings.length > 1) expect(ids).toContain(adminGrant.detail.eventID);
    expect(ids).not.toContain(benign.detail.eventID);
  });

  it("reads standard input with '-' (gzip too)", async () => {
    const result = await runReplay(["-", "--format", "jsonl"], { input: gzipSync(JSON.stringify({ Records: [backdoorKey.detail] })) });
    expect(result.status).toBe(0);
    expect(jsonLines(result.stdout).map((f) => f.ruleId)).toEqual(["access-key-created"]);
  });

  it("walks folders recursively, in sorted order, and skips digest files with a notice", async () => {
    write("tree/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/b.json.gz", gzipSync(JSON.stringify({ Records: [adminGrant.detail] })));
    write("tree/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/a.json.gz", gzipSync(JSON.stringify({ Records: [backdoorKey.detail] })));
    write(
      "tree/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/digest.json.gz",
      gzipSync(JSON.stringify({ awsAccountId: "111122223333", digestStartTime: "x", digestEndTime: "y", logFiles: [] })),
    );
    write("tree/README.txt", "not an event file");
    const result = await runReplay([join(work, "tree"), "--format", "jsonl"]);
    expect(result.status).toBe(0);
    expect(jsonLines(result.stdout).map((f) => f.eventId)).toEqual([backdoorKey.detail.eventID, adminGrant.detail.eventID]);
    expect(result.stderr).toMatch(/notice: .*digest\.json\.gz.*digest file/);
  });
});

describe("replay CLI: output contract", { timeout: testTimeout(1, REPLAY_BOUND_MS) }, () => {
  it("jsonl: stdout holds only findings with the documented fields; the summary goes to stderr", async () => {
    // No path: the bundled samples of every rule pack.
    const result = await runReplay(["--format", "jsonl"]);
    expect(result.status).toBe(0);
    const findings = jsonLines(result.stdout);
    expect(findings.length).toBeGreaterThan(10);
    // Judged as trailguard deployed in the samples' account: every rule shows in the demo, its own self-defence rules too.
    expect([...new Set(findings.map((finding) => finding.ruleId))].sort()).toEqual(RULES.map((rule) => rule.id).sort());
    for (const finding of findings) {
      expect(typeof finding.eventId).toBe("string");
      expect(typeof finding.ruleId).toBe("string");
      expect(CATEGORIES).toContain(finding.category);
      expect(["info", "low", "medium", "high", "critical"]).toContain(finding.severity);
      expect(typeof finding.title).toBe("string");
      expect(Array.isArray(finding.actions)).toBe(true);
      for (const action of finding.actions as Array<Record<string, unknown>>) {
        expect(Object.keys(action).sort()).toEqual(["reason", "status", "target", "type"]);
        expect(["planned", "skipped"]).toContain(action.status);
      }
      // What the on-call would have been told: a page or update of an incident, or why not.
      const alert = finding.alert as { kind: string; incidentId?: string; reason?: string };
      expect(["page", "update", "suppressed", "not-alerted"]).toContain(alert.kind);
      if (alert.kind === "page" || alert.kind === "update") expect(alert.incidentId).toMatch(/^TG-[0-9a-f]{12}$/);
      if (alert.kind === "not-alerted") expect(alert.reason).toMatch(/below minAlertSeverity|trailguard's own move/);
      if (alert.kind === "not-alerted" && finding.severity !== "info" && finding.severity !== "low") expect(alert.reason).toContain("trailguard's own move");
    }
    // One event, one alert: an event's findings share its page.
    const pages = new Set(findings.filter((finding) => (finding.alert as { kind: string }).kind === "page").map((finding) => `${finding.eventId}|${finding.source}`)).size;
    expect(pages).toBeGreaterThan(10);
    expect(result.stderr).toMatch(new RegExp(`alerts: \\d+ incident\\(s\\), ${pages} page\\(s\\)`));
    expect(result.stderr).toContain(`${sampleCount} file(s), ${sampleRecords} record(s), ${findings.length} finding(s), 0 error(s)`);
  });

  it("text: a report per finding and a summary by severity and rule", async () => {
    const result = await runReplay([bundledSamplePath("policy-admin-inline-policy-on-role"), "--format", "text"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("CRITICAL  Admin-equivalent IAM policy granted");
    expect(result.stdout).toMatch(/who\s+arn:aws:sts::111122223333:assumed-role\/lambda-build\/build-7731/);
    expect(result.stdout).toMatch(/actions\s+PLANNED revoke-sessions on role "lambda-build" in 111122223333/);
    expect(result.stdout).toMatch(/by severity: critical 1/);
    expect(result.stdout).toMatch(/policy-document-grant\s+1 {2}\(critical 1\)/);
  });

  it("with no path replays the bundled samples (the demo)", async () => {
    const result = await runReplay(["--format", "jsonl"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("replaying the bundled samples");
    expect(jsonLines(result.stdout).length).toBeGreaterThan(10);
  });
});

// Up to three runs in one test.
describe("replay CLI: bad input is reported, skipped, and fails the run at the end", { timeout: testTimeout(3, REPLAY_BOUND_MS) }, () => {
  it("an unreadable file, a broken JSON file and a malformed record do not stop the others", async () => {
    const broken = write("bad/broken.json", '{"Records": [ {"eventName": "CreateAccessKey", ');
    const malformed = write(
      "bad/malformed.json",
      JSON.stringify({ Records: [{ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", userIdentity: { type: 42 } }, backdoorKey.detail] }),
    );
    const lines = write("bad/mixed.jsonl", `${JSON.stringify(adminGrant)}\nnot json at all\n`);
    const result = await runReplay([join(work, "missing.json"), broken, malformed, lines, "--format", "jsonl"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: .*missing\.json path: no such file or folder/);
    expect(result.stderr).toMatch(/error: .*broken\.json file: invalid JSON/);
    expect(result.stderr).toMatch(/error: .*malformed\.json Records\[0\]: not a valid CloudTrail record \(userIdentity\.type/);
    expect(result.stderr).toMatch(/error: .*mixed\.jsonl line 2: invalid JSON/);
    const ids = jsonLines(result.stdout).map((f) => f.eventId);
    expect(ids).toEqual([backdoorKey.detail.eventID, adminGrant.detail.eventID]);
  });

  it("hostile files (binary noise, broken gzip, deep nesting, a 5 MB line) are reported one by one, never a crash", async () => {
    let deep = '"leaf"';
    for (let i = 0; i < 20_000; i++) deep = `[${deep}]`;
    const files = [
      write("hostile/noise.json", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
      write("hostile/broken.json.gz", Buffer.concat([gzipSync(JSON.stringify({ Records: [backdoorKey.detail] })).subarray(0, 40)])),
      write("hostile/deep.json", deep),
      write("hostile/long-line.jsonl", `${JSON.stringify({ ...backdoorKey.detail, userAgent: "x".repeat(5_000_000) })}\n`),
      write("hostile/not-events.json", JSON.stringify({ hello: "world" })),
    ];
    const result = await runReplay([...files, "--format", "jsonl"]);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).toMatch(/error: .*noise\.json file: invalid JSON/);
    expect(result.stderr).toMatch(/error: .*broken\.json\.gz file: cannot gunzip/);
    expect(result.stderr).toMatch(/error: .*deep\.json (document|\[0\]): /);
    expect(result.stderr).toMatch(/error: .*not-events\.json document: neither an EventBridge event nor a CloudTrail record/);
    // The record with a 5 MB user agent is still analysed: size alone is not malformed.
    expect(jsonLines(result.stdout).map((finding) => finding.eventId)).toEqual([backdoorKey.detail.eventID]);
  });

  it("rejects an unknown format and an invalid config with exit 2 and a clear message", async () => {
    const format = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--format", "xml"]);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format must be one of text, jsonl, not "xml"');
    const config = write("bad-config.json", JSON.stringify({ trustedAccounts: ["12345"] }));
    const result = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/trustedAccounts\.0: must be a 12-digit AWS account id/);
    // Configuration is checked against the rules at start-up too: a policy naming nothing is refused.
    const policy = { version: 1, statements: [{ id: "typo", match: { signals: ["admin-grnat"] }, actions: ["contain-actor"] }] };
    const unknown = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--config", write("typo.json", JSON.stringify({ responsePolicy: policy }))]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('responsePolicy.statements.0 (typo): matches a signal no rule emits "admin-grnat"');
    expect(unknown.stdout).toBe("");
  });

  it("an unknown signal in a suppression is a configuration error too (exit 2, the suppression and the signal named)", async () => {
    const suppressions = [{ id: "vendor", reason: "vendor roles in review", expires: "2030-01-01", signals: ["trust-publik"] }];
    const muted = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--config", write("typo-suppression.json", JSON.stringify({ suppressions }))]);
    expect(muted.status).toBe(2);
    expect(muted.stderr).toContain('suppressions.0 (vendor): matches no signal any rule emits "trust-publik"');
  });

  it("accepts the shipped example configuration, and its --help says --publish alone is a dry run", async () => {
    const example = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--config", join(repoRoot, "examples", "trailguard.config.json"), "--format", "jsonl"]);
    expect(example.stderr).not.toContain("replay: invalid");
    expect(example.status).toBe(0);
    expect(jsonLines(example.stdout).map((finding) => finding.ruleId)).toEqual(["access-key-created"]);
    const help = await runReplay(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("Without --mode it runs the responder in dry-run: the alerts say DRY-RUN and nothing is changed");
  });

  it("a config file changes the verdict: an allowlisted actor is alerted on but not acted on", async () => {
    const config = write("allow.json", JSON.stringify({ allowlist: ["arn:aws:iam::111122223333:user/alice"] }));
    const result = await runReplay([bundledSamplePath("access-key-created-for-other-user"), "--config", config, "--format", "jsonl"]);
    expect(result.status).toBe(0);
    const [finding] = jsonLines(result.stdout) as Array<{ actions: Array<{ status: string; reason: string }> }>;
    expect(finding?.actions).toEqual([expect.objectContaining({ status: "skipped", reason: expect.stringContaining("allowlisted") })]);
  });
});
