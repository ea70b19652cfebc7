import { describe, expect, it } from "vitest";
import { type Json, analyse, assumedRole, cloudTrailRecord, findingsOf } from "../../../../test/support/records.js";
import { renderPatterns } from "../../stack/event-patterns.js";
import { IAM_RULES, ROOT_MONITOR_RULES, TAMPER_RULES } from "../registry.js";
import { rootSessionAssumed } from "./root-session-assumed.js";

/** sts:AssumeRoot: a root session in a member account, rated by its task policy; alert only. */
const RULE = "root-session-assumed";
const MEMBER = "444455556666";
const admin = assumedRole("platform-admin", "erin");

function assumeRoot(requestParameters: Json | null, extra: Json = {}): Json {
  return cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRoot", readOnly: true, requestParameters, userIdentity: admin, ...extra });
}
const task = (name: string) => ({ targetPrincipal: MEMBER, taskPolicyArn: { arn: `arn:aws:iam::aws:policy/root-task/${name}` }, durationSeconds: 900 });
const finding = (record: Json) => findingsOf(analyse(record, { mode: "enforce" })).find((candidate) => candidate.ruleId === RULE);

describe("root session assumed (sts:AssumeRoot)", () => {
  it.each<[string, string, string[]]>([
    ["IAMCreateRootUserPassword", "critical", ["root-session-assumed", "root-password-task"]],
    ["IAMDeleteRootUserCredentials", "high", ["root-session-assumed"]],
    ["S3UnlockBucketPolicy", "high", ["root-session-assumed"]],
    ["SQSUnlockQueuePolicy", "high", ["root-session-assumed"]],
    ["IAMAuditRootUserCredentials", "medium", ["root-session-assumed"]],
    ["SomeFutureTask", "high", ["root-session-assumed"]],
  ])("task %s is %s", (name, severity, signals) => {
    const found = finding(assumeRoot(task(name)));
    expect(found?.severity).toBe(severity);
    expect(found?.signals).toEqual(signals);
    expect(found?.target).toEqual({ kind: "account", name: MEMBER });
    expect(found?.actions, "root cannot be contained by IAM: alert only, even in enforce mode").toEqual([]);
  });

  it("a task name that only looks like AWS's (another account's policy, a prototype key) is unknown: high", () => {
    expect(finding(assumeRoot({ targetPrincipal: MEMBER, taskPolicyArn: { arn: "arn:aws:iam::999988887777:policy/root-task/IAMAuditRootUserCredentials" } }))?.severity).toBe("high");
    expect(finding(assumeRoot({ targetPrincipal: MEMBER, taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/toString" } }))?.severity).toBe("high");
    expect(finding(assumeRoot(null))?.summary).toContain("an unrecorded task");
  });

  it("reads the target from an account id or a principal ARN, and quotes anything else", () => {
    expect(finding(assumeRoot({ ...task("IAMAuditRootUserCredentials"), targetPrincipal: `arn:aws:iam::${MEMBER}:root` }))?.target?.name).toBe(MEMBER);
    expect(finding(assumeRoot({ ...task("IAMAuditRootUserCredentials"), targetPrincipal: '4444"\nforged line' }))?.summary).not.toContain("\n");
  });

  it("a failed call is low; AssumeRole and AssumeRoot from another service raise nothing", () => {
    expect(finding(assumeRoot(task("IAMCreateRootUserPassword"), { errorCode: "AccessDenied" }))?.severity).toBe("low");
    expect(finding(cloudTrailRecord({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", readOnly: true, requestParameters: { roleArn: `arn:aws:iam::${MEMBER}:role/x`, roleSessionName: "s" }, userIdentity: admin }))).toBeUndefined();
    expect(finding(assumeRoot(task("IAMCreateRootUserPassword"), { eventSource: "iam.amazonaws.com" }))).toBeUndefined();
  });

  it("runs in the root monitor, whose EventBridge rule for it delivers read-only calls", () => {
    expect(ROOT_MONITOR_RULES).toContain(rootSessionAssumed);
    expect(IAM_RULES).not.toContain(rootSessionAssumed);
    expect(TAMPER_RULES).not.toContain(rootSessionAssumed);
    const patterns = renderPatterns(ROOT_MONITOR_RULES, []);
    const calls = patterns.find((pattern) => (pattern.pattern.detail as { eventName?: string[] }).eventName?.includes("AssumeRoot"));
    const detail = calls?.pattern.detail as { eventSource: string[]; eventName: string[] };
    expect(detail.eventSource).toContain("sts.amazonaws.com");
    expect(calls?.state).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    // Only the AssumeRoot pattern pays for read-only deliveries; the tamper-watching ones do not.
    const others = patterns.filter((pattern) => pattern.suffix.startsWith("calls") && pattern !== calls);
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.state, other.suffix).toBe("ENABLED");
  });
});
