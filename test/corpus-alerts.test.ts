import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfig } from "../shared/core/config/config.js";
import type { Finding } from "../shared/core/model/finding.js";
import { alertHeadline } from "../shared/core/report/alert-message.js";
import { type AlertDecision, type IncidentReporter, withIncidents } from "../shared/edges/replay/incident-report.js";
import { type ReplayReporter, replaySources } from "../shared/edges/replay/replay-run.js";

/**
 * The on-call's view of the public attack simulation (../shared/corpus): with the defaults, a
 * 45-minute attack must reach them as a handful of incidents, each about the right principal,
 * not a page per finding. Skips cleanly where the corpus is absent.
 */
const corpusDir = join(import.meta.dirname, "..", "..", "shared", "corpus");
const present = existsSync(corpusDir);

function corpusFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? corpusFiles(join(dir, entry.name)) : /\.json(\.gz)?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

async function replayAlerts(config = DEFAULT_CONFIG): Promise<{ decided: Array<{ finding: Finding; alert: AlertDecision }>; reporter: IncidentReporter }> {
  const decided: Array<{ finding: Finding; alert: AlertDecision }> = [];
  const inner: ReplayReporter = {
    finding: (finding, _origin, alert) => {
      if (alert) decided.push({ finding, alert });
    },
    problem: () => undefined,
    end: () => undefined,
  };
  const reporter = withIncidents(inner, config, alertHeadline, { now: () => new Date("2026-11-26T12:00:00Z") });
  await replaySources(corpusFiles(corpusDir).sort().map((path) => ({ kind: "file" as const, path })), reporter, { config, jobs: 1 });
  return { decided, reporter };
}

describe.skipIf(!present)("the public corpus as the on-call receives it (defaults)", () => {
  let decided: Array<{ finding: Finding; alert: AlertDecision }> = [];
  let reporter: IncidentReporter;
  beforeAll(async () => {
    ({ decided, reporter } = await replayAlerts());
  }, 60_000);

  const pages = () => decided.filter(({ alert }) => alert.kind === "page");

  it("pages a handful of times, once per incident unless the severity rose", () => {
    const incidents = reporter.tracker.incidents();
    expect(incidents.length).toBeGreaterThanOrEqual(3);
    expect(incidents.length).toBeLessThanOrEqual(5);
    const pagedEvents = new Set(pages().map(({ finding }) => finding.eventId));
    expect(pagedEvents.size).toBeLessThanOrEqual(6);
    // Each incident paged once per severity it rose to, never twice at one severity. (Replay reads
    // files in path order, so the page may come from an event later in time than the first.)
    for (const incident of incidents) {
      const paged = incident.timeline.filter((entry) => entry.kind === "page").map((entry) => entry.severity);
      expect(paged.length, incident.id).toBeGreaterThanOrEqual(1);
      expect(new Set(paged).size, incident.id).toBe(paged.length);
      expect(paged, incident.id).toContain(incident.highestSeverity);
    }
  });

  it("groups the operator's whole campaign into one incident that reached critical", () => {
    const operator = reporter.tracker.incidents().filter((incident) => incident.key.endsWith("|bert-jan"));
    expect(operator).toHaveLength(1);
    expect(operator[0]!.highestSeverity).toBe("critical");
    expect(operator[0]!.events).toBeGreaterThan(20);
    const operatorFindings = decided.filter(({ finding }) => finding.actor.arn?.endsWith(":user/bert-jan"));
    const told = operatorFindings.filter(({ alert }) => alert.kind === "page" || alert.kind === "update");
    expect(new Set(told.map(({ alert }) => (alert as { incidentId: string }).incidentId))).toEqual(new Set([operator[0]!.id]));
  });

  it("keeps each stolen role and the backdoor user as their own incidents, about the right principal", () => {
    const keys = reporter.tracker.incidents().map((incident) => incident.key).sort();
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^role\|aws\|\d{12}\|stratus-red-team-ec2-get-password-data-role$/),
        expect.stringMatching(/^role\|aws\|\d{12}\|stratus-red-team-get-usr-data-role$/),
        expect.stringMatching(/^user\|aws\|\d{12}\|stratus-red-team-nmfalu-gfjyeaypjt$/),
      ]),
    );
  });

  it("suppressing the operator silences their incident but acts and counts the same", async () => {
    const config = parseConfig(
      { suppressions: [{ id: "red-team", reason: "the scheduled red-team exercise", expires: "2099-01-01", actors: ["arn:aws:iam::*:user/bert-jan"], maxSeverity: "critical" }] },
      "test",
    );
    const muted = await replayAlerts(config);
    expect(muted.decided.length).toBe(decided.length);
    expect(muted.reporter.tracker.incidents().some((incident) => incident.key.endsWith("|bert-jan"))).toBe(false);
    const suppressed = muted.decided.filter(({ alert }) => alert.kind === "suppressed");
    expect(suppressed.length).toBe(decided.filter(({ finding, alert }) => finding.actor.arn?.endsWith(":user/bert-jan") && alert.kind !== "not-alerted").length);
    expect(muted.decided.map(({ finding }) => finding.actions)).toEqual(decided.map(({ finding }) => finding.actions));
  }, 60_000);
});
