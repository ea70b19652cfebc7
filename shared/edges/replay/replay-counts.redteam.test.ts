import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../core/config/config.js";
import type { Finding } from "../../core/model/finding.js";
import { ACCOUNT, assumedRole, cloudTrailRecord } from "../../../test/support/records.js";
import { expandInputPaths } from "./input-paths.js";
import { type ReplayReporter, replaySources } from "./replay-run.js";

/**
 * Red team: replay's window counts (memory-window-counter.ts, judged in replay-run.ts's main
 * thread in input order) against input as CloudTrail delivers it: a directory is read in path
 * order (region before date; several files per five minutes, named at random). bceef6b sorts
 * each file's records by time, which fixed de5bbf4's misses within one file; across files a
 * burst whose later calls are read first is still missed. Uses denied-calls-burst (10 refused
 * calls by one principal in 5 minutes).
 */
const work = mkdtempSync(join(tmpdir(), "trailguard-redteam-counts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = Date.parse("2024-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
let serial = 0;
const refused = (seconds: number, region = "us-east-1") =>
  cloudTrailRecord({
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    eventTime: at(seconds),
    eventID: `00000000-0000-4000-9000-${String(serial++).padStart(12, "0")}`,
    userIdentity: assumedRole("stolen", "i-0123456789abcdef0"),
    sourceIPAddress: "203.0.113.9",
    userAgent: "aws-cli/2.15.0",
    errorCode: "Client.UnauthorizedOperation",
    errorMessage: "You are not authorized to perform this operation.",
    readOnly: true,
    awsRegion: region,
  });
const write = (path: string, records: unknown[]) => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify({ Records: records }));
  return path;
};
async function bursts(paths: string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const reporter: ReplayReporter = { finding: (finding) => findings.push(finding), problem: () => undefined, end: () => undefined };
  await replaySources(paths.map((path) => ({ kind: "file" as const, path })), reporter, { config: DEFAULT_CONFIG, jobs: 1 });
  return findings.filter((finding) => finding.ruleId === "denied-calls-burst");
}

describe("red team: bursts replay misses for the order CloudTrail delivers them in", () => {
  const seconds = Array.from({ length: 12 }, (_, n) => n * 5); // twelve refusals in one minute

  it("control: twelve refusals in time order raise", async () => {
    expect(await bursts([write(join(work, "forward.json"), seconds.map((s) => refused(s)))])).toHaveLength(1);
  });

  it("a burst whose later half was made in a region whose folder sorts first (eu-west-1 < us-east-1) raises", async () => {
    const trail = join(work, "split", "AWSLogs", ACCOUNT, "CloudTrail");
    write(join(trail, "us-east-1/2024/05/01", `${ACCOUNT}_CloudTrail_us-east-1_20240501T1200Z_a.json`), seconds.slice(0, 6).map((s) => refused(s)));
    write(join(trail, "eu-west-1/2024/05/01", `${ACCOUNT}_CloudTrail_eu-west-1_20240501T1200Z_b.json`), seconds.slice(6).map((s) => refused(s, "eu-west-1")));
    const { sources } = await expandInputPaths([join(work, "split")]);
    const paths = sources.flatMap((source) => (source.kind === "file" ? [source.path] : []));
    expect(paths[0]).toContain("eu-west-1");
    expect(await bursts(paths)).toHaveLength(1);
  });

  it("a burst split over two log files of the same five minutes, the later calls in the file whose name sorts first, raises", async () => {
    const folder = join(work, "same-bucket", "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2024", "05", "01");
    write(join(folder, `${ACCOUNT}_CloudTrail_us-east-1_20240501T1200Z_AAAA.json`), seconds.slice(6).map((s) => refused(s)));
    write(join(folder, `${ACCOUNT}_CloudTrail_us-east-1_20240501T1200Z_ZZZZ.json`), seconds.slice(0, 6).map((s) => refused(s)));
    const { sources } = await expandInputPaths([join(work, "same-bucket")]);
    expect(await bursts(sources.flatMap((source) => (source.kind === "file" ? [source.path] : [])))).toHaveLength(1);
  });
});
