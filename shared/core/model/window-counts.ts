/**
 * Events counted over a sliding window, for rules that judge a pattern rather than one call
 * (CIS CloudWatch .2 and .6: bursts of denied calls, repeated sign-in failures). A rule asks
 * by metadata (`counts`): "count this event under this key"; an edge keeps the state (DynamoDB
 * in Lambda, memory in replay, both behind `WindowCounter`) and answers how many events the
 * key holds in the window ending at this one, and whether this event is the one that raises.
 * The rule stays pure: it reads the answer from `RuleInput.counts`.
 */
export interface CountRequest {
  /** What is counted, e.g. `sign-in-failures|user|111122223333|alice`: at most 512 characters. */
  readonly key: string;
  /** This event's identity (the CloudTrail eventID): counting the same event twice counts it once. */
  readonly occurrence: string;
  /** This event's time, epoch milliseconds. */
  readonly at: number;
  /** The window ends at `at` and reaches back this far: (at - window, at]. */
  readonly windowSeconds: number;
  /** Events in the window, this one included, that make a finding. */
  readonly threshold: number;
  /**
   * After a finding, the key stays quiet this long (a burst of a thousand pages once): no other
   * event of the key within `quietSeconds` of one that raised raises. Events counted in time
   * order (Lambda, nearly) see this as "the raising event holds the key until at + quiet"; the
   * memory counter also holds it on the earlier side, for replay's inputs that are in time
   * order only per account and region. The same event asking again (a retry) raises again.
   */
  readonly quietSeconds: number;
}

export interface WindowCount {
  /** Distinct events under the key in (at - window, at], this one included. */
  readonly count: number;
  /** count >= threshold, and this event holds the key's quiet period: the rule may fire. */
  readonly raised: boolean;
}

export interface EventCounts {
  /** undefined: not counted (nothing keeps state here: the rule cannot judge and says nothing). */
  get(key: string): WindowCount | undefined;
}

export const NO_COUNTS: EventCounts = { get: () => undefined };

/** Keeps the counts; both implementations pass the same contract (test/support/window-counter-contract.ts). */
export interface WindowCounter {
  /** Records each request's event under its key and answers for it. Throws when the state cannot be read or written. */
  count(requests: readonly CountRequest[]): Promise<EventCounts>;
}

export const COUNT_KEY_MAX_CHARS = 512;

export function countsFrom(answers: ReadonlyMap<string, WindowCount>): EventCounts {
  return { get: (key) => answers.get(key) };
}
