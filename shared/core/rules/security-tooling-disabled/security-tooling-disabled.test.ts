import { describe, expect, it } from "vitest";
import { type Json, analyse, assumedRole, cloudTrailRecord, eventBridge, findingsOf, iamUser } from "../../../../test/support/records.js";
import { KEY, SELF_CONFIG } from "../../../../test/support/self-config.js";
import { callRouting, renderPatterns } from "../../stack/event-patterns.js";
import { IAM_RULES, ROOT_MONITOR_RULES, TAMPER_RULES } from "../registry.js";
import { securityToolingDisabled } from "./security-tooling-disabled.js";

/**
 * T1562.001: GuardDuty, Security Hub, Config, Access Analyzer turned off or told to archive
 * their findings, accounts leaving their administrator, KMS keys disabled or deleted. Each
 * event name only from its own service; alert only.
 */
const RULE = "security-tooling-disabled";
const GUARDDUTY = "guardduty.amazonaws.com";
const SECURITY_HUB = "securityhub.amazonaws.com";
const CONFIG = "config.amazonaws.com";
const ACCESS_ANALYZER = "access-analyzer.amazonaws.com";
const KMS = "kms.amazonaws.com";
const admin = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });
const DETECTOR = "b2c6a1f0e4d3c2b1a0f9e8d7c6b5a4f3";
const OTHER_KEY = "7f3e9c21-4b8a-4d5e-9f10-2a6b3c4d5e6f";

function call(eventSource: string, eventName: string, requestParameters: Json | null, extra: Json = {}): Json {
  return cloudTrailRecord({ eventSource, eventName, requestParameters, userIdentity: admin, awsRegion: "eu-west-1", ...extra });
}
const finding = (record: Json, config: Json = SELF_CONFIG) => findingsOf(analyse(record, config)).find((candidate) => candidate.ruleId === RULE);
const verdict = (record: Json) => {
  const found = finding(record);
  return found && [found.severity, ...found.signals];
};

