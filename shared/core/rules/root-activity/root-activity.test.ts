import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, cloudTrailRecord, eventBridge, findingOf, findingsOf, iamUser, root } from "../../../../test/support/records.js";

function rootCall(overrides: Record<string, unknown> = {}) {
  return cloudTrailRecord({
    userIdentity: root({ accessKeyId: "ASIAROOTSESSION00001" }),
    eventSource: "ec2.amazonaws.com",
    eventName: "RunInstances",
    awsRegion: "ap-southeast-2",
    readOnly: false,
    ...overrides,
  });
}

function rootFindings(input: unknown) {
  return findingsOf(analyse(input)).filter((finding) => finding.ruleId === "root-activity");
}

describe("root-activity", () => {
  it("raises a high finding for a successful root API call", () => {
    const finding = findingOf(eventBridge(rootCall()), "root-activity");
    expect(finding.severity).toBe("high");
    expect(finding.signals).toEqual(["root-activity"]);
    expect(finding.reasons).toContain("successful call by the root user");
    expect(finding.target).toEqual({ kind: "account", name: ACCOUNT });
    expect(finding.summary).toContain("RunInstances");
    expect(finding.summary).toContain("ap-southeast-2");
  });

  it.each([
    ["s3.amazonaws.com", "PutBucketPolicy", "eu-west-1"],
    ["kms.amazonaws.com", "ScheduleKeyDeletion", "sa-east-1"],
    ["organizations.amazonaws.com", "LeaveOrganization", "us-east-1"],
    ["cloudtrail.amazonaws.com", "StopLogging", "ap-northeast-3"],
  ])("is raised for %s %s in %s (any service, any region)", (eventSource, eventName, awsRegion) => {
    const finding = findingOf(rootCall({ eventSource, eventName, awsRegion }), "root-activity");
    expect(finding.severity).toBe("high");
    expect(finding.event.region).toBe(awsRegion);
  });

  it("raises root read-only calls as medium", () => {
    const finding = findingOf(rootCall({ eventSource: "s3.amazonaws.com", eventName: "ListBuckets", readOnly: true }), "root-activity");
    expect(finding.severity).toBe("medium");
    expect(finding.reasons).toContain("read-only call");
  });

  it("recognises read-only root calls by name when readOnly is absent", () => {
    const finding = findingOf(rootCall({ eventName: "DescribeInstances", readOnly: undefined }), "root-activity");
    expect(finding.severity).toBe("medium");
  });

  it("raises failed root calls as medium, not capped to low", () => {
    const record = rootCall({ errorCode: "Client.UnauthorizedOperation", errorMessage: "You are not authorized" });
    const finding = findingOf(record, "root-activity");
    expect(finding.severity).toBe("medium");
    expect(finding.reasons.join(" ")).toMatch(/failed \(Client\.UnauthorizedOperation\)/);
    expect(finding.reasons.join(" ")).not.toMatch(/capped/);
  });

  it("raises a failed root credential change as medium (it changed nothing)", () => {
    const record = rootCall({ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", errorCode: "LimitExceeded" });
    const finding = findingOf(record, "root-activity");
    expect(finding.severity).toBe("medium");
    expect(finding.signals).not.toContain("root-credential-change");
  });

  it.each(["CreateAccessKey", "DeactivateMFADevice", "ChangePassword", "DeleteVirtualMFADevice", "UpdateAccessKey"])(
    "raises console %s by root (invokedBy signin.amazonaws.com) as critical",
    (eventName) => {
      const record = rootCall({
        eventSource: "iam.amazonaws.com",
        eventName,
        awsRegion: "us-east-1",
        userIdentity: root({ invokedBy: "signin.amazonaws.com" }),
        requestParameters: eventName === "UpdateAccessKey" ? { accessKeyId: "AKIAROOTKEY000000001", status: "Inactive" } : null,
      });
      const finding = findingOf(record, "root-activity");
      expect(finding.severity).toBe("critical");
      expect(finding.signals).toContain("root-credential-change");
      expect(finding.reasons).toContain("changes root credentials or MFA");
      expect(finding.reasons.join(" ")).toMatch(/invokedBy signin\.amazonaws\.com/);
    },
  );

  it("raises root credential changes made directly through the API as critical", () => {
    const finding = findingOf(rootCall({ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", awsRegion: "us-east-1" }), "root-activity");
    expect(finding.severity).toBe("critical");
    expect(finding.title).toMatch(/credentials or MFA/);
  });

  it("ignores root calls made by an AWS service on root's behalf (CIS: invokedBy set)", () => {
    const record = rootCall({ userIdentity: root({ invokedBy: "cloudformation.amazonaws.com" }) });
    expect(rootFindings(record)).toEqual([]);
  });

  it("ignores non-sensitive console actions invoked by signin.amazonaws.com", () => {
    const record = rootCall({ userIdentity: root({ invokedBy: "signin.amazonaws.com" }), eventName: "DescribeRegions" });
    expect(rootFindings(record)).toEqual([]);
  });

  it("ignores AwsServiceEvent records (CIS CloudWatch.1)", () => {
    const record = rootCall({ eventType: "AwsServiceEvent", eventSource: "sts.amazonaws.com", eventName: "AssumeRole" });
    expect(rootFindings(record)).toEqual([]);
  });

  it("treats a record without userIdentity.type but with a root ARN as root", () => {
    const identity = root();
    delete identity.type;
    const finding = findingOf(rootCall({ userIdentity: identity }), "root-activity");
    expect(finding.actor.type).toBe("Root");
    expect(finding.severity).toBe("high");
  });

  it("does not treat a look-alike ARN ending in :root as root", () => {
    const identity = { arn: "arn:aws:iam::111122223333:user/evil:root", accountId: ACCOUNT };
    expect(rootFindings(rootCall({ userIdentity: identity }))).toEqual([]);
  });

  it("reports a root session without MFA", () => {
    const identity = { ...root(), sessionContext: { attributes: { mfaAuthenticated: "false" } } };
    const finding = findingOf(rootCall({ userIdentity: identity }), "root-activity");
    expect(finding.reasons).toContain("session without MFA");
  });

  it("ignores calls by IAM users and roles", () => {
    expect(rootFindings(rootCall({ userIdentity: iamUser("alice") }))).toEqual([]);
  });

  it("plans no containment for root (IAM cannot restrict root)", () => {
    expect(findingOf(rootCall(), "root-activity").actions).toEqual([]);
  });
});
