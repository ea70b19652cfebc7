import { type CountRequest, type EventCounts, type WindowCount, type WindowCounter, countsFrom, firstAfter, peakWindowCount } from "../model/window-counts.js";

/**
 * The window counter in memory: replay's, and the reference the DynamoDB one is tested against
 * (both pass test/support/window-counter-contract.ts).
 *
 * Replay's input is in path order, which is time order only per account and region (a
 * principal's calls in us-west-2 come after its calls in us-east-1 of a later day), so nothing
 * is forgotten for being older than the latest event seen, an event counts the fullest window
 * that holds it (`peakWindowCount`: the event read last completes the burst, whatever its
 * time), and a quiet period holds on both sides of the event that raised. Memory is bounded
 * instead: at most MAX_EVENTS_PER_KEY per key (those farthest in time from the event being
 * counted go first) and MAX_EVENTS in all (the key touched longest ago goes first). Times are
 * kept sorted, so a flood of one key costs a binary search per event, not a scan.
 */
export const MAX_EVENTS_PER_KEY = 10_000;
export const MAX_EVENTS = 1_000_000;

interface KeyState {
  /** Which events are counted: the same event twice counts once. */
  readonly seen: Set<string>;
  /** The counted events, by ascending time, and their times alone (the same order). */
  readonly events: Array<{ readonly at: number; readonly occurrence: string }>;
  readonly times: number[];
  /** The events that raised, by ascending time. */
  readonly raised: Array<{ readonly at: number; readonly occurrence: string }>;
}

export function memoryWindowCounter(limits: { perKey?: number; total?: number } = {}): WindowCounter & { readonly keys: () => number; readonly events: () => number } {
  const perKey = limits.perKey ?? MAX_EVENTS_PER_KEY;
  const total = limits.total ?? MAX_EVENTS;
  // Map order is recency: a key is moved to the end whenever it is counted.
  const state = new Map<string, KeyState>();
  let held = 0;
  const countOne = (request: CountRequest): WindowCount => {
    let key = state.get(request.key);
    if (key) state.delete(request.key);
    else key = { seen: new Set(), events: [], times: [], raised: [] };
    state.set(request.key, key);
    const windowMs = request.windowSeconds * 1000;
    const quietMs = request.quietSeconds * 1000;
    if (!key.seen.has(request.occurrence)) {
      key.seen.add(request.occurrence);
      const index = firstAfter(key.times, request.at);
      key.events.splice(index, 0, { at: request.at, occurrence: request.occurrence });
      key.times.splice(index, 0, request.at);
      held++;
      held -= trimFarthest(key, request.at, perKey);
      while (held > total && state.size > 1) {
        const [oldest, dropped] = state.entries().next().value as [string, KeyState];
        state.delete(oldest);
        held -= dropped.events.length;
      }
    }
    const count = peakWindowCount(key.times, request.at, windowMs, request.threshold);
    if (count < request.threshold) return { count, raised: false };
    // Raised already by this event (a retry), or quiet: a raise of another event within the quiet period, either side.
    if (key.raised.some((raise) => raise.occurrence === request.occurrence)) return { count, raised: true };
    if (key.raised.some((raise) => Math.abs(raise.at - request.at) < quietMs)) return { count, raised: false };
    key.raised.splice(firstAfter(key.raised.map((raise) => raise.at), request.at), 0, { at: request.at, occurrence: request.occurrence });
    if (key.raised.length > perKey) key.raised.shift();
    return { count, raised: true };
  };
  return {
    count: async (requests: readonly CountRequest[]): Promise<EventCounts> => countsFrom(new Map(requests.map((request) => [request.key, countOne(request)]))),
    keys: () => state.size,
    events: () => held,
  };
}

/** Keeps at most `limit` events, dropping those farthest in time from `at`; returns how many went. */
function trimFarthest(key: KeyState, at: number, limit: number): number {
  let dropped = 0;
  while (key.events.length > limit) {
    const first = key.events[0] as { at: number; occurrence: string };
    const last = key.events[key.events.length - 1] as { at: number; occurrence: string };
    const fromStart = at - first.at >= last.at - at;
    const gone = fromStart ? key.events.shift() : key.events.pop();
    if (fromStart) key.times.shift();
    else key.times.pop();
    if (gone) key.seen.delete(gone.occurrence);
    dropped++;
  }
  return dropped;
}
