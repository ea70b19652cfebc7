import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError, parseReplayArgs } from "../shared/edges/replay/cli-options.js";
import { assumedRole, iamCall, iamUser, policyJson, root } from "./support/records.js";
import { testTimeout } from "./support/bounded-process.js";
import { REPLAY_BOUND_MS, jsonLines, runReplay } from "./support/run-cli.js";

/**
 * Replay at scale, as a user runs it: worker threads with deterministic output, filters, the CI
 * gate, streamed JSON Lines. Performance itself is measured by `npm run bench`, not here.
 */
let work: string;
let tree: string;
/** Every generated event: what a filter should keep is computed from this, not hard-coded. */
const generated: Array<{ eventID: string; account: string; region: string; date: string; rule: string | undefined }> = [];

/** One CloudTrail log object per day, with events of several accounts, regions and severities. */
function day(date: string, account: string, region: string, n: number) {
  return [
    iamCall("CreateAccessKey", { userName: "bob" }, {
      eventID: `key-${date}-${account}-${region}-${n}`,
      eventTime: `${date}T10:00:00Z`,
      recipientAccountId: account,
      awsRegion: region,
      userIdentity: iamUser("alice", { account }),
      responseElements: { accessKey: { accessKeyId: "AKIABOBNEWKEY0000001", userName: "bob" } },
    }),
    iamCall("PutRolePolicy", { roleName: "r", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, {
      eventID: `admin-${date}-${account}-${region}-${n}`,
      eventTime: `${date}T11:00:00Z`,
      recipientAccountId: account,
      awsRegion: region,
      userIdentity: assumedRole("ci", "s", { account }),
    }),
    iamCall("ListUsers", null, { eventID: `quiet-${date}-${n}`, eventTime: `${date}T12:00:00Z`, recipientAccountId: account, awsRegion: region, readOnly: true }),
    iamCall("GetAccountSummary", null, { eventID: `root-${date}-${n}`, eventTime: `${date}T13:00:00Z`, recipientAccountId: account, awsRegion: region, userIdentity: root({ account }), readOnly: true }),
  ];
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "trailguard-scale-"));
  tree = join(work, "AWSLogs");
  let n = 0;
  for (const account of ["111122223333", "444455556666"]) {
    for (const region of ["us-east-1", "eu-west-1"]) {
      for (const date of ["2026-10-01", "2026-10-02", "2026-10-03"]) {
        const folder = join(tree, account, "CloudTrail", region, ...date.split("-"));
        mkdirSync(folder, { recursive: true });
        for (let file = 0; file < 3; file++) {
          const records = day(date, account, region, n++);
          const rules = ["access-key-created", "policy-document-grant", undefined, "root-activity"];
          records.forEach((record, index) => generated.push({ eventID: String(record.eventID), account, region, date, rule: rules[index] }));
          writeFileSync(join(folder, `${account}_CloudTrail_${region}_${file}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
        }
      }
    }
  }
});

// The CLI runs as a bounded child (REPLAY_BOUND_MS), at most twice per test.
describe("replay at scale", { timeout: testTimeout(2, REPLAY_BOUND_MS) }, () => {
  it("gives the same findings in the same order with 1 job and with several", async () => {
    const one = await runReplay([tree, "--format", "jsonl", "--jobs", "1"]);
    const many = await runReplay([tree, "--format", "jsonl", "--jobs", "3"]);
    expect(one.status).toBe(0);
    expect(many.status).toBe(0);
    expect(jsonLines(one.stdout).length).toBe(36 * 3);
    expect(many.stdout).toBe(one.stdout);
    expect(many.stderr).toMatch(/36 file\(s\), 144 record\(s\), 108 finding\(s\), 0 error\(s\) .*3 job\(s\)/);
  });

  it("--unordered still reports every finding exactly once", async () => {
    const result = await runReplay([tree, "--format", "jsonl", "--jobs", "2", "--unordered"]);
    const ordered = await runReplay([tree, "--format", "jsonl", "--jobs", "1"]);
    const ids = (text: string) => jsonLines(text).map((finding) => `${finding.eventId}/${finding.ruleId}`).sort();
    expect(ids(result.stdout)).toEqual(ids(ordered.stdout));
  });

  it("filters by time window, account and region before analysis, and by severity and rule after", async () => {
    const result = await runReplay([
      tree,
      "--format",
      "jsonl",
      "--since",
      "2026-10-02",
      "--until",
      "2026-10-03T00:00:00Z",
      "--account",
      "444455556666",
      "--region",
      "eu-west-1",
      "--min-severity",
      "high",
      "--rule",
      "access-key-created,policy-document-grant",
    ]);
    expect(result.status).toBe(0);
    const findings = jsonLines(result.stdout) as Array<{ eventId: string; severity: string; event: { account: string; region: string; eventTime: string } }>;
    const expected = generated
      .filter((event) => event.date === "2026-10-02" && event.account === "444455556666" && event.region === "eu-west-1")
      .filter((event) => event.rule === "access-key-created" || event.rule === "policy-document-grant")
      .map((event) => event.eventID);
    expect(expected).toHaveLength(6);
    expect(findings.map((finding) => finding.eventId).sort()).toEqual(expected.sort());
    expect(findings.every((finding) => finding.severity === "high" || finding.severity === "critical")).toBe(true);
    expect(result.stderr).toMatch(/144 record\(s\), 6 finding\(s\), 0 error\(s\), 132 record\(s\) filtered out/);
  });

  it("--fail-on gates CI: exit 3 when a finding at or above the level is seen, 0 otherwise", async () => {
    const gated = await runReplay([tree, "--format", "jsonl", "--fail-on", "critical"]);
    expect(gated.status).toBe(3);
    expect(gated.stderr).toContain("--fail-on critical: a critical finding was seen");
    const passing = await runReplay([tree, "--format", "jsonl", "--fail-on", "critical", "--rule", "access-key-created"]);
    expect(passing.status).toBe(0);
  });

  it("streams JSON Lines (gzip too), reporting a bad line by number and going on", async () => {
    const lines = day("2026-10-05", "111122223333", "us-east-1", 999).map((record) => JSON.stringify(record));
    lines.splice(2, 0, '{"eventName": "CreateAccessKey", broken');
    const path = join(work, "events.jsonl.gz");
    writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
    const result = await runReplay([path, "--format", "jsonl"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: .*events\.jsonl\.gz line 3: invalid JSON/);
    expect(jsonLines(result.stdout).map((finding) => finding.eventId)).toEqual([
      "key-2026-10-05-111122223333-us-east-1-999",
      "admin-2026-10-05-111122223333-us-east-1-999",
      "root-2026-10-05-999",
    ]);
  });

  it("draws no progress bar on a pipe", async () => {
    const result = await runReplay([tree, "--format", "jsonl"]);
    expect(result.stderr).not.toContain("\r");
    expect(result.stderr).not.toMatch(/files · .* records/);
  });
});

describe("replay options", () => {
  it.each([
    [["--jobs", "0"], /--jobs must be a whole number/],
    [["--since", "yesterday-ish"], /--since "yesterday-ish" is not a date/],
    [["--account", "12345"], /--account "12345" is not a 12-digit account id/],
    [["--rule", "nope"], /--rule "nope" is not a rule id/],
    [["--fail-on", "severe"], /--fail-on must be one of info, low, medium, high, critical/],
    [["--min-severity", "HIGH"], /--min-severity must be one of/],
  ])("rejects %j with a clear message", (args, message) => {
    expect(() => parseReplayArgs(args)).toThrow(UsageError);
    expect(() => parseReplayArgs(args)).toThrow(message);
  });

  it("normalises time bounds to CloudTrail's eventTime format", () => {
    const command = parseReplayArgs(["--since", "2026-10-02", "--until", "2026-10-03T12:30:00+02:00"]);
    expect(command.filters.since).toBe("2026-10-02T00:00:00Z");
    expect(command.filters.until).toBe("2026-10-03T10:30:00Z");
  });
});
