import { parseArn } from "../arn/arn.js";
import { eventFacts } from "../cloudtrail/event-facts.js";
import { carriedRecord, unwrapEvent } from "../cloudtrail/envelope.js";
import { isPlainObject, parseCloudTrailRecord } from "../cloudtrail/record.js";
import type { CloudTrailRecord } from "../cloudtrail/record.js";
import { type EventLookups, NO_LOOKUPS } from "../model/lookups.js";
import { grantScope } from "../iam/grant-scope.js";
import { analysePermissions } from "../iam/permission-analysis.js";
import { parsePolicyDocument } from "../iam/policy-document.js";

/**
 * Customer-managed policy documents as replay saw them: created (CreatePolicy,
 * CreatePolicyVersion) and made default (CreatePolicyVersion with setAsDefault,
 * SetDefaultPolicyVersion), so `Attach*Policy` and `SetDefaultPolicyVersion` later in the same
 * input are judged by the document that was default at the time of the call, as the responder
 * judges them live by reading IAM. Only successful calls teach it, and only about policies of
 * the account that recorded the call. A policy created before the input began is unknown, as
 * before: the rule says so. Bounded: at most MAX_POLICIES policies, the oldest forgotten first.
 */
export const POLICY_MEMORY_EVENTS: ReadonlySet<string> = new Set(["CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion"]);
export const MAX_POLICIES = 20_000;
/** Policies forgotten past MAX_POLICIES are remembered as forgotten (an ARN each), up to this many. */
export const MAX_FORGOTTEN = 500_000;
/** Versions kept per policy (IAM keeps five; a create-and-delete loop makes any number), the oldest dropped first. */
export const MAX_VERSIONS = 16;
/** IAM's limit for a managed policy document, whitespace aside: kept minified, anything longer is not a real one. */
const MAX_DOCUMENT_CHARS = 6_144;

interface PolicyHistory {
  /** When the policy was created (again: a name can be deleted and reused), as seen. */
  readonly births: number[];
  /** Versions created, with their documents (undefined: CloudTrail did not record it) and times (ids repeat across lives). */
  readonly versions: Array<{ readonly versionId: string; readonly document: string | undefined; readonly at: number }>;
  /** Which version became default when. */
  readonly defaults: Array<{ readonly at: number; readonly versionId: string }>;
  /** Versions were dropped (past MAX_VERSIONS), or the whole policy was forgotten once: a version not found may be one of those. */
  lost: boolean;
}

export interface PolicyMemory {
  /** Is this an event the memory learns from? Cheap, on the raw input (replay's workers ask it of every record they pass on). */
  observes(input: unknown): boolean;
  observe(input: unknown): void;
  /** Answers policy-document lookups as of the event's own time; everything else is not looked up. */
  lookupsAt(input: unknown): EventLookups;
  readonly size: () => number;
}

