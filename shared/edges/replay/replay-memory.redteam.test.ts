import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../core/config/config.js";
import type { Finding } from "../../core/model/finding.js";
import { MAX_POLICIES } from "../../core/state/policy-memory.js";
import { ACCOUNT, iamCall, policyJson } from "../../../test/support/records.js";
import type { ReplayFilters } from "./replay-file.js";
import { type ReplayReporter, replaySources } from "./replay-run.js";

/**
 * Red team: replay's policy memory (shared/core/state/policy-memory.ts) judged end to end, as of
 * 3be9c83. Each sequence is one an attacker can produce with real IAM calls. (de5bbf4's misses
 * for a padded default version, a padded re-creation, a flushed memory and --unordered were
 * fixed by bceef6b; these are what is left.)
 */
const work = mkdtempSync(join(tmpdir(), "trailguard-redteam-memory-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARN = `arn:aws:iam::${ACCOUNT}:policy/helpdesk`;
const ADMIN = policyJson({ Effect: "Allow", Action: "*", Resource: "*" });
const READ = policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" });
let ids = 0;
const time = (minute: number) => `2024-05-01T12:${String(minute).padStart(2, "0")}:00Z`;
const create = (minute: number, document: string, arn = ARN) =>
  iamCall("CreatePolicy", { policyName: arn.split("/").pop(), policyDocument: document }, {
    eventTime: time(minute),
    eventID: `create-${ids++}`,
    responseElements: { policy: { arn, defaultVersionId: "v1", policyName: arn.split("/").pop() } },
  });
/**
 * A CreatePolicyVersion whose document was padded with whitespace past 100 KB (IAM accepts up to
 * 131,072 characters and does not count whitespace against its 6,144): CloudTrail drops
 * requestParameters; the response is recorded.
 */
const padded = (minute: number, versionId: string, isDefaultVersion: boolean) =>
  iamCall("CreatePolicyVersion", null, { eventTime: time(minute), eventID: `padded-${ids++}`, responseElements: { policyVersion: { versionId, isDefaultVersion } } });
const setDefault = (minute: number, versionId: string, id: string) => iamCall("SetDefaultPolicyVersion", { policyArn: ARN, versionId }, { eventTime: time(minute), eventID: id });
const attach = (minute: number, id: string) => iamCall("AttachUserPolicy", { userName: "bob", policyArn: ARN }, { eventTime: time(minute), eventID: id });
const file = (name: string, records: unknown[]) => {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify({ Records: records }));
  return path;
};
async function replay(paths: string[], filters: ReplayFilters = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const reporter: ReplayReporter = { finding: (finding) => findings.push(finding), problem: () => undefined, end: () => undefined };
  await replaySources(paths.map((path) => ({ kind: "file" as const, path })), reporter, { config: DEFAULT_CONFIG, jobs: 1, filters });
  return findings;
}
const severityOf = (findings: Finding[], id: string) => findings.find((finding) => finding.eventId === id && finding.ruleId !== "policy-document-grant")?.severity;

describe("red team: unseen documents that still come out as merely unread (medium, not high)", () => {
  it("a padded version created non-default and then made default: the switch and the attachment are high, like a padded version made default at once", async () => {
    const control = await replay([file("control.json", [create(1, READ), padded(2, "v2", true), attach(4, "attach-control")])]);
    expect(severityOf(control, "attach-control")).toBe("high");
    const findings = await replay([file("two-step.json", [create(1, READ), padded(2, "v2", false), setDefault(3, "v2", "switch"), attach(4, "attach")])]);
    expect([severityOf(findings, "switch"), severityOf(findings, "attach")]).toEqual(["high", "high"]);
  });

  it(
    "a forgotten policy touched again (a new non-default version) loses its 'forgotten' mark: the admin attachment drops from high to medium",
    async () => {
      const flood = Array.from({ length: MAX_POLICIES }, (_, n) => create(2, READ, `arn:aws:iam::${ACCOUNT}:policy/junk-${n}`));
      const touch = iamCall("CreatePolicyVersion", { policyArn: ARN, policyDocument: READ, setAsDefault: false }, { eventTime: time(20), eventID: "touch", responseElements: { policyVersion: { versionId: "v2", isDefaultVersion: false } } });
      const untouched = await replay([file("flush.json", [create(1, ADMIN), ...flood, attach(30, "attach-untouched")])]);
      expect(severityOf(untouched, "attach-untouched")).toBe("high");
      const touched = await replay([file("flush-touch.json", [create(1, ADMIN), ...flood, touch, attach(30, "attach-touched")])]);
      expect(severityOf(touched, "attach-touched")).toBe("high");
    },
    60_000,
  );
});

describe("red team: --since narrows what the memory learns, not only what is reported", () => {
  it("an admin attachment inside the --since range is critical with --since as without it", async () => {
    const path = file("since.json", [create(1, ADMIN), attach(5, "attach-since")]);
    expect(severityOf(await replay([path]), "attach-since")).toBe("critical");
    expect(severityOf(await replay([path], { since: time(2) }), "attach-since")).toBe("critical");
  });
});