describe("security tooling disabled: every watched call", () => {
  it.each<[string, Json, [string, string]]>([
    ["GuardDuty DeleteDetector", call(GUARDDUTY, "DeleteDetector", { detectorId: DETECTOR }), ["critical", "security-tool-disabled"]],
    ["GuardDuty UpdateDetector enable false", call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, enable: false }), ["critical", "security-tool-disabled"]],
    ["GuardDuty DisassociateFromMasterAccount", call(GUARDDUTY, "DisassociateFromMasterAccount", { detectorId: DETECTOR }), ["critical", "security-member-detached"]],
    ["GuardDuty DisassociateFromAdministratorAccount", call(GUARDDUTY, "DisassociateFromAdministratorAccount", { detectorId: DETECTOR }), ["critical", "security-member-detached"]],
    ["GuardDuty DeleteMembers", call(GUARDDUTY, "DeleteMembers", { detectorId: DETECTOR, accountIds: ["444455556666"] }), ["critical", "security-member-detached"]],
    ["GuardDuty DisassociateMembers", call(GUARDDUTY, "DisassociateMembers", { detectorId: DETECTOR, accountIds: ["444455556666"] }), ["critical", "security-member-detached"]],
    ["GuardDuty StopMonitoringMembers", call(GUARDDUTY, "StopMonitoringMembers", { detectorId: DETECTOR, accountIds: ["444455556666"] }), ["critical", "security-tool-disabled"]],
    ["GuardDuty CreateFilter ARCHIVE", call(GUARDDUTY, "CreateFilter", { detectorId: DETECTOR, name: "noise", action: "ARCHIVE", findingCriteria: { criterion: {} } }), ["high", "security-findings-suppressed"]],
    ["GuardDuty UpdateFilter ARCHIVE", call(GUARDDUTY, "UpdateFilter", { detectorId: DETECTOR, filterName: "noise", action: "ARCHIVE" }), ["high", "security-findings-suppressed"]],
    ["Security Hub DisableSecurityHub", call(SECURITY_HUB, "DisableSecurityHub", null), ["critical", "security-tool-disabled"]],
    ["Security Hub DisassociateFromMasterAccount", call(SECURITY_HUB, "DisassociateFromMasterAccount", null), ["critical", "security-member-detached"]],
    ["Security Hub DisassociateFromAdministratorAccount", call(SECURITY_HUB, "DisassociateFromAdministratorAccount", null), ["critical", "security-member-detached"]],
    ["Security Hub DeleteMembers", call(SECURITY_HUB, "DeleteMembers", { AccountIds: ["444455556666"] }), ["critical", "security-member-detached"]],
    ["Security Hub DisassociateMembers", call(SECURITY_HUB, "DisassociateMembers", { AccountIds: ["444455556666"] }), ["critical", "security-member-detached"]],
    [
      "Security Hub BatchDisableStandards",
      call(SECURITY_HUB, "BatchDisableStandards", { StandardsSubscriptionArns: ["arn:aws:securityhub:eu-west-1:111122223333:subscription/cis-aws-foundations-benchmark/v/1.4.0"] }),
      ["high", "security-coverage-narrowed"],
    ],
    ["Config StopConfigurationRecorder", call(CONFIG, "StopConfigurationRecorder", { configurationRecorderName: "default" }), ["critical", "security-tool-disabled"]],
    ["Config DeleteConfigurationRecorder", call(CONFIG, "DeleteConfigurationRecorder", { configurationRecorderName: "default" }), ["critical", "security-tool-disabled"]],
    ["Config DeleteDeliveryChannel", call(CONFIG, "DeleteDeliveryChannel", { deliveryChannelName: "default" }), ["critical", "security-tool-disabled"]],
    ["Config PutDeliveryChannel (CIS CloudWatch.9)", call(CONFIG, "PutDeliveryChannel", { deliveryChannel: { name: "default", s3BucketName: "config-history-elsewhere" } }), ["medium", "security-coverage-narrowed"]],
    [
      "Config PutConfigurationRecorder allSupported false",
      call(CONFIG, "PutConfigurationRecorder", { configurationRecorder: { name: "default", roleARN: "arn:aws:iam::111122223333:role/config", recordingGroup: { allSupported: false, resourceTypes: ["AWS::S3::Bucket"] } } }),
      ["high", "security-coverage-narrowed"],
    ],
    ["Access Analyzer DeleteAnalyzer", call(ACCESS_ANALYZER, "DeleteAnalyzer", { analyzerName: "account-analyzer" }), ["critical", "security-tool-disabled"]],
    ["Access Analyzer CreateArchiveRule", call(ACCESS_ANALYZER, "CreateArchiveRule", { analyzerName: "account-analyzer", ruleName: "everything", filter: { isPublic: { eq: ["true"] } } }), ["high", "security-findings-suppressed"]],
    ["Access Analyzer UpdateArchiveRule", call(ACCESS_ANALYZER, "UpdateArchiveRule", { analyzerName: "account-analyzer", ruleName: "everything", filter: {} }), ["high", "security-findings-suppressed"]],
    ["GuardDuty UpdateDetector with a protection switched off", call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, features: [{ name: "S3_DATA_EVENTS", status: "DISABLED" }] }), ["high", "security-coverage-narrowed"]],
    ["GuardDuty UpdateDetector with an older data source off", call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, dataSources: { s3Logs: { enable: false } } }), ["high", "security-coverage-narrowed"]],
    ["GuardDuty CreateIPSet (a trusted IP list: no findings for it)", call(GUARDDUTY, "CreateIPSet", { detectorId: DETECTOR, name: "trusted", format: "TXT", location: "https://s3.amazonaws.com/b/ips.txt", activate: true }), ["high", "security-findings-suppressed"]],
    ["GuardDuty UpdateIPSet", call(GUARDDUTY, "UpdateIPSet", { detectorId: DETECTOR, ipSetId: "0123", activate: true }), ["high", "security-findings-suppressed"]],
    ["GuardDuty DeletePublishingDestination", call(GUARDDUTY, "DeletePublishingDestination", { detectorId: DETECTOR, destinationId: "d" }), ["high", "security-findings-suppressed"]],
    ["Security Hub UpdateStandardsControl DISABLED", call(SECURITY_HUB, "UpdateStandardsControl", { StandardsControlArn: "arn:aws:securityhub:eu-west-1:111122223333:control/cis-aws-foundations-benchmark/v/1.4.0/3.1", ControlStatus: "DISABLED" }), ["high", "security-coverage-narrowed"]],
    ["Security Hub BatchUpdateStandardsControlAssociations DISABLED", call(SECURITY_HUB, "BatchUpdateStandardsControlAssociations", { StandardsControlAssociationUpdates: [{ SecurityControlId: "CloudTrail.1", StandardsArn: "arn:aws:securityhub:::standards/x", AssociationStatus: "DISABLED" }] }), ["high", "security-coverage-narrowed"]],
    ["Security Hub DisableImportFindingsForProduct", call(SECURITY_HUB, "DisableImportFindingsForProduct", { ProductSubscriptionArn: "arn:aws:securityhub:eu-west-1:111122223333:product-subscription/aws/guardduty" }), ["high", "security-findings-suppressed"]],
    ["Security Hub CreateAutomationRule SUPPRESSED", call(SECURITY_HUB, "CreateAutomationRule", { RuleName: "quiet", Actions: [{ Type: "FINDING_FIELDS_UPDATE", FindingFieldsUpdate: { Workflow: { Status: "SUPPRESSED" } } }] }), ["high", "security-findings-suppressed"]],
    ["KMS DisableKey", call(KMS, "DisableKey", { keyId: OTHER_KEY }), ["high", "key-disabled"]],
    ["KMS ScheduleKeyDeletion", call(KMS, "ScheduleKeyDeletion", { keyId: OTHER_KEY, pendingWindowInDays: 7 }), ["high", "key-deletion-scheduled"]],
  ])("%s", (_label, record, expected) => {
    expect(verdict(record)).toEqual(expected);
  });

  it("the table above names every event name the rule declares, with each of its sources", () => {
    const covered = new Set(["DeleteDetector", "UpdateDetector", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "DeleteMembers", "DisassociateMembers", "StopMonitoringMembers", "CreateFilter", "UpdateFilter", "CreateIPSet", "UpdateIPSet", "DeletePublishingDestination", "DisableSecurityHub", "BatchDisableStandards", "UpdateStandardsControl", "BatchUpdateStandardsControlAssociations", "DisableImportFindingsForProduct", "CreateAutomationRule", "BatchUpdateAutomationRules", "StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder", "DeleteAnalyzer", "CreateArchiveRule", "UpdateArchiveRule", "DisableKey", "ScheduleKeyDeletion"]);
    expect(new Set(securityToolingDisabled.eventNames)).toEqual(covered);
    expect([...(securityToolingDisabled.eventSources ?? [])].sort()).toEqual([ACCESS_ANALYZER, CONFIG, GUARDDUTY, KMS, SECURITY_HUB]);
  });

  it("names what was switched off: the key, the member accounts, the filter, the recorder", () => {
    const key = finding(call(KMS, "ScheduleKeyDeletion", { keyId: "alias/payments" }, { responseElements: { keyId: `arn:aws:kms:eu-west-1:111122223333:key/${OTHER_KEY}`, deletionDate: "Nov 28, 2026, 12:00:00 AM", pendingWindowInDays: 7 } }));
    expect(key?.summary).toContain(`key/${OTHER_KEY}`);
    expect(key?.reasons.join(" ")).toMatch(/requested as "alias\/payments".*in 7 days, on "Nov 28, 2026/);
    expect(finding(call(KMS, "DisableKey", { keyId: OTHER_KEY }))?.reasons[0]).toContain(OTHER_KEY);
    expect(finding(call(GUARDDUTY, "DisassociateMembers", { detectorId: DETECTOR, accountIds: ["444455556666", "555566667777"] }))?.reasons[0]).toContain('"444455556666", "555566667777"');
    expect(finding(call(GUARDDUTY, "CreateFilter", { detectorId: DETECTOR, name: "quiet", action: "ARCHIVE" }))?.summary).toContain('filter "quiet"');
    expect(finding(call(CONFIG, "StopConfigurationRecorder", { configurationRecorderName: "default" }))?.summary).toMatch(/IAM user "mallory" called Config StopConfigurationRecorder on recorder "default": succeeded/);
  });
});

