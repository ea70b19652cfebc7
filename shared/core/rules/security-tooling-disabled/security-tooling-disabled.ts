import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { isPlainObject } from "../../cloudtrail/record.js";
import type { Severity } from "../../model/severity.js";
import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { describeActor, outcome } from "../rule-helpers.js";

/**
 * The account's other detectors: GuardDuty, Security Hub, AWS Config, IAM Access Analyzer, and
 * the KMS keys that logs and data depend on. Turning them off, detaching an account from its
 * administrator, or teaching them to archive their own findings is how an intruder blinds
 * everyone but CloudTrail (ATT&CK T1562.001); CloudTrail still records these calls, so they page
 * here. Each event name is judged only with its own event source: the same name in another
 * service (Fraud Detector's `DeleteDetector`, Macie's or Detective's `DeleteMembers`,
 * Inspector's `CreateFilter`) raises nothing.
 */
const GUARDDUTY = "guardduty.amazonaws.com";
const SECURITY_HUB = "securityhub.amazonaws.com";
const CONFIG = "config.amazonaws.com";
const ACCESS_ANALYZER = "access-analyzer.amazonaws.com";
const KMS = "kms.amazonaws.com";

/** Event source to the event names the rule judges in it. A Map: an event source is input, never a property name. */
const WATCHED: ReadonlyMap<string, readonly string[]> = new Map([
  [
    GUARDDUTY,
    [
      "DeleteDetector",
      "UpdateDetector",
      "DisassociateFromMasterAccount",
      "DisassociateFromAdministratorAccount",
      "DeleteMembers",
      "DisassociateMembers",
      "StopMonitoringMembers",
      "CreateFilter",
      "UpdateFilter",
    ],
  ],
  [SECURITY_HUB, ["DisableSecurityHub", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "DeleteMembers", "DisassociateMembers", "BatchDisableStandards"]],
  [CONFIG, ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutConfigurationRecorder"]],
  [ACCESS_ANALYZER, ["DeleteAnalyzer", "CreateArchiveRule", "UpdateArchiveRule"]],
  [KMS, ["DisableKey", "ScheduleKeyDeletion"]],
]);

const SIGNALS = ["security-tool-disabled", "security-member-detached", "security-findings-suppressed", "security-coverage-narrowed", "key-disabled", "key-deletion-scheduled"] as const;
type Signal = (typeof SIGNALS)[number];

export const securityToolingDisabled = defineRule({
  id: "security-tooling-disabled",
  title: "Security tooling disabled or blinded",
  category: "tampering",
  technique: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  runbook:
    "Turn the service back on at once (aws guardduty update-detector --enable, aws securityhub enable-security-hub, aws configservice start-configuration-recorder, re-create the analyzer, re-associate the member with its administrator), delete the archive filter or rule and look through the findings it archived, and for KMS cancel the deletion (aws kms cancel-key-deletion, then enable-key) before the waiting period ends. Then treat the actor as compromised: find what it did while the service was off (CloudTrail, which this rule relies on, still recorded it) and why it needed the detector gone.",
  eventNames: [...new Set([...WATCHED.values()].flat())],
  eventSources: [...WATCHED.keys()],
  failedCallCap: "medium",
  signals: SIGNALS,
  evaluate({ record, actor, event }) {
    if (!WATCHED.get(event.eventSource)?.includes(event.eventName)) return undefined;
    const verdict = judge(event.eventSource, event.eventName, record);
    if (verdict === undefined) return undefined;
    return {
      severity: verdict.severity,
      title: verdict.title,
      summary: `${describeActor(actor)} called ${verdict.service} ${event.eventName}${verdict.resource ? ` on ${verdict.resource}` : ""}: ${outcome(event.failed, event.errorCode)}`,
      whyItMatters: WHY[verdict.signal],
      reasons: verdict.reasons,
      signals: [verdict.signal],
      target: undefined,
    };
  },
});

const WHY: Readonly<Record<Signal, string>> = {
  "security-tool-disabled":
    "GuardDuty, Security Hub, Config and Access Analyzer are the account's other eyes: with one turned off, what the actor does next raises no finding there, and turning them off is what intruders do first.",
  "security-member-detached":
    "An account that leaves its administrator (or is removed by it) no longer sends findings to the security team's view: detection may still run in the account, but nobody watching the administrator sees it.",
  "security-findings-suppressed":
    "Archived findings are hidden from the console and are not sent on (GuardDuty suppressed findings do not reach Security Hub, EventBridge or S3 exports): a rule like this hides whatever matches it, including the actor's own activity.",
  "security-coverage-narrowed":
    "The service still runs but checks less: disabled standards stop their controls, and a recorder limited to some resource types records no changes to the others.",
  "key-disabled":
    "A disabled key can no longer decrypt: data, backups and encrypted logs (CloudTrail, the alert topic) that depend on it are unreadable until it is enabled again.",
  "key-deletion-scheduled":
    "When the waiting period ends the key is deleted for good and everything encrypted under it, data and logs alike, is lost; until then the deletion can be cancelled.",
};

interface Verdict {
  readonly severity: Severity;
  readonly signal: Signal;
  readonly title: string;
  readonly service: string;
  /** The detector, recorder, key… as the request names it, quoted. */
  readonly resource: string | undefined;
  readonly reasons: readonly string[];
}

function judge(source: string, eventName: string, record: CloudTrailRecord): Verdict | undefined {
  const parameters = record.requestParameters ?? {};
  switch (source) {
    case GUARDDUTY:
      return judgeGuardDuty(eventName, parameters);
    case SECURITY_HUB:
      return judgeSecurityHub(eventName, parameters);
    case CONFIG:
      return judgeConfig(eventName, parameters);
    case ACCESS_ANALYZER:
      return judgeAccessAnalyzer(eventName, parameters);
    case KMS:
      return judgeKms(eventName, parameters, record.responseElements ?? {});
    default:
      return undefined;
  }
}

const disabled = (service: string, resource: string | undefined, reason: string): Verdict => ({
  severity: "critical",
  signal: "security-tool-disabled",
  title: `${service} turned off`,
  service,
  resource,
  reasons: [reason],
});
const detached = (service: string, resource: string | undefined, reason: string): Verdict => ({
  severity: "critical",
  signal: "security-member-detached",
  title: `Account removed from ${service} administration`,
  service,
  resource,
  reasons: [reason],
});
const suppressed = (service: string, resource: string | undefined, reasons: string[]): Verdict => ({
  severity: "high",
  signal: "security-findings-suppressed",
  title: `${service} findings suppressed`,
  service,
  resource,
  reasons,
});
const narrowed = (service: string, resource: string | undefined, reasons: string[]): Verdict => ({
  severity: "high",
  signal: "security-coverage-narrowed",
  title: `${service} coverage narrowed`,
  service,
  resource,
  reasons,
});

function judgeGuardDuty(eventName: string, parameters: Record<string, unknown>): Verdict | undefined {
  const service = "GuardDuty";
  const detector = named("detector", parameters.detectorId);
  const members = accountList(parameters.accountIds ?? parameters.AccountIds);
  switch (eventName) {
    case "DeleteDetector":
      return disabled(service, detector, "the GuardDuty detector was deleted: no threat detection in this region, and its findings are gone");
    case "UpdateDetector":
      // Frequency, data sources and features alone leave the detector running.
      return isFalse(parameters.enable) ? disabled(service, detector, "the GuardDuty detector was disabled (enable: false): it stops analysing this region") : undefined;
    case "DisassociateFromMasterAccount":
    case "DisassociateFromAdministratorAccount":
      return detached(service, detector, "this account left its GuardDuty administrator: the administrator no longer sees its findings");
    case "DeleteMembers":
      return detached(service, detector, `GuardDuty member account(s) ${members} deleted from this administrator`);
    case "DisassociateMembers":
      return detached(service, detector, `GuardDuty member account(s) ${members} disassociated from this administrator`);
    case "StopMonitoringMembers":
      return { ...disabled(service, detector, `GuardDuty monitoring stopped for member account(s) ${members}`), title: "GuardDuty turned off for member accounts" };
    case "CreateFilter":
    case "UpdateFilter": {
      if (!isArchive(parameters.action)) return undefined;
      const filter = stringOf(parameters.name) ?? stringOf(parameters.filterName);
      return suppressed(service, filter ? `filter ${quoted(filter)}` : detector, [
        `GuardDuty filter ${filter ? `${quoted(filter)} ` : ""}archives matching findings automatically (action ARCHIVE): they are hidden and no longer sent to Security Hub or EventBridge`,
      ]);
    }
    default:
      return undefined;
  }
}

function judgeSecurityHub(eventName: string, parameters: Record<string, unknown>): Verdict | undefined {
  const service = "Security Hub";
  const members = accountList(parameters.AccountIds ?? parameters.accountIds);
  switch (eventName) {
    case "DisableSecurityHub":
      return disabled(service, undefined, "Security Hub was disabled in this region: its controls stop running, and its findings and settings are deleted after 90 days");
    case "DisassociateFromMasterAccount":
    case "DisassociateFromAdministratorAccount":
      return detached(service, undefined, "this account left its Security Hub administrator: the administrator no longer sees its findings");
    case "DeleteMembers":
      return detached(service, undefined, `Security Hub member account(s) ${members} deleted from this administrator`);
    case "DisassociateMembers":
      return detached(service, undefined, `Security Hub member account(s) ${members} disassociated from this administrator`);
    case "BatchDisableStandards": {
      const standards = listOf(parameters.StandardsSubscriptionArns ?? parameters.standardsSubscriptionArns);
      return narrowed(service, undefined, [`security standard(s) disabled: ${standards.length > 0 ? standards.map((arn) => quoted(arn, 200)).join(", ") : "not recorded"}; their controls stop checking this account`]);
    }
    default:
      return undefined;
  }
}

function judgeConfig(eventName: string, parameters: Record<string, unknown>): Verdict | undefined {
  const service = "Config";
  switch (eventName) {
    case "StopConfigurationRecorder":
      return disabled(service, named("recorder", parameters.configurationRecorderName), "the Config recorder stopped: resource changes are no longer recorded and Config rules stop evaluating them");
    case "DeleteConfigurationRecorder":
      return disabled(service, named("recorder", parameters.configurationRecorderName), "the Config recorder was deleted: resource changes are no longer recorded");
    case "DeleteDeliveryChannel":
      return disabled(service, named("delivery channel", parameters.deliveryChannelName), "the Config delivery channel was deleted: configuration history and snapshots are no longer delivered");
    case "PutConfigurationRecorder": {
      // CloudTrail records the request as { configurationRecorder: { name, roleARN, recordingGroup } }.
      const recorder = isPlainObject(parameters.configurationRecorder) ? parameters.configurationRecorder : {};
      const group = isPlainObject(recorder.recordingGroup) ? recorder.recordingGroup : isPlainObject(parameters.recordingGroup) ? parameters.recordingGroup : undefined;
      // No recording group records every supported resource type.
      if (group === undefined || !isFalse(group.allSupported)) return undefined;
      const only = listOf(group.resourceTypes);
      const excluded = isPlainObject(group.exclusionByResourceTypes) ? listOf(group.exclusionByResourceTypes.resourceTypes) : [];
      const reasons = ["the Config recorder no longer records all supported resource types (allSupported: false)"];
      if (excluded.length > 0) reasons.push(`resource types excluded: ${summarise(excluded)}`);
      else if (only.length > 0) reasons.push(`only these resource types are recorded: ${summarise(only)}`);
      return narrowed(service, named("recorder", recorder.name), reasons);
    }
    default:
      return undefined;
  }
}

function judgeAccessAnalyzer(eventName: string, parameters: Record<string, unknown>): Verdict | undefined {
  const service = "IAM Access Analyzer";
  const analyzer = named("analyzer", parameters.analyzerName);
  switch (eventName) {
    case "DeleteAnalyzer":
      return disabled(service, analyzer, "the Access Analyzer analyzer was deleted: external, unused and public access is no longer reported, and its findings are gone");
    case "CreateArchiveRule":
    case "UpdateArchiveRule": {
      const rule = stringOf(parameters.ruleName);
      return suppressed(service, analyzer, [
        `archive rule ${rule ? `${quoted(rule)} ` : ""}${eventName === "CreateArchiveRule" ? "created" : "updated"}: new findings that match it are archived automatically, hidden from the active view`,
      ]);
    }
    default:
      return undefined;
  }
}

function judgeKms(eventName: string, parameters: Record<string, unknown>, response: Record<string, unknown>): Verdict | undefined {
  const service = "KMS";
  // The request names the key as the caller did (id, ARN or alias); ScheduleKeyDeletion's response has its ARN.
  const requested = stringOf(parameters.keyId);
  const arn = stringOf(response.keyId);
  const shown = arn ?? requested;
  const key = shown ? `key ${quoted(shown, 200)}${requested && arn && !arn.endsWith(requested) ? ` (requested as ${quoted(requested, 200)})` : ""}` : undefined;
  switch (eventName) {
    case "DisableKey":
      return { severity: "high", signal: "key-disabled", title: "KMS key disabled", service, resource: key, reasons: [`${key ?? "a key (not recorded)"} disabled: nothing encrypted under it can be decrypted until it is enabled again`] };
    case "ScheduleKeyDeletion": {
      const days = numberOf(parameters.pendingWindowInDays) ?? numberOf(response.pendingWindowInDays);
      const date = stringOf(response.deletionDate);
      const when = [days !== undefined ? `in ${days} days` : undefined, date ? `on ${quoted(date)}` : undefined].filter((part) => part !== undefined).join(", ");
      return {
        severity: "high",
        signal: "key-deletion-scheduled",
        title: "KMS key scheduled for deletion",
        service,
        resource: key,
        reasons: [`${key ?? "a key (not recorded)"} scheduled for deletion${when ? ` ${when}` : ""}: afterwards everything encrypted under it is lost; cancel-key-deletion stops it until then`],
      };
    }
    default:
      return undefined;
  }
}

function named(kind: string, value: unknown): string | undefined {
  const text = stringOf(value);
  return text ? `${kind} ${quoted(text)}` : undefined;
}

function accountList(value: unknown): string {
  const accounts = listOf(value);
  return accounts.length > 0 ? summarise(accounts) : "(not recorded)";
}

function summarise(values: readonly string[]): string {
  const shown = values.slice(0, 10).map((value) => quoted(value));
  return values.length > shown.length ? `${shown.join(", ")} and ${values.length - shown.length} more` : shown.join(", ");
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d{1,4}$/.test(value)) return Number(value);
  return undefined;
}

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === "string" && value.toLowerCase() === "false");
}

function isArchive(value: unknown): boolean {
  return typeof value === "string" && value.toUpperCase() === "ARCHIVE";
}