export function policyMemory(): PolicyMemory {
  const policies = new Map<string, PolicyHistory>();
  // Flushing the memory with many policies must not turn an admin attachment into "never seen".
  const forgotten = new Set<string>();
  // Per account: when a version of a policy CloudTrail did not name (the whole request left out,
  // as for one padded past what CloudTrail records) was made default. Any policy may be it.
  const untraced = new Map<string, number>();
  const historyOf = (account: string, arn: string): PolicyHistory => {
    const id = `${account}|${arn}`;
    let history = policies.get(id);
    if (!history) {
      history = { births: [], versions: [], defaults: [], lost: forgotten.has(id) };
      policies.set(id, history);
      if (policies.size > MAX_POLICIES) {
        const oldest = policies.keys().next().value as string;
        policies.delete(oldest);
        if (forgotten.size < MAX_FORGOTTEN) forgotten.add(oldest);
      }
    }
    return history;
  };
  return {
    observes: (input) => {
      const record = carriedRecord(input);
      return isPlainObject(record) && typeof record.eventName === "string" && POLICY_MEMORY_EVENTS.has(record.eventName) && record.eventSource === "iam.amazonaws.com";
    },
    observe: (input) => {
      const seen = recordOf(input);
      if (!seen) return;
      const { record, account, at } = seen;
      if (record.eventSource !== "iam.amazonaws.com" || !POLICY_MEMORY_EVENTS.has(record.eventName)) return;
      const request = record.requestParameters ?? {};
      const response = record.responseElements ?? {};
      if (record.eventName === "CreatePolicy") {
        const policy = isPlainObject(response.policy) ? response.policy : {};
        const arn = ownPolicyArn(policy.arn, account);
        const document = documentOf(request.policyDocument);
        const versionId = versionIdOf(policy.defaultVersionId ?? "v1");
        if (!arn || !versionId) return;
        const history = historyOf(account, arn);
        history.births.push(at);
        keepVersion(history, { versionId, document, at });
        history.defaults.push({ at, versionId });
      } else if (record.eventName === "CreatePolicyVersion") {
        const arn = ownPolicyArn(request.policyArn, account);
        const version = isPlainObject(response.policyVersion) ? response.policyVersion : {};
        const versionId = versionIdOf(version.versionId);
        const document = documentOf(request.policyDocument);
        if (request.policyArn === undefined && version.isDefaultVersion !== false) {
          untraced.set(account, Math.min(untraced.get(account) ?? at, at));
          return;
        }
        if (!arn || !versionId) return;
        const history = historyOf(account, arn);
        keepVersion(history, { versionId, document, at });
        if (request.setAsDefault === true || request.setAsDefault === "true" || version.isDefaultVersion === true) history.defaults.push({ at, versionId });
      } else {
        const arn = ownPolicyArn(request.policyArn, account);
        const versionId = versionIdOf(request.versionId);
        if (!arn || !versionId) return;
        historyOf(account, arn).defaults.push({ at, versionId });
      }
    },
    lookupsAt: (input) => {
      const seen = recordOf(input, true);
      if (!seen) return NO_LOOKUPS;
      return {
        groupGrants: () => undefined,
        policyDocument: (account, policyArn, versionId) => {
          const id = `${account}|${policyArn}`;
          const history = policies.get(id);
          if (!history) {
            return forgotten.has(id)
              ? { ok: false, unseen: true, reason: `replay saw more than ${MAX_POLICIES} policies created and forgot this one's documents` }
              : undefined;
          }
          const { version, wanted, born, ambiguous } = versionAt(history, seen.at, versionId);
          if (ambiguous) return { ok: false, unseen: true, reason: "the default version was switched within the same second as another switch or as the call (CloudTrail records seconds): which version was in force is not known" };
          const since = untraced.get(account);
          if (since !== undefined && since <= seen.at && (!version || version.at < since) && (versionId === undefined || !version)) {
            return { ok: false, unseen: true, reason: `a policy version CloudTrail did not name the policy of was created at ${new Date(since).toISOString()}: it may be this one` };
          }
          if (!version) {
            // Named or made default, yet never seen created in a life the memory saw begin (or in a
            // policy it dropped versions of): created out of CloudTrail's sight, not merely before the input.
            if (history.lost) return { ok: false, unseen: true, reason: `replay's memory dropped versions of this policy (more were created than it keeps, or more policies): the version in force at the call may grant anything` };
            if (wanted !== undefined && born) return { ok: false, unseen: true, reason: `${wanted}, the version in force at the call, was not seen created: it may grant anything` };
            return undefined;
          }
          if (version.document === undefined) {
            return { ok: false, unseen: true, reason: `CloudTrail did not record the document of ${version.versionId}, the version in force at the call (too large to record, or left out): it may grant anything` };
          }
          return { ok: true, value: version.document, source: "replay" };
        },
      };
    },
    size: () => policies.size,
  };
}

/**
 * `versionId`, or the version that was default, at `at`: within the policy's
 * life at that time (since its latest creation at or before `at`; a policy created before the
 * input has an unknown start), never from a version created after the call.
 */