describe("security tooling disabled: look-alikes", () => {
  it("an UpdateDetector that keeps GuardDuty and its protections on, or only changes frequency, raises nothing; enable given as a string is still read", () => {
    expect(verdict(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, enable: true }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, enable: "true", findingPublishingFrequency: "SIX_HOURS" }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, findingPublishingFrequency: "FIFTEEN_MINUTES" }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, features: [{ name: "S3_DATA_EVENTS", status: "ENABLED" }], dataSources: { s3Logs: { enable: true } } }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, enable: "false" }))).toEqual(["critical", "security-tool-disabled"]);
  });

  it("a GuardDuty filter that only labels findings (NOOP), or an update that does not set the action, raises nothing", () => {
    expect(verdict(call(GUARDDUTY, "CreateFilter", { detectorId: DETECTOR, name: "label", action: "NOOP" }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "CreateFilter", { detectorId: DETECTOR, name: "label" }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "UpdateFilter", { detectorId: DETECTOR, filterName: "label", rank: 2 }))).toBeUndefined();
  });

  it("PutConfigurationRecorder: all supported types (or no recording group, AWS's default) raises nothing; allSupported false is high", () => {
    const put = (recordingGroup: unknown) => call(CONFIG, "PutConfigurationRecorder", { configurationRecorder: { name: "default", roleARN: "arn:aws:iam::111122223333:role/config", ...(recordingGroup === undefined ? {} : { recordingGroup }) } });
    expect(verdict(put({ allSupported: true, includeGlobalResourceTypes: true }))).toBeUndefined();
    expect(verdict(put(undefined))).toBeUndefined();
    expect(verdict(put({ allSupported: false, resourceTypes: ["AWS::S3::Bucket"] }))).toEqual(["high", "security-coverage-narrowed"]);
    expect(verdict(put({ allSupported: "false" }))).toEqual(["high", "security-coverage-narrowed"]);
    const excluded = finding(put({ allSupported: false, exclusionByResourceTypes: { resourceTypes: ["AWS::IAM::Role", "AWS::IAM::Policy"] }, recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" } }));
    expect(excluded?.reasons).toEqual(['the Config recorder no longer records all supported resource types (recording strategy "EXCLUSION_BY_RESOURCE_TYPES")', 'resource types excluded: "AWS::IAM::Role", "AWS::IAM::Policy"']);
    // Narrowed without saying allSupported: the strategy or the lists alone; IAM's global types dropped; daily recording.
    expect(verdict(put({ exclusionByResourceTypes: { resourceTypes: ["AWS::IAM::User"] }, recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" } }))).toEqual(["high", "security-coverage-narrowed"]);
    expect(verdict(put({ resourceTypes: ["AWS::S3::Bucket"], recordingStrategy: { useOnly: "INCLUSION_BY_RESOURCE_TYPES" } }))).toEqual(["high", "security-coverage-narrowed"]);
    expect(verdict(put({ allSupported: true, includeGlobalResourceTypes: false }))).toEqual(["high", "security-coverage-narrowed"]);
    const daily = call(CONFIG, "PutConfigurationRecorder", { configurationRecorder: { name: "default", recordingGroup: { allSupported: true }, recordingMode: { recordingFrequency: "DAILY" } } });
    expect(verdict(daily)).toEqual(["high", "security-coverage-narrowed"]);
  });

  it("Security Hub: a control enabled, or an automation rule that only labels findings, raises nothing", () => {
    expect(verdict(call(SECURITY_HUB, "UpdateStandardsControl", { StandardsControlArn: "arn:x", ControlStatus: "ENABLED" }))).toBeUndefined();
    expect(verdict(call(SECURITY_HUB, "BatchUpdateStandardsControlAssociations", { StandardsControlAssociationUpdates: [{ SecurityControlId: "CloudTrail.1", AssociationStatus: "ENABLED" }] }))).toBeUndefined();
    expect(verdict(call(SECURITY_HUB, "CreateAutomationRule", { RuleName: "tag", Actions: [{ Type: "FINDING_FIELDS_UPDATE", FindingFieldsUpdate: { Note: { Text: "triaged", UpdatedBy: "ops" } } }] }))).toBeUndefined();
  });

  it("the same event name from another service raises nothing", () => {
    expect(verdict(call("frauddetector.amazonaws.com", "DeleteDetector", { detectorId: "fraud" }))).toBeUndefined();
    expect(verdict(call("macie2.amazonaws.com", "DeleteMembers", { ids: ["444455556666"] }))).toBeUndefined();
    expect(verdict(call("detective.amazonaws.com", "DeleteMembers", { AccountIds: ["444455556666"] }))).toBeUndefined();
    expect(verdict(call("inspector2.amazonaws.com", "CreateFilter", { name: "x", action: "SUPPRESS" }))).toBeUndefined();
    expect(verdict(call("inspector2.amazonaws.com", "CreateFilter", { name: "x", action: "ARCHIVE" }))).toBeUndefined();
    // Nor a watched name under another watched service (the deployed pattern lets these cross-products through).
    expect(verdict(call(SECURITY_HUB, "DeleteDetector", { detectorId: DETECTOR }))).toBeUndefined();
    expect(verdict(call(GUARDDUTY, "DisableKey", { keyId: OTHER_KEY }))).toBeUndefined();
    expect(verdict(call(KMS, "DeleteAnalyzer", { analyzerName: "a" }))).toBeUndefined();
    // Nor a source that only looks like one.
    expect(verdict(call("guardduty.amazonaws.com.example", "DeleteDetector", { detectorId: DETECTOR }))).toBeUndefined();
    expect(verdict(call("constructor", "DeleteDetector", { detectorId: DETECTOR }))).toBeUndefined();
  });

  it("StartConfigurationRecorder, EnableSecurityHub, EnableKey and CancelKeyDeletion raise nothing", () => {
    expect(verdict(call(CONFIG, "StartConfigurationRecorder", { configurationRecorderName: "default" }))).toBeUndefined();
    expect(verdict(call(SECURITY_HUB, "EnableSecurityHub", { EnableDefaultStandards: true }))).toBeUndefined();
    expect(verdict(call(KMS, "EnableKey", { keyId: OTHER_KEY }))).toBeUndefined();
    expect(verdict(call(KMS, "CancelKeyDeletion", { keyId: OTHER_KEY }))).toBeUndefined();
  });

  it("a failed call is capped at medium (critical and high alike), with the reason", () => {
    const denied = finding(call(GUARDDUTY, "DeleteDetector", { detectorId: DETECTOR }, { errorCode: "AccessDenied", errorMessage: "User is not authorized" }));
    expect(denied?.severity).toBe("medium");
    expect(denied?.summary).toContain("failed (AccessDenied)");
    expect(denied?.reasons.at(-1)).toBe("capped at medium: the call failed");
    expect(finding(call(KMS, "ScheduleKeyDeletion", { keyId: OTHER_KEY }, { errorCode: "AccessDeniedException" }))?.severity).toBe("medium");
    expect(finding(call(GUARDDUTY, "UpdateDetector", { detectorId: DETECTOR, enable: true }, { errorCode: "AccessDenied" }))).toBeUndefined();
  });

  it("missing, null or oddly shaped request parameters do not crash it: deletions still page, conditional calls raise nothing", () => {
    const withoutParameters = (eventSource: string, eventName: string) => cloudTrailRecord({ eventSource, eventName, userIdentity: admin, requestParameters: undefined });
    for (const [source, names] of [
      [GUARDDUTY, ["DeleteDetector", "UpdateDetector", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "DeleteMembers", "DisassociateMembers", "StopMonitoringMembers", "CreateFilter", "UpdateFilter"]],
      [SECURITY_HUB, ["DisableSecurityHub", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "DeleteMembers", "DisassociateMembers", "BatchDisableStandards"]],
      [CONFIG, ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutConfigurationRecorder"]],
      [ACCESS_ANALYZER, ["DeleteAnalyzer", "CreateArchiveRule", "UpdateArchiveRule"]],
      [KMS, ["DisableKey", "ScheduleKeyDeletion"]],
    ] as const) {
      for (const name of names) {
        for (const record of [withoutParameters(source, name), call(source, name, null)]) {
          expect(analyse(record, SELF_CONFIG).kind, `${source} ${name}`).toBe("analysed");
        }
      }
    }
    expect(verdict(withoutParameters(GUARDDUTY, "DeleteDetector"))).toEqual(["critical", "security-tool-disabled"]);
    expect(finding(withoutParameters(KMS, "DisableKey"))?.reasons[0]).toMatch(/^a key \(not recorded\) disabled/);
    expect(verdict(withoutParameters(GUARDDUTY, "UpdateDetector"))).toBeUndefined();
    expect(verdict(withoutParameters(GUARDDUTY, "CreateFilter"))).toBeUndefined();
    expect(verdict(withoutParameters(CONFIG, "PutConfigurationRecorder"))).toBeUndefined();
    // Fields of the wrong type are read as absent.
    expect(finding(call(GUARDDUTY, "DeleteMembers", { detectorId: 7, accountIds: "444455556666" }))?.reasons[0]).toContain("(not recorded)");
    expect(verdict(call(CONFIG, "PutConfigurationRecorder", { configurationRecorder: "default", recordingGroup: { allSupported: false } }))).toEqual(["high", "security-coverage-narrowed"]);
    expect(verdict(call(CONFIG, "PutConfigurationRecorder", { configurationRecorder: { recordingGroup: "none" } }))).toBeUndefined();
    expect(verdict(call(SECURITY_HUB, "BatchDisableStandards", { StandardsSubscriptionArns: [1, null] }))).toEqual(["high", "security-coverage-narrowed"]);
  });
});

describe("security tooling disabled: alert only, in the tamper monitor", () => {
  it("plans no action, even critical and by a role session, with or without trailguard's configuration", () => {
    const record = cloudTrailRecord({ eventSource: GUARDDUTY, eventName: "DeleteDetector", requestParameters: { detectorId: DETECTOR }, userIdentity: assumedRole("ops", "x") });
    for (const config of [{}, SELF_CONFIG]) {
      const findings = findingsOf(analyse(eventBridge(record), config));
      expect(findings.map((f) => [f.ruleId, f.severity, f.actions.length])).toEqual([[RULE, "critical", 0]]);
      expect(findings[0]?.category).toBe("tampering");
      expect(findings[0]?.technique.id).toBe("T1562.001");
    }
  });

  it("runs in the tamper monitor only, and its events and sources are in the tamper monitor's pattern", () => {
    expect(TAMPER_RULES).toContain(securityToolingDisabled);
    expect(IAM_RULES).not.toContain(securityToolingDisabled);
    expect(ROOT_MONITOR_RULES).not.toContain(securityToolingDisabled);
    const detail = callRouting(renderPatterns(TAMPER_RULES, []));
    for (const source of securityToolingDisabled.eventSources ?? []) expect(detail.eventSource).toContain(source);
    for (const name of securityToolingDisabled.eventNames ?? []) expect(detail.eventName).toContain(name);
  });

  it("trailguard's own alert key disabled pages twice: as trailguard tampering and as a key disabled", () => {
    const record = call(KMS, "DisableKey", { keyId: KEY }, { awsRegion: "us-east-1" });
    expect(findingsOf(analyse(record, SELF_CONFIG)).map((f) => [f.ruleId, f.severity])).toEqual([
      [RULE, "high"],
      ["trailguard-tampering", "critical"],
    ]);
  });
});

describe("Config delivery channel changes (CIS CloudWatch.9)", () => {
  it("names the new bucket, prefix and topic for the on-call to check, quoted", () => {
    const found = finding(call(CONFIG, "PutDeliveryChannel", { deliveryChannel: { name: "default", s3BucketName: 'bucket"\nforged', s3KeyPrefix: "p", snsTopicARN: "arn:aws:sns:eu-west-1:999988887777:t" } }));
    expect(found?.title).toBe("Config delivery channel changed");
    expect(found?.reasons.join(" ")).toContain("999988887777");
    expect(found?.reasons.join(" ")).not.toContain("\n");
  });
});
