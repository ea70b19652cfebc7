import { describe, expect, it } from "vitest";
import type { CountRequest, WindowCount, WindowCounter } from "../../shared/core/model/window-counts.js";

/**
 * The semantics every `WindowCounter` keeps (shared/core/model/window-counts.ts), declared as
 * vitest tests: the in-memory counter (replay) and the DynamoDB one (Lambda) both run it, so a
 * backtest judges bursts as the functions do. `make` gives a fresh, empty counter per test.
 *
 * Times start just before a minute boundary, so windows span time buckets however an
 * implementation cuts them; the base is near the present (a store with TTL keeps the records).
 */
export function describeWindowCounter(name: string, make: () => Promise<WindowCounter> | WindowCounter, options: { timeout?: number } = {}): void {
  const SECOND = 1000;
  const WINDOW = 300;
  const QUIET = 600;
  const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000 + 59_500;
  const timeout = options.timeout ?? 30_000;

  const request = (occurrence: string, at: number, overrides: Partial<CountRequest> = {}): CountRequest => ({
    key: "sign-in-failures|user|111122223333|alice",
    occurrence,
    at,
    windowSeconds: WINDOW,
    threshold: 3,
    quietSeconds: QUIET,
    ...overrides,
  });

  /** Counts one event and returns its answer (which must be there: it was asked for). */
  const one = async (counter: WindowCounter, asked: CountRequest): Promise<WindowCount> => {
    const answer = (await counter.count([asked])).get(asked.key);
    expect(answer, `an answer for ${asked.occurrence}`).toBeDefined();
    return answer as WindowCount;
  };

  describe(`${name}: the window counter contract`, () => {
    it(
      "counts the distinct events in (at - window, at]: the window's start excluded, its end included",
      async () => {
        const counter = await make();
        expect(await one(counter, request("e1", T0))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("e2", T0 + 1))).toEqual({ count: 2, raised: false });
        // Exactly one window later: e1 sits on the excluded start.
        expect(await one(counter, request("e3", T0 + WINDOW * SECOND, { threshold: 10 }))).toEqual({ count: 2, raised: false });
        // One millisecond later: e2 is out too.
        expect(await one(counter, request("e4", T0 + WINDOW * SECOND + 1, { threshold: 10 }))).toEqual({ count: 2, raised: false });
        // Just inside the window of an event one minute later (e3, e4 and itself).
        expect(await one(counter, request("e5", T0 + (WINDOW + 60) * SECOND - 1, { threshold: 10 }))).toEqual({ count: 3, raised: false });
      },
      timeout,
    );

    it(
      "counts the same occurrence once, however often it is asked, and two occurrences at the same time twice",
      async () => {
        const counter = await make();
        expect((await one(counter, request("same", T0))).count).toBe(1);
        expect((await one(counter, request("same", T0))).count).toBe(1);
        expect((await one(counter, request("other", T0 + SECOND))).count).toBe(2);
        // Asked again, it counts the fullest window that holds it: the later event's too.
        expect((await one(counter, request("same", T0))).count).toBe(2);
        expect((await one(counter, request("third", T0 + 2 * SECOND, { threshold: 10 }))).count).toBe(3);
        // Another event at the very same millisecond is another event.
        expect((await one(counter, request("twin", T0 + 2 * SECOND, { threshold: 10 }))).count).toBe(4);
        expect((await one(counter, request("third", T0 + 2 * SECOND, { threshold: 10 }))).count).toBe(4);
      },
      timeout,
    );

    it(
      "does not count events outside the window, before or after it",
      async () => {
        const counter = await make();
        await one(counter, request("old", T0));
        expect(await one(counter, request("older", T0 - WINDOW * SECOND))).toEqual({ count: 1, raised: false });
        // Windows that begin after `old` ended.
        expect(await one(counter, request("between", T0 + 2 * WINDOW * SECOND))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("later", T0 + 10 * WINDOW * SECOND))).toEqual({ count: 1, raised: false });
      },
      timeout,
    );

    it(
      "raises for the first event that reaches the threshold, and for no other in the quiet period",
      async () => {
        const counter = await make();
        expect(await one(counter, request("e1", T0))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("e2", T0 + SECOND))).toEqual({ count: 2, raised: false });
        expect(await one(counter, request("e3", T0 + 2 * SECOND))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("e4", T0 + 3 * SECOND))).toEqual({ count: 4, raised: false });
        expect(await one(counter, request("e5", T0 + 4 * SECOND))).toEqual({ count: 5, raised: false });
        // Later in the quiet period, a burst of its own in the window: still quiet.
        const late = T0 + 2 * SECOND + QUIET * SECOND - 10;
        for (const [index, at] of [late - 2, late - 1].entries()) expect(await one(counter, request(`q${index}`, at)), `q${index}`).toEqual({ count: index + 1, raised: false });
        expect(await one(counter, request("q2", late))).toEqual({ count: 3, raised: false });
      },
      timeout,
    );

    it(
      "raises again for a new burst once the quiet period has ended (its end is free)",
      async () => {
        const counter = await make();
        for (const [index, at] of [T0, T0 + SECOND, T0 + 2 * SECOND].entries()) await one(counter, request(`first${index}`, at));
        const until = T0 + 2 * SECOND + QUIET * SECOND;
        expect(await one(counter, request("b1", until - 3))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("b2", until - 2))).toEqual({ count: 2, raised: false });
        expect(await one(counter, request("b3", until - 1))).toEqual({ count: 3, raised: false });
        expect(await one(counter, request("b4", until))).toEqual({ count: 4, raised: true });
        expect(await one(counter, request("b5", until + 1))).toEqual({ count: 5, raised: false });
        // The new holder's quiet period runs from its own time, not the first holder's.
        const wide = { windowSeconds: 1000 };
        expect(await one(counter, request("b6", until + QUIET * SECOND - 1, wide))).toEqual({ count: 6, raised: false });
        expect(await one(counter, request("b7", until + QUIET * SECOND, wide))).toEqual({ count: 7, raised: true });
      },
      timeout,
    );

    it(
      "raises again for the event that raised when it asks again (a retried delivery), never for another",
      async () => {
        const counter = await make();
        await one(counter, request("e1", T0));
        await one(counter, request("e2", T0 + SECOND));
        expect(await one(counter, request("e3", T0 + 2 * SECOND))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("e3", T0 + 2 * SECOND))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("e4", T0 + 3 * SECOND))).toEqual({ count: 4, raised: false });
        // After another event, the holder's retry still raises (counting the fullest window that holds it), the other's does not.
        expect(await one(counter, request("e3", T0 + 2 * SECOND))).toEqual({ count: 4, raised: true });
        expect(await one(counter, request("e4", T0 + 3 * SECOND))).toEqual({ count: 4, raised: false });
        // An earlier event of the burst asked again: the burst raised already.
        expect(await one(counter, request("e2", T0 + SECOND))).toEqual({ count: 4, raised: false });
      },
      timeout,
    );

    it(
      "keeps keys apart: counts and quiet periods",
      async () => {
        const counter = await make();
        const a = { key: "denied-calls|user|111122223333|alice" };
        const b = { key: "denied-calls|user|111122223333|bob" };
        await one(counter, request("a1", T0, a));
        await one(counter, request("a2", T0 + 1, a));
        expect(await one(counter, request("a3", T0 + 2, a))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("b1", T0 + 3, b))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("b2", T0 + 4, b))).toEqual({ count: 2, raised: false });
        expect(await one(counter, request("b3", T0 + 5, b))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("a4", T0 + 6, a))).toEqual({ count: 4, raised: false });
        // The same occurrence under another key is another event there.
        expect(await one(counter, request("a1", T0 + 7, { key: "other" }))).toEqual({ count: 1, raised: false });
      },
      timeout,
    );

    it(
      "answers several requests in one call, each under its key",
      async () => {
        const counter = await make();
        const keys = ["sign-in|a", "sign-in|b", "sign-in|c"];
        await counter.count(keys.map((key) => request("first", T0, { key })));
        await counter.count([request("second", T0 + 1, { key: "sign-in|a" }), request("second", T0 + 1, { key: "sign-in|b" })]);
        const counts = await counter.count([
          request("third", T0 + 2, { key: "sign-in|a" }),
          request("third", T0 + 2, { key: "sign-in|b", threshold: 5 }),
          request("third", T0 + 2, { key: "sign-in|c" }),
        ]);
        expect(counts.get("sign-in|a")).toEqual({ count: 3, raised: true });
        expect(counts.get("sign-in|b")).toEqual({ count: 3, raised: false });
        expect(counts.get("sign-in|c")).toEqual({ count: 2, raised: false });
        expect(counts.get("sign-in|d")).toBeUndefined();
        expect((await counter.count([])).get("sign-in|a")).toBeUndefined();
      },
      timeout,
    );

    it(
      "counts an earlier event that arrives late in the windows that end after it",
      async () => {
        const counter = await make();
        const settled = { threshold: 10 };
        expect(await one(counter, request("t10", T0 + 10 * SECOND, settled))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("t90", T0 + 90 * SECOND, settled))).toEqual({ count: 2, raised: false });
        // Late: it counts in the windows after it too (t5, t10 and t90 in the one ending at t90).
        expect(await one(counter, request("t5", T0 + 5 * SECOND, settled))).toEqual({ count: 3, raised: false });
        // A minute or more before the others, in an earlier time bucket.
        expect(await one(counter, request("t-70", T0 - 70 * SECOND, settled))).toEqual({ count: 4, raised: false });
        expect(await one(counter, request("t120", T0 + 120 * SECOND, settled))).toEqual({ count: 5, raised: false });
        // And a late one can be the one that raises: it completes the window ending at t120.
        expect(await one(counter, request("t100", T0 + 100 * SECOND, { threshold: 6 }))).toEqual({ count: 6, raised: true });
      },
      timeout,
    );

    it(
      "raises a burst read newest first, once, on the event read last that completes it",
      async () => {
        const counter = await make();
        expect(await one(counter, request("n3", T0 + 3 * SECOND))).toEqual({ count: 1, raised: false });
        expect(await one(counter, request("n2", T0 + 2 * SECOND))).toEqual({ count: 2, raised: false });
        expect(await one(counter, request("n1", T0 + SECOND))).toEqual({ count: 3, raised: true });
        expect(await one(counter, request("n0", T0))).toEqual({ count: 4, raised: false });
      },
      timeout,
    );
  });
}
