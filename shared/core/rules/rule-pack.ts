import type { Severity } from "../model/severity.js";

/**
 * A rule travels as one pack, one folder under `shared/core/rules/<rule-id>/`:
 *
 * - `<rule-id>.ts`: the rule, code and metadata (a `DetectionRule`);
 * - `<rule-id>.test.ts`: its tests;
 * - `samples/*.json`: EventBridge events it must raise, and benign look-alikes it must not; a
 *   file holds one event, or a JSON array of events: a sequence judged in order with the state
 *   replay keeps (window counts, policies seen), for rules that judge a pattern of events;
 * - `expected-findings.ts`: what each sample yields, exported as `expectations`, judged with
 *   the samples' configuration (`sample-config.ts`: trailguard deployed in the samples' account).
 *
 * `rule-packs.test.ts` checks every pack has all four, that the registry lists exactly the
 * packs, and that every sample yields exactly its expected findings. This file holds the types
 * of `expected-findings.ts`.
 */
export interface ExpectedFinding {
  readonly rule: string;
  readonly severity: Severity;
  /** Every action of the finding, in order, as "type:status". */
  readonly actions: readonly string[];
  /** In a sequence sample (a JSON array of events): the index, from 0, of the event that yields it. Only there. */
  readonly event?: number;
}

/** Sample name (file name without `.json`) to every finding it yields, across all rules (a sequence's: all its events', in order). */
export type SampleExpectations = Readonly<Record<string, readonly ExpectedFinding[]>>;

/** Configuration input, as data (the core's rules do not import the config schema): see sample-config.ts. */
export type SampleConfig = Readonly<Record<string, unknown>>;
