import { type IncidentEvent, type IncidentOutcome, type IncidentPolicy, type IncidentState, type IncidentTracker, advanceIncident } from "../alerting/incident.js";

/**
 * Incidents kept in memory: replay's (a backtest shows incidents as Lambda would have paged
 * them) and the fallback of a function without a table. Bounded: past `maxKeys` principals, the
 * incident whose latest event is oldest is forgotten (its principal's next finding pages anew,
 * never silently).
 */
export interface MemoryIncidentTracker extends IncidentTracker {
  /** `record`, synchronously (memory needs no wait): replay's reporter calls it in report order. */
  recordNow(key: string, event: IncidentEvent): IncidentOutcome;
  /** Every incident still held, oldest first: for replay's summary. */
  incidents(): IncidentState[];
}

export function memoryIncidentTracker(policy: IncidentPolicy, maxKeys = 100_000): MemoryIncidentTracker {
  const states = new Map<string, IncidentState>();
  const closed: IncidentState[] = [];
  const recordSync = (key: string, event: IncidentEvent): IncidentOutcome => {
    const previous = states.get(key);
    const { state, outcome } = advanceIncident(previous, key, event, policy);
    if (previous && state.id !== previous.id) closed.push(previous);
    // Re-inserted so the Map's order is least recently touched first.
    states.delete(key);
    states.set(key, state);
    if (states.size > maxKeys) {
      const oldest = states.keys().next().value;
      if (oldest !== undefined) {
        closed.push(states.get(oldest)!);
        states.delete(oldest);
      }
    }
    return outcome;
  };
  return {
    record: async (key, event) => recordSync(key, event),
    recordNow: recordSync,
    incidents: () => [...closed.slice(-maxKeys), ...states.values()].sort((a, b) => a.openedAt - b.openedAt),
  };
}
