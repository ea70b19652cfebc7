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
  /** Distinct events under the key in the fullest window that holds this one (`peakWindowCount`), this one included. */
  readonly count: number;
  /** count >= threshold (this event completes a burst, whenever it was read), and the key is not quiet: the rule may fire. */
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

/**
 * The count an event answers with: the most events any window holding it holds, over the
 * windows (end - window, end] for every end from `at` up to (not including) `at + window`.
 * Not only the window ending at the event: events arrive out of time order (replay reads
 * CloudTrail files in path order, a region's folder before another's; Lambda counts events of
 * one burst concurrently), and the late-read event that completes a burst must still raise it.
 * `times` ascending. Cheap: past the event it looks at fewer than `threshold` events (or, when
 * there are more, the window ending at the last of them already holds at least that many).
 */
export function peakWindowCount(times: readonly number[], at: number, windowMs: number, threshold: number): number {
  const endingAt = (end: number) => firstAfter(times, end) - firstAfter(times, end - windowMs);
  let peak = endingAt(at);
  const from = firstAfter(times, at);
  const to = firstAtOrAfter(times, at + windowMs);
  if (to - from >= threshold) return Math.max(peak, endingAt(times[to - 1] as number));
  for (let index = from; index < to; index++) peak = Math.max(peak, endingAt(times[index] as number));
  return peak;
}

/** Index of the first time later than `at` in ascending `times`. */
export function firstAfter(times: readonly number[], at: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

function firstAtOrAfter(times: readonly number[], at: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) < at) low = middle + 1;
    else high = middle;
  }
  return low;
}
