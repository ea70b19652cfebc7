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
      "CreateIPSet",
      "UpdateIPSet",
      "DeletePublishingDestination",
    ],
  ],
  [
    SECURITY_HUB,
    [
      "DisableSecurityHub",
      "DisassociateFromMasterAccount",
      "DisassociateFromAdministratorAccount",
      "DeleteMembers",
      "DisassociateMembers",
      "BatchDisableStandards",
      "UpdateStandardsControl",
      "BatchUpdateStandardsControlAssociations",
      "DisableImportFindingsForProduct",
      "CreateAutomationRule",
      "BatchUpdateAutomationRules",
    ],
  ],
  [CONFIG, ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"]],
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
    case "UpdateDetector": {
      if (isFalse(parameters.enable)) return disabled(service, detector, "the GuardDuty detector was disabled (enable: false): it stops analysing this region");
      // The detector keeps running, but protections switched off see nothing (S3 data events, runtime, EKS…).
      const off = [...disabledFeatures(parameters.features), ...disabledDataSources(parameters.dataSources)];
      return off.length > 0 ? narrowed(service, detector, [`GuardDuty protection(s) switched off: ${summarise(off)}`]) : undefined;
    }
    case "CreateIPSet":
    case "UpdateIPSet": {
      const list = stringOf(parameters.name) ?? stringOf(parameters.ipSetId);
      return suppressed(service, list ? `trusted IP list ${quoted(list)}` : detector, [
        `trusted IP list ${list ? `${quoted(list)} ` : ""}${eventName === "CreateIPSet" ? "created" : "updated"}: GuardDuty raises no findings for traffic from the addresses on it`,
      ]);
    }
    case "DeletePublishingDestination":
      return suppressed(service, detector, ["a GuardDuty publishing destination was deleted: findings are no longer exported to S3"]);
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
    case "UpdateStandardsControl":
      if (String(parameters.ControlStatus ?? parameters.controlStatus).toUpperCase() !== "DISABLED") return undefined;
      return narrowed(service, undefined, [`control ${quoted(stringOf(parameters.StandardsControlArn ?? parameters.standardsControlArn) ?? "(not recorded)", 200)} disabled: it stops checking this account`]);
    case "BatchUpdateStandardsControlAssociations": {
      const updates = Array.isArray(parameters.StandardsControlAssociationUpdates) ? parameters.StandardsControlAssociationUpdates : [];
      const off = updates.filter((update) => isPlainObject(update) && String(update.AssociationStatus).toUpperCase() === "DISABLED").map((update) => stringOf((update as Record<string, unknown>).SecurityControlId) ?? "(control not recorded)");
      return off.length > 0 ? narrowed(service, undefined, [`control(s) disabled: ${summarise(off)}; they stop checking this account`]) : undefined;
    }
    case "DisableImportFindingsForProduct":
      return suppressed(service, undefined, [`findings from ${quoted(stringOf(parameters.ProductSubscriptionArn ?? parameters.productSubscriptionArn) ?? "a product (not recorded)", 200)} are no longer imported: that detector's findings stop reaching Security Hub`]);
    case "CreateAutomationRule":
    case "BatchUpdateAutomationRules":
      // An automation rule that sets a finding's workflow status to SUPPRESSED hides every finding it matches.
      return JSON.stringify(parameters).toUpperCase().includes('"SUPPRESSED"')
        ? suppressed(service, undefined, [`automation rule ${eventName === "CreateAutomationRule" ? "created" : "updated"} that marks matching findings SUPPRESSED: they leave the active view as they arrive`])
        : undefined;
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
    case "PutDeliveryChannel": {
      // Where configuration history and snapshots go (CIS CloudWatch.9): a bucket name says
      // nothing about its owner, so any change is shown for a person to check, at medium.
      const channel = isPlainObject(parameters.deliveryChannel) ? parameters.deliveryChannel : {};
      const bucket = stringOf(channel.s3BucketName);
      const prefix = stringOf(channel.s3KeyPrefix);
      const topic = stringOf(channel.snsTopicARN);
      const frequency = isPlainObject(channel.configSnapshotDeliveryProperties) ? stringOf(channel.configSnapshotDeliveryProperties.deliveryFrequency) : undefined;
      return {
        severity: "medium",
        signal: "security-coverage-narrowed",
        title: "Config delivery channel changed",
        service,
        resource: named("delivery channel", channel.name),
        reasons: [
          `configuration history and snapshots now go to bucket ${quoted(bucket)}${prefix ? ` (prefix ${quoted(prefix)})` : ""}: check the bucket is this organisation's and the old one still receives nothing it should`,
          ...(topic ? [`notifications to ${quoted(topic)}`] : []),
          ...(frequency ? [`snapshots ${quoted(frequency)}`] : []),
        ],
      };
    }
    case "PutConfigurationRecorder": {
      // CloudTrail records the request as { configurationRecorder: { name, roleARN, recordingGroup } }.
      const recorder = isPlainObject(parameters.configurationRecorder) ? parameters.configurationRecorder : {};
      const group = isPlainObject(recorder.recordingGroup) ? recorder.recordingGroup : isPlainObject(parameters.recordingGroup) ? parameters.recordingGroup : undefined;
      // No recording group records every supported resource type (continuously, unless a recording mode says otherwise).
      const reasons: string[] = [];
      if (group !== undefined) {
        const only = listOf(group.resourceTypes);
        const excluded = isPlainObject(group.exclusionByResourceTypes) ? listOf(group.exclusionByResourceTypes.resourceTypes) : [];
        const strategy = isPlainObject(group.recordingStrategy) ? stringOf(group.recordingStrategy.useOnly) : undefined;
        if (isFalse(group.allSupported) || excluded.length > 0 || only.length > 0 || (strategy !== undefined && strategy.toUpperCase() !== "ALL_SUPPORTED_RESOURCE_TYPES")) {
          reasons.push(`the Config recorder no longer records all supported resource types${strategy ? ` (recording strategy ${quoted(strategy)})` : isFalse(group.allSupported) ? " (allSupported: false)" : ""}`);
          if (excluded.length > 0) reasons.push(`resource types excluded: ${summarise(excluded)}`);
          else if (only.length > 0) reasons.push(`only these resource types are recorded: ${summarise(only)}`);
        }
        if (isFalse(group.includeGlobalResourceTypes) && !isFalse(group.allSupported) && only.length === 0) reasons.push("global resource types (IAM users, roles, policies) are no longer recorded (includeGlobalResourceTypes: false)");
      }
      const mode = isPlainObject(recorder.recordingMode) ? stringOf(recorder.recordingMode.recordingFrequency) : undefined;
      if (mode !== undefined && mode.toUpperCase() !== "CONTINUOUS") reasons.push(`changes are recorded ${quoted(mode)} rather than continuously: a change undone within the period is never seen`);
      return reasons.length > 0 ? narrowed(service, named("recorder", recorder.name), reasons) : undefined;
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

/** GuardDuty features (`[{ name, status }]`) switched off, by name. */
function disabledFeatures(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((feature) => isPlainObject(feature) && String(feature.status).toUpperCase() === "DISABLED").map((feature) => stringOf((feature as Record<string, unknown>).name) ?? "(feature not recorded)");
}

/** GuardDuty's older data-source switches (`{ s3Logs: { enable: false }, kubernetes: { auditLogs: { enable: false } } … }`), by path. */
function disabledDataSources(value: unknown, path = "dataSources", depth = 0): string[] {
  if (!isPlainObject(value) || depth > 4) return [];
  if (isFalse(value.enable)) return [path];
  return Object.entries(value).flatMap(([key, inner]) => disabledDataSources(inner, `${path}.${key}`, depth + 1));
}

function isArchive(value: unknown): boolean {
  return typeof value === "string" && value.toUpperCase() === "ARCHIVE";
}
