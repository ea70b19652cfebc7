import { parseAssumedRoleArn, parseFederatedUserArn, parseIamPrincipalArn, parseRootArn } from "../arn/arn.js";
import type { Finding } from "../model/finding.js";
import { type Severity, maxSeverity, severityRank } from "../model/severity.js";
import type { AlertKind, IncidentEntry, IncidentView } from "./alert.js";

/**
 * One incident per attack, not one page per finding. Findings by the same principal form an
 * incident while they keep coming within `windowSeconds` of each other (and the incident is
 * younger than `maxSeconds`): its first event pages, later ones update it (same id, the timeline
 * grows) unless their severity is above every severity that already paged, which pages again.
 *
 * The state transition is pure (`advanceIncident`); where the state lives is an edge: DynamoDB
 * in Lambda (`shared/edges/aws/incident-store.ts`, shared by every function, so the root monitor
 * and the responder judging the same root call page once), memory in replay
 * (`shared/core/state/memory-incident-tracker.ts`). Both pass one contract test.
 *
 * Time is the events' own (CloudTrail's eventTime): replay groups a backtest as Lambda grouped it
 * live, and out-of-order delivery joins the incident it belongs to.
 */
export interface IncidentPolicy {
  readonly windowSeconds: number;
  readonly maxSeconds: number;
  /** Timeline entries kept (the first, and the latest `timelineMax - 1`). */
  readonly timelineMax: number;
}

export const TIMELINE_MAX = 30;

/**
 * Attacks on trailguard itself page every time, whatever paged before: an attacker who opened an
 * incident at critical must not be able to switch trailguard off under it as an "update".
 */
export const ALWAYS_PAGE_RULES: ReadonlySet<string> = new Set(["trailguard-tampering", "trailguard-identity-misuse", "containment-policy-tampering"]);

/** What an event brings to its incident: its time (epoch ms) and its timeline entry (without the kind, which the incident decides). */
export interface IncidentEvent {
  readonly at: number;
  readonly entry: Omit<IncidentEntry, "kind">;
}

/** What is stored per principal. Plain JSON. */
export interface IncidentState {
  readonly id: string;
  readonly key: string;
  readonly openedAt: number;
  readonly lastAt: number;
  readonly highestSeverity: Severity;
  readonly pagedSeverity: Severity;
  readonly events: number;
  readonly timeline: readonly IncidentEntry[];
  readonly omitted: number;
}

export interface IncidentOutcome {
  readonly kind: AlertKind;
  readonly incident: IncidentView;
  /** The same event recorded before (a retry, a redelivery): the kind it had then, nothing changed. */
  readonly repeated: boolean;
}

/** Keeps incidents; throws when its state cannot be read or written (the caller then pages: noise beats silence). */
export interface IncidentTracker {
  record(key: string, event: IncidentEvent): Promise<IncidentOutcome>;
}

/**
 * Who an incident is about: the principal, as IAM names it (account and name, the name without
 * regard to case). A role's sessions are the role (a stolen role is one incident however many
 * sessions it opens); a federated user is the user it was issued to when CloudTrail says, else
 * itself; root is the account's root. A caller CloudTrail does not name (no ARN) is its own
 * incident per access key, or per event when it has none: never merged with someone else's.
 */
export function incidentKeyFor(finding: Finding): string {
  const { actor } = finding;
  const root = parseRootArn(actor.arn);
  if (root || actor.type === "Root") return `root|${root?.account ?? actor.accountId ?? finding.event.account ?? "unknown"}`;
  const issuer = parseIamPrincipalArn(actor.sessionIssuerArn);
  // IAM Identity Center gives every person of a permission set the same role: the session name
  // (set by Identity Center, the person's user name) tells them apart.
  const ssoRole = issuer?.name ?? parseAssumedRoleArn(actor.arn)?.roleName;
  const ssoSession = actor.sessionName ?? parseAssumedRoleArn(actor.arn)?.sessionName;
  if (ssoRole !== undefined && /^AWSReservedSSO_/i.test(ssoRole) && ssoSession !== undefined) {
    const account = issuer?.account ?? parseAssumedRoleArn(actor.arn)?.account ?? "unknown";
    return `sso|${issuer?.partition ?? parseAssumedRoleArn(actor.arn)?.partition ?? "aws"}|${account}|${ssoRole.toLowerCase()}|${ssoSession.toLowerCase()}`;
  }
  if (issuer) return `${issuer.kind}|${issuer.partition}|${issuer.account}|${issuer.name.toLowerCase()}`;
  const principal = parseIamPrincipalArn(actor.arn);
  if (principal) return `${principal.kind}|${principal.partition}|${principal.account}|${principal.name.toLowerCase()}`;
  const session = parseAssumedRoleArn(actor.arn);
  if (session) return `role|${session.partition}|${session.account}|${session.roleName.toLowerCase()}`;
  const federated = parseFederatedUserArn(actor.arn);
  if (federated) return `federated|${federated.partition}|${federated.account}|${federated.name.toLowerCase()}`;
  if (actor.type === "AWSService" && actor.invokedBy) return `service|${finding.event.account ?? "unknown"}|${actor.invokedBy.toLowerCase().slice(0, 128)}`;
  if (actor.accessKeyId) return `key|${actor.accessKeyId.slice(0, 128)}`;
  return `event|${finding.eventId.slice(0, 256)}`;
}

