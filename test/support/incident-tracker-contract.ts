import { describe, expect, it } from "vitest";
import type { IncidentEvent, IncidentTracker } from "../../shared/core/alerting/incident.js";
import type { Severity } from "../../shared/core/model/severity.js";

/**
 * The semantics every `IncidentTracker` keeps (shared/core/alerting/incident.ts), as vitest
 * tests: the in-memory tracker (replay) and the DynamoDB store (Lambda) both run it, so a
 * backtest shows the incidents the functions would have paged. `make` gives a fresh tracker
 * with a 1-hour window, a 24-hour maximum and a timeline of at most 5 entries.
 */
export const CONTRACT_POLICY = { windowSeconds: 3600, maxSeconds: 86_400, timelineMax: 5 } as const;

export function describeIncidentTracker(name: string, make: () => Promise<IncidentTracker> | IncidentTracker, options: { timeout?: number } = {}): void {
  const MINUTE = 60_000;
  const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 6 * 3_600_000;
  const timeout = options.timeout ?? 30_000;
  let unique = 0;
  const key = () => `user|aws|111122223333|mallory-${process.pid}-${++unique}-${Math.floor(Math.random() * 1e9)}`;
  const event = (eventId: string, at: number, severity: Severity, findingIds = [`${eventId}/rule-a`]): IncidentEvent => ({
    at,
    entry: {
      at: new Date(at).toISOString(),
      eventId,
      eventName: "AttachUserPolicy",
      findingIds,
      ruleIds: findingIds.map((id) => id.split("/")[1] ?? "rule"),
      severity,
      headline: `mallory did ${eventId}`,
    },
  });

  describe(`${name}: the incident tracker contract`, () => {
    it("the first finding of a principal pages; later ones within the window update the same incident", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const first = await tracker.record(k, event("e1", T0, "medium"));
      const second = await tracker.record(k, event("e2", T0 + 10 * MINUTE, "medium"));
      const third = await tracker.record(k, event("e3", T0 + 50 * MINUTE, "low"));
      expect([first.kind, second.kind, third.kind]).toEqual(["page", "update", "update"]);
      expect(second.incident.id).toBe(first.incident.id);
      expect(third.incident.id).toBe(first.incident.id);
      expect(first.incident.id).toMatch(/^TG-[0-9a-f]{12}$/);
      expect(third.incident.events).toBe(3);
      expect(third.incident.timeline.map((entry) => [entry.eventId, entry.kind])).toEqual([
        ["e1", "page"],
        ["e2", "update"],
        ["e3", "update"],
      ]);
      expect(third.incident.openedAt).toBe(new Date(T0).toISOString());
      expect(third.incident.lastAt).toBe(new Date(T0 + 50 * MINUTE).toISOString());
    });

    it("pages again when the severity rises above everything that paged, and only then", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const kinds = [];
      for (const [index, severity] of (["medium", "high", "high", "medium", "critical", "critical"] as const).entries()) {
        kinds.push((await tracker.record(k, event(`r${index}`, T0 + index * MINUTE, severity))).kind);
      }
      expect(kinds).toEqual(["page", "page", "update", "update", "page", "update"]);
      const last = await tracker.record(k, event("r9", T0 + 9 * MINUTE, "low"));
      expect(last.incident.pagedSeverity).toBe("critical");
      expect(last.incident.highestSeverity).toBe("critical");
    });

    it("a finding after the window opens a new incident, which pages", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const first = await tracker.record(k, event("w1", T0, "high"));
      const later = await tracker.record(k, event("w2", T0 + 61 * MINUTE, "medium"));
      expect(later.kind).toBe("page");
      expect(later.incident.id).not.toBe(first.incident.id);
      expect(later.incident.events).toBe(1);
    });

    it("an incident kept alive by a trickle still closes at its maximum age", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      let outcome = await tracker.record(k, event("t0", T0 - 30 * 3_600_000, "medium"));
      const id = outcome.incident.id;
      let closedAt = 0;
      for (let hour = 1; hour <= 30; hour++) {
        outcome = await tracker.record(k, event(`t${hour}`, T0 - 30 * 3_600_000 + hour * 55 * MINUTE, "medium"));
        closedAt = hour;
        if (outcome.incident.id !== id) break;
      }
      expect(outcome.incident.id).not.toBe(id);
      // 26 steps of 55 minutes is 23.8 hours, still inside; the 27th is past 24.
      expect(closedAt).toBe(27);
      expect(outcome.kind).toBe("page");
    });

    it("the same event recorded again (a retry) gets the kind it had, and changes nothing", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const first = await tracker.record(k, event("p1", T0, "high"));
      const retry = await tracker.record(k, event("p1", T0, "high"));
      expect(retry.kind).toBe("page");
      expect(retry.repeated).toBe(true);
      expect(first.repeated).toBe(false);
      const next = await tracker.record(k, event("p2", T0 + MINUTE, "high"));
      expect(next.incident.events).toBe(2);
    });

    it("a record reusing a real event's id with other content is another event: it cannot pass for the real one's page", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      await tracker.record(k, event("open", T0, "medium"));
      const forged = await tracker.record(k, { ...event("real", T0 + MINUTE, "medium"), entry: { ...event("real", T0 + MINUTE, "medium").entry, eventKey: "real#forged" } });
      expect(forged.kind).toBe("update");
      const real = await tracker.record(k, { ...event("real", T0 + MINUTE, "critical"), entry: { ...event("real", T0 + MINUTE, "critical").entry, eventKey: "real#genuine" } });
      expect(real.repeated).toBe(false);
      expect(real.kind).toBe("page");
    });

    it("another function's findings on the same event join the incident (one page between them)", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const root = await tracker.record(k, event("root-key", T0, "critical", ["root-key/root-activity"]));
      const responder = await tracker.record(k, event("root-key", T0, "critical", ["root-key/access-key-created"]));
      expect([root.kind, responder.kind]).toEqual(["page", "update"]);
      expect(responder.repeated).toBe(false);
    });

    it("principals are independent", { timeout }, async () => {
      const tracker = await make();
      const a = await tracker.record(key(), event("i1", T0, "medium"));
      const b = await tracker.record(key(), event("i2", T0, "medium"));
      expect([a.kind, b.kind]).toEqual(["page", "page"]);
      expect(a.incident.id).not.toBe(b.incident.id);
    });

    it("an event delivered late, older than the incident's first, joins it", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      await tracker.record(k, event("o2", T0 + 30 * MINUTE, "medium"));
      const late = await tracker.record(k, event("o1", T0, "medium"));
      expect(late.kind).toBe("update");
      expect(late.incident.openedAt).toBe(new Date(T0).toISOString());
      expect(late.incident.timeline.map((entry) => entry.eventId)).toEqual(["o1", "o2"]);
    });

    it("keeps the timeline bounded: the first entry and the latest, the rest counted as omitted", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      let outcome;
      for (let index = 0; index < 9; index++) outcome = await tracker.record(k, event(`b${index}`, T0 + index * MINUTE, "medium"));
      expect(outcome!.incident.timeline.map((entry) => entry.eventId)).toEqual(["b0", "b5", "b6", "b7", "b8"]);
      expect(outcome!.incident.omitted).toBe(4);
      expect(outcome!.incident.events).toBe(9);
    });

    it("concurrent findings of one principal page once", { timeout }, async () => {
      const tracker = await make();
      const k = key();
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, index) => tracker.record(k, event(`c${index}`, T0 + index * 1000, "high"))));
      expect(outcomes.filter((outcome) => outcome.kind === "page")).toHaveLength(1);
      expect(new Set(outcomes.map((outcome) => outcome.incident.id)).size).toBe(1);
      const after = await tracker.record(k, event("c-after", T0 + 10_000, "low"));
      expect(after.incident.events).toBe(7);
    });
  });
}
