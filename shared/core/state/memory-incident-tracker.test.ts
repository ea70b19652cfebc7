import { describe, expect, it } from "vitest";
import { CONTRACT_POLICY, describeIncidentTracker } from "../../../test/support/incident-tracker-contract.js";
import { memoryIncidentTracker } from "./memory-incident-tracker.js";

describeIncidentTracker("memory", () => memoryIncidentTracker(CONTRACT_POLICY));

describe("the memory incident tracker", () => {
  it("forgets the least recently active principal past its bound, so that principal pages anew", async () => {
    const tracker = memoryIncidentTracker(CONTRACT_POLICY, 2);
    const at = Date.parse("2026-01-01T00:00:00Z");
    const event = (id: string) => ({ at, entry: { at: new Date(at).toISOString(), eventId: id, eventName: "X", findingIds: [`${id}/r`], ruleIds: ["r"], severity: "medium" as const, headline: id } });
    await tracker.record("a", event("a1"));
    await tracker.record("b", event("b1"));
    await tracker.record("c", event("c1"));
    expect((await tracker.record("a", event("a2"))).kind).toBe("page");
    expect((await tracker.record("c", event("c2"))).kind).toBe("update");
    expect(tracker.incidents().map((incident) => incident.key)).toContain("b");
  });
});
