import type { Analyser, KnownFacts } from "../engine/analyse.js";
import { NO_LOOKUPS } from "../model/lookups.js";
import type { WindowCounter } from "../model/window-counts.js";
import { memoryWindowCounter } from "./memory-window-counter.js";
import { type PolicyMemory, policyMemory } from "./policy-memory.js";

/**
 * What replay remembers across the events it reads, so rules that need more than one event
 * judge a backtest as they judge live events: the window counts (DynamoDB in Lambda) and the
 * customer-managed policy documents seen created (read from IAM in Lambda). Used by replay's
 * main thread, in input order, and by the rule-pack test for multi-event samples.
 */
export interface ReplayState {
  /** Does the memory learn from this event (a policy created, a version made default...)? Cheap, on the raw input. */
  observes(input: unknown): boolean;
  /** Learns from an event: call, in input order, for every event `observes` accepts (others are ignored). */
  observe(input: unknown): void;
  /** Does the event need state to be judged (counts, lookups)? Cheap: most events do not. */
  needs(input: unknown): boolean;
  /** Counts the event and answers its lookups from memory, as of its own time. */
  knownFor(input: unknown): Promise<KnownFacts>;
}

export function replayState(analyser: Analyser, counter: WindowCounter = memoryWindowCounter(), policies: PolicyMemory = policyMemory()): ReplayState {
  return {
    observes: (input) => policies.observes(input),
    observe: (input) => policies.observe(input),
    needs: (input) => analyser.countsFor(input).length > 0 || analyser.lookupsFor(input).length > 0,
    knownFor: async (input) => {
      const countRequests = analyser.countsFor(input);
      const lookupRequests = analyser.lookupsFor(input);
      return {
        ...(countRequests.length > 0 ? { counts: await counter.count(countRequests) } : {}),
        lookups: lookupRequests.length > 0 ? policies.lookupsAt(input) : NO_LOOKUPS,
      };
    },
  };
}
