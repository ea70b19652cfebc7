import { type CountRequest, type EventCounts, type WindowCount, type WindowCounter, countsFrom } from "../model/window-counts.js";

/**
 * The window counter in memory: replay's, and the reference the DynamoDB one is tested against
 * (both pass test/support/window-counter-contract.ts). Per key it keeps the events of the last
 * two windows behind the latest one seen (a little out-of-order input still counts) and at most
 * MAX_EVENTS_PER_KEY of them, so memory stays flat however long the replay; times are kept
 * sorted, so a flood of one key costs a binary search per event, not a scan.
 */
export const MAX_EVENTS_PER_KEY = 10_000;

interface KeyState {
  /** Which events are counted: the same event twice counts once. */
  readonly seen: Set<string>;
  /** The counted events, by ascending time. */
  readonly events: Array<{ readonly at: number; readonly occurrence: string }>;
  latest: number;
  holder?: { readonly occurrence: string; readonly until: number };
}

export function memoryWindowCounter(): WindowCounter & { readonly keys: () => number } {
  const state = new Map<string, KeyState>();
  const countOne = (request: CountRequest): WindowCount => {
    let key = state.get(request.key);
    if (!key) {
      key = { seen: new Set(), events: [], latest: request.at };
      state.set(request.key, key);
    }
    const windowMs = request.windowSeconds * 1000;
    if (!key.seen.has(request.occurrence)) {
      key.seen.add(request.occurrence);
      key.events.splice(firstAfter(key.events, request.at), 0, { at: request.at, occurrence: request.occurrence });
    }
    key.latest = Math.max(key.latest, request.at);
    forgetBefore(key, key.latest - 2 * windowMs);
    const count = firstAfter(key.events, request.at) - firstAfter(key.events, request.at - windowMs);
    let raised = false;
    if (count >= request.threshold) {
      const holder = key.holder;
      if (!holder || holder.occurrence === request.occurrence || holder.until <= request.at) {
        key.holder = { occurrence: request.occurrence, until: request.at + request.quietSeconds * 1000 };
        raised = true;
      }
    }
    return { count, raised };
  };
  return {
    count: async (requests: readonly CountRequest[]): Promise<EventCounts> => countsFrom(new Map(requests.map((request) => [request.key, countOne(request)]))),
    keys: () => state.size,
  };
}

/** Index of the first event later than `at` (events ascending by time). */
function firstAfter(events: KeyState["events"], at: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle] as { at: number }).at <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Forgets events older than `before`, and the oldest beyond MAX_EVENTS_PER_KEY. */
function forgetBefore(key: KeyState, before: number): void {
  let drop = 0;
  while (drop < key.events.length && ((key.events[drop] as { at: number }).at < before || key.events.length - drop > MAX_EVENTS_PER_KEY)) drop++;
  for (const { occurrence } of key.events.splice(0, drop)) key.seen.delete(occurrence);
}