/** "TG-" and 12 hex digits from the key and the opening event: the same in replay and Lambda, never random. */
export function incidentIdFor(key: string, openingEventId: string): string {
  const text = `${key}\n${openingEventId}`;
  return `TG-${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x01000193).slice(0, 4)}`;
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** The next state of a principal's incident after one event, and whether the event pages. */
export function advanceIncident(
  previous: IncidentState | undefined,
  key: string,
  event: IncidentEvent,
  policy: IncidentPolicy,
): { state: IncidentState; outcome: IncidentOutcome } {
  const repeat = previous && sameEvent(previous, event);
  if (previous && repeat) return { state: previous, outcome: { kind: repeat.kind, incident: viewOf(previous), repeated: true } };
  if (!previous || !belongs(previous, event.at, policy)) {
    const entry: IncidentEntry = { ...event.entry, kind: "page" };
    const state: IncidentState = {
      id: incidentIdFor(key, event.entry.eventId),
      key,
      openedAt: event.at,
      lastAt: event.at,
      highestSeverity: entry.severity,
      pagedSeverity: entry.severity,
      events: 1,
      timeline: [entry],
      omitted: 0,
    };
    return { state, outcome: { kind: "page", incident: viewOf(state), repeated: false } };
  }
  const attacksTrailguard = event.entry.ruleIds.some((ruleId) => ALWAYS_PAGE_RULES.has(ruleId)) && severityRank(event.entry.severity) >= severityRank("high");
  const kind: AlertKind = attacksTrailguard || severityRank(event.entry.severity) > severityRank(previous.pagedSeverity) ? "page" : "update";
  const entry: IncidentEntry = { ...event.entry, kind };
  const bounded = boundTimeline([...previous.timeline, entry], policy.timelineMax);
  const state: IncidentState = {
    ...previous,
    openedAt: Math.min(previous.openedAt, event.at),
    lastAt: Math.max(previous.lastAt, event.at),
    highestSeverity: maxSeverity(previous.highestSeverity, entry.severity),
    pagedSeverity: kind === "page" ? entry.severity : previous.pagedSeverity,
    events: previous.events + 1,
    timeline: bounded.timeline,
    omitted: previous.omitted + bounded.dropped,
  };
  return { state, outcome: { kind, incident: viewOf(state), repeated: false } };
}

/** Within the window of the incident's events on either side, and the incident not too old. */
function belongs(state: IncidentState, at: number, policy: IncidentPolicy): boolean {
  const window = policy.windowSeconds * 1000;
  if (at > state.lastAt + window || at < state.openedAt - window) return false;
  return Math.max(state.lastAt, at) - Math.min(state.openedAt, at) <= policy.maxSeconds * 1000;
}

/** The same event already recorded (same event id, and every finding of it already counted). */
function sameEvent(state: IncidentState, event: IncidentEvent): IncidentEntry | undefined {
  return state.timeline.find(
    (entry) =>
      entry.eventId === event.entry.eventId &&
      (entry.eventKey ?? entry.eventId) === (event.entry.eventKey ?? event.entry.eventId) &&
      event.entry.findingIds.every((id) => entry.findingIds.includes(id)),
  );
}

/**
 * Oldest first by event time; bounded by dropping the oldest updates (never the first entry,
 * never a page: a page whose delivery failed must still be recognised when it is retried, and
 * pages are few: one per severity risen to, and attacks on trailguard).
 */
function boundTimeline(entries: readonly IncidentEntry[], max: number): { timeline: IncidentEntry[]; dropped: number } {
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || 0);
  let excess = sorted.length - max;
  if (excess <= 0) return { timeline: sorted, dropped: 0 };
  const kept: IncidentEntry[] = [];
  for (const [index, entry] of sorted.entries()) {
    if (excess > 0 && index > 0 && entry.kind === "update" && index < sorted.length - 1) {
      excess--;
      continue;
    }
    kept.push(entry);
  }
  return { timeline: kept, dropped: sorted.length - kept.length };
}

export function viewOf(state: IncidentState): IncidentView {
  return {
    id: state.id,
    key: state.key,
    openedAt: new Date(state.openedAt).toISOString(),
    lastAt: new Date(state.lastAt).toISOString(),
    highestSeverity: state.highestSeverity,
    pagedSeverity: state.pagedSeverity,
    events: state.events,
    timeline: state.timeline,
    omitted: state.omitted,
  };
}

/**
 * When the event happened, for grouping: CloudTrail's eventTime, or `now` when the record has
 * none that parses (then the event is grouped by when it was judged).
 */
export function eventTimeOf(finding: Finding, now: () => Date): number {
  const at = finding.event.eventTime === undefined ? Number.NaN : Date.parse(finding.event.eventTime);
  return Number.isFinite(at) ? at : now().getTime();
}

/** The incident policy configuration asks for. */
export function incidentPolicy(config: { readonly incidentWindowSeconds: number; readonly incidentMaxSeconds: number }): IncidentPolicy {
  return { windowSeconds: config.incidentWindowSeconds, maxSeconds: config.incidentMaxSeconds, timelineMax: TIMELINE_MAX };
}