function versionAt(history: PolicyHistory, at: number, versionId: string | undefined): { version: PolicyHistory["versions"][number] | undefined; wanted: string | undefined; born: boolean; ambiguous: boolean } {
  let born = Number.NEGATIVE_INFINITY;
  for (const birth of history.births) if (birth <= at && birth > born) born = birth;
  const inLife = (time: number) => time >= born && time <= at;
  let wanted = versionId;
  let ambiguous = false;
  if (wanted === undefined) {
    const changes = history.defaults.filter((change) => inLife(change.at));
    const latestAt = Math.max(...changes.map((change) => change.at));
    // CloudTrail times are to the second and files are not in time order: switches in the same
    // second (or in the call's own second) leave which version was in force unknown.
    const last = new Set(changes.filter((change) => change.at === latestAt).map((change) => change.versionId));
    const before = changes.filter((change) => change.at < latestAt);
    const previous = before.length > 0 ? before.reduce((a, b) => (b.at >= a.at ? b : a)).versionId : undefined;
    const candidates = new Set(last);
    if (latestAt === at && previous !== undefined) candidates.add(previous);
    if (candidates.size > 1) {
      // Each candidate known: the worst of them stands for the call (the harmless one must not
      // vouch for it); any unknown: unseen.
      const known = [...candidates].map((id) => latestVersion(history, id, inLife));
      if (known.every((version) => version?.document !== undefined)) {
        const worst = known.reduce((a, b) => (risk(b?.document) > risk(a?.document) ? b : a));
        return { version: worst, wanted: worst?.versionId, born: born !== Number.NEGATIVE_INFINITY, ambiguous: false };
      }
      ambiguous = true;
    }
    wanted = last.size === 1 ? [...last][0] : undefined;
  }
  return { version: wanted === undefined ? undefined : latestVersion(history, wanted, inLife), wanted, born: born !== Number.NEGATIVE_INFINITY, ambiguous };
}

function latestVersion(history: PolicyHistory, versionId: string, inLife: (time: number) => boolean): PolicyHistory["versions"][number] | undefined {
  let found: PolicyHistory["versions"][number] | undefined;
  for (const version of history.versions) if (version.versionId === versionId && inLife(version.at) && (!found || version.at >= found.at)) found = version;
  return found;
}

/** How much a document grants, to pick the worst of candidates: admin-equivalent, then escalation or unparseable, then the rest, then a narrow grant (grant-scope.ts, rated low). */
function risk(document: string | undefined): number {
  if (document === undefined) return 4;
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) return 3;
  const verdict = analysePermissions(parsed.document);
  return verdict.adminEquivalent ? 4 : verdict.escalationActions.length > 0 ? 3 : grantScope(parsed.document).narrow ? 1 : 2;
}

/** Keeps a version, dropping the oldest past MAX_VERSIONS (and default switches past a few times that). */
function keepVersion(history: PolicyHistory, version: PolicyHistory["versions"][number]): void {
  history.versions.push(version);
  if (history.versions.length > MAX_VERSIONS) {
    let oldest = 0;
    history.versions.forEach((candidate, index) => {
      if (candidate.at < (history.versions[oldest] as { at: number }).at) oldest = index;
    });
    history.versions.splice(oldest, 1);
    history.lost = true;
  }
  if (history.defaults.length > 4 * MAX_VERSIONS) history.defaults.splice(0, history.defaults.length - 4 * MAX_VERSIONS);
  if (history.births.length > MAX_VERSIONS) history.births.splice(0, history.births.length - MAX_VERSIONS);
}

/** A successful call's record, its account and time; failed calls changed nothing, and a record without a time cannot be placed. */
function recordOf(input: unknown, includeFailed = false): { record: CloudTrailRecord; account: string; at: number } | undefined {
  const unwrapped = unwrapEvent(input);
  if (unwrapped.kind !== "record") return undefined;
  const parsed = parseCloudTrailRecord(unwrapped.record);
  if (!parsed.ok) return undefined;
  const event = eventFacts(parsed.record, unwrapped.envelope?.account, unwrapped.envelope?.region);
  const at = event.eventTime ? Date.parse(event.eventTime) : Number.NaN;
  if ((event.failed && !includeFailed) || event.account === undefined || Number.isNaN(at)) return undefined;
  return { record: parsed.record, account: event.account, at };
}

function ownPolicyArn(value: unknown, account: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const arn = parseArn(value);
  return arn?.service === "iam" && arn.account === account && arn.resource.startsWith("policy/") ? value : undefined;
}

function versionIdOf(value: unknown): string | undefined {
  return typeof value === "string" && /^v\d{1,5}$/.test(value) ? value : undefined;
}

/**
 * The document as kept: minified JSON of at most IAM's size (padding costs no memory); undefined
 * (unseen) when missing or larger than IAM accepts. A document that is not JSON is kept as
 * written (the rule says it cannot be analysed), up to the same size.
 */
function documentOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let kept = value;
  try {
    kept = JSON.stringify(JSON.parse(value));
  } catch {
    // Not JSON: kept as written.
  }
  return kept.length <= MAX_DOCUMENT_CHARS ? kept : undefined;
}
