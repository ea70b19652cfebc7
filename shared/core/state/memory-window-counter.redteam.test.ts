import { describe, expect, it } from "vitest";
import type { CountRequest } from "../model/window-counts.js";
import { memoryWindowCounter } from "./memory-window-counter.js";

/**
 * Red team: a window is counted only as "(at - window, at]" of the event being counted, so a
 * burst whose latest event is counted before its earlier ones never reaches the threshold.
 * replay-run sorts a file's records by time (bceef6b), but not across files: see
 * shared/edges/replay/replay-counts.redteam.test.ts for bursts split over regions or files.
 */
const T0 = Date.parse("2024-05-01T12:00:00Z");
const request = (occurrence: string, at: number): CountRequest => ({ key: "k", occurrence, at, windowSeconds: 300, threshold: 10, quietSeconds: 3600 });

describe("red team: memory window counter", () => {
  it("ten events within one minute raise once whatever order they are counted in (here: newest first)", async () => {
    const counter = memoryWindowCounter();
    let raised = 0;
    for (let n = 9; n >= 0; n--) if ((await counter.count([request(`e${n}`, T0 + n * 5000)])).get("k")?.raised) raised++;
    expect(raised).toBe(1);
  });
});
