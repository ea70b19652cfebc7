import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../core/config/config.js";
import type { Finding } from "../../core/model/finding.js";
import { ACCOUNT, iamCall, policyJson } from "../../../test/support/records.js";
import { type ReplayReporter, replaySources } from "./replay-run.js";

/**
 * Replay remembers across records and files (policy documents seen created), in input order,
 * with the same answer whatever the number of jobs: files are judged in lanes, what needs
 * memory in the main thread.
 */
const work = mkdtempSync(join(tmpdir(), "trailguard-memory-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARN = `arn:aws:iam::${ACCOUNT}:policy/helpdesk`;
const ADMIN = policyJson({ Effect: "Allow", Action: "iam:*", Resource: "*" });
const READ = policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" });
let ids = 0;
const create = (time: string, document: string) =>
  iamCall("CreatePolicy", { policyName: "helpdesk", policyDocument: document }, { eventTime: time, eventID: `create-${ids++}`, responseElements: { policy: { arn: ARN, defaultVersionId: "v1" } } });
const attach = (time: string, id: string) => iamCall("AttachUserPolicy", { userName: "bob", policyArn: ARN }, { eventTime: time, eventID: id });
const file = (name: string, records: unknown[]) => {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify({ Records: records }));
  return path;
};

async function replay(paths: string[], jobs: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  const reporter: ReplayReporter = { finding: (finding) => findings.push(finding), problem: () => undefined, end: () => undefined };
  await replaySources(paths.map((path) => ({ kind: "file" as const, path })), reporter, { config: DEFAULT_CONFIG, jobs });
  return findings;
}
const attachments = (findings: Finding[]) => findings.filter((finding) => finding.ruleId === "managed-policy-attached").map((finding) => [finding.eventId, finding.severity]);

describe("replay's memory of customer-managed policies", () => {
  it("judges an attachment by the document created earlier in another file, the same with one job or several", async () => {
    const paths = [
      file("a-1.json", [create("2024-05-01T12:00:00Z", ADMIN)]),
      // Many files between, so that with several jobs the two land in different lanes.
      ...Array.from({ length: 6 }, (_, n) => file(`a-2-${n}.json`, [iamCall("ListUsers", null, { eventID: `list-${n}` })])),
      file("a-3.json", [attach("2024-05-01T12:05:00Z", "attach-admin")]),
    ];
    const one = await replay(paths, 1);
    expect(attachments(one)).toEqual([["attach-admin", "critical"]]);
    expect(one.find((finding) => finding.eventId === "attach-admin")?.reasons.join(" ")).toContain("as it was at the time of the call");
    expect(await replay(paths, 3)).toEqual(one);
  });

  it("reads a file whole before judging it: a creation listed after the attachment but earlier in time counts", async () => {
    const path = file("b.json", [attach("2024-05-01T13:05:00Z", "attach-later"), create("2024-05-01T13:00:00Z", READ)]);
    expect(attachments(await replay([path], 1))).toEqual([["attach-later", "medium"]]);
    const findings = await replay([path], 1);
    expect(findings.find((finding) => finding.eventId === "attach-later")?.reasons.join(" ")).toContain("grants nothing admin-equivalent");
  });

  it("says the document is unknown when the policy was created after the call, or outside the input", async () => {
    const path = file("c.json", [attach("2024-05-01T14:00:00Z", "attach-before"), create("2024-05-01T14:05:00Z", ADMIN)]);
    const findings = await replay([path], 1);
    expect(attachments(findings)).toEqual([["attach-before", "medium"]]);
    expect(findings.find((finding) => finding.eventId === "attach-before")?.reasons.join(" ")).toContain("was not read");
  });

  it("keeps the report in record order when some records are judged in the main thread", async () => {
    const path = file("d.json", [
      iamCall("CreateAccessKey", { userName: "carol" }, { eventID: "key-1", responseElements: { accessKey: { accessKeyId: "AKIAEXAMPLEKEY000001", userName: "carol", status: "Active" } } }),
      attach("2024-05-01T15:05:00Z", "attach-middle"),
      iamCall("CreateAccessKey", { userName: "dave" }, { eventID: "key-2", responseElements: { accessKey: { accessKeyId: "AKIAEXAMPLEKEY000002", userName: "dave", status: "Active" } } }),
    ]);
    const order = (await replay([path], 1)).map((finding) => finding.eventId);
    expect(order.indexOf("attach-middle")).toBeGreaterThan(order.indexOf("key-1"));
    expect(order.indexOf("attach-middle")).toBeLessThan(order.indexOf("key-2"));
  });
});
