import { isPlainObject } from "../../cloudtrail/record.js";
import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { describeActor, outcome, requestString } from "../rule-helpers.js";

/**
 * CloudTrail is trailguard's only source: EventBridge receives CloudTrail events only while a
 * trail logs. StopLogging and DeleteTrail blind trailguard (and every other detector) for what
 * comes next, so they must page before that; narrowing what a trail records does the same more
 * quietly. These events are themselves still recorded and delivered.
 */
const CLOUDTRAIL = "cloudtrail.amazonaws.com";

export const cloudTrailTampering = defineRule({
  id: "cloudtrail-tampering",
  title: "CloudTrail logging stopped or narrowed",
  category: "tampering",
  technique: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  runbook:
    "Restart logging at once (aws cloudtrail start-logging --name <trail>) or restore the selectors/trail settings, then treat the actor as compromised: everything it did while the trail was off is invisible to CloudTrail-based detection, so check the resources it could reach by other means (IAM credential report, access keys' last use, Config history). The trailguard heartbeat alarm also fires while no events arrive.",
  eventNames: ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "StopEventDataStoreIngestion", "DeleteEventDataStore"],
  eventSources: [CLOUDTRAIL],
  failedCallCap: "medium",
  signals: ["logging-stopped", "logging-narrowed"],
  evaluate({ record, actor, event }) {
    if (event.eventSource !== CLOUDTRAIL) return undefined;
    const trail = requestString(record, "name") ?? requestString(record, "trailName") ?? requestString(record, "eventDataStore");
    const verdict = judge(event.eventName, record.requestParameters ?? {});
    if (verdict === undefined) return undefined;
    return {
      severity: verdict.severity,
      title: verdict.severity === "critical" ? "CloudTrail logging stopped or blinded" : "CloudTrail logging narrowed",
      summary: `${describeActor(actor)} called ${event.eventName} on ${trail ? quoted(trail) : "a trail"}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters:
        "CloudTrail is how trailguard (and every other detector) sees this account. With logging stopped or narrowed, whatever the actor does next is not recorded and not delivered: this is how attacks begin.",
      reasons: verdict.reasons,
      signals: verdict.severity === "critical" ? ["logging-stopped"] : ["logging-narrowed"],
      target: undefined,
    };
  },
});

interface Verdict {
  readonly severity: Severity;
  readonly reasons: string[];
}

function judge(eventName: string, parameters: Record<string, unknown>): Verdict | undefined {
  switch (eventName) {
    case "StopLogging":
      return { severity: "critical", reasons: ["the trail stopped logging: nothing after this is recorded or delivered to EventBridge"] };
    case "DeleteTrail":
      return { severity: "critical", reasons: ["the trail was deleted"] };
    case "PutEventSelectors":
      return judgeSelectors(parameters);
    case "UpdateTrail":
      return judgeTrailUpdate(parameters);
    case "StopEventDataStoreIngestion":
      return { severity: "high", reasons: ["CloudTrail Lake event data store ingestion stopped"] };
    case "DeleteEventDataStore":
      return { severity: "high", reasons: ["CloudTrail Lake event data store deleted"] };
    default:
      return undefined;
  }
}

function judgeTrailUpdate(parameters: Record<string, unknown>): Verdict {
  const critical: string[] = [];
  const high: string[] = [];
  if (isFalse(parameters.isMultiRegionTrail)) critical.push("the trail no longer records other regions");
  if (isFalse(parameters.includeGlobalServiceEvents)) critical.push("the trail no longer records global service events (IAM, STS, sign-in)");
  if (isFalse(parameters.enableLogFileValidation)) high.push("log file validation turned off: log files can be altered undetected");
  if (typeof parameters.s3BucketName === "string") high.push(`logs now delivered to bucket ${quoted(parameters.s3BucketName)}`);
  if (critical.length > 0) return { severity: "critical", reasons: [...critical, ...high] };
  if (high.length > 0) return { severity: "high", reasons: high };
  return { severity: "medium", reasons: ["trail settings changed"] };
}

/**
 * Basic selectors record management writes when one has includeManagementEvents (default true)
 * and readWriteType All or WriteOnly (default All). Advanced selectors do when one selects
 * eventCategory Management without limiting it to read-only events. Selectors that still record
 * every management write (adding data events, say) raise nothing.
 */
function judgeSelectors(parameters: Record<string, unknown>): Verdict | undefined {
  const basic = parameters.eventSelectors;
  const advanced = parameters.advancedEventSelectors;
  if (Array.isArray(basic)) {
    const selectors = basic.filter(isPlainObject);
    if (selectors.length !== basic.length) return unreadable();
    const writers = selectors.filter((selector) => selector.includeManagementEvents !== false && selector.readWriteType !== "ReadOnly");
    if (writers.length === 0) return { severity: "critical", reasons: ["no event selector records management write events any more"] };
    const excluded = writers.flatMap((selector) => (Array.isArray(selector.excludeManagementEventSources) ? selector.excludeManagementEventSources.map(String) : []));
    if (excluded.length > 0 && writers.every((selector) => Array.isArray(selector.excludeManagementEventSources) && selector.excludeManagementEventSources.length > 0)) {
      return { severity: "high", reasons: [`management events excluded from ${excluded.map((source) => quoted(source)).join(", ")}`] };
    }
    return undefined;
  }
  if (Array.isArray(advanced)) {
    const selectors = advanced.filter(isPlainObject);
    if (selectors.length !== advanced.length) return unreadable();
    let management = false;
    const narrowed: string[] = [];
    for (const selector of selectors) {
      const fields = Array.isArray(selector.fieldSelectors) ? selector.fieldSelectors.filter(isPlainObject) : [];
      const field = (name: string) => fields.find((candidate) => String(candidate.field ?? candidate.Field).toLowerCase() === name.toLowerCase());
      const category = field("eventCategory");
      const equals = (candidate: Record<string, unknown> | undefined) => (candidate && Array.isArray(candidate.equals ?? candidate.Equals) ? ((candidate.equals ?? candidate.Equals) as unknown[]).map(String) : []);
      if (!equals(category).includes("Management")) continue;
      const readOnly = equals(field("readOnly"));
      if (readOnly.length === 1 && readOnly[0] === "true") continue;
      management = true;
      if (field("eventSource")) narrowed.push("management events filtered by event source");
    }
    if (!management) return { severity: "critical", reasons: ["no advanced event selector records management write events any more"] };
    if (narrowed.length > 0) return { severity: "high", reasons: narrowed };
    return undefined;
  }
  return unreadable();
}

function unreadable(): Verdict {
  return { severity: "high", reasons: ["the new event selectors could not be read: check by hand that management events are still recorded"] };
}

function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}
