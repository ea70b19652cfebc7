import { describe, expect, it } from "vitest";
import { ACCOUNT, analyse, findingOf, findingsOf, iamCall } from "../../../../test/support/records.js";

const RULE = "policy-default-version-set";

describe("policy-default-version-set", () => {
  it("is medium in replay: the version made default is named, its document is not in the event and was not read", () => {
    const finding = findingOf(iamCall("SetDefaultPolicyVersion", { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`, versionId: "v1" }), RULE);
    expect(finding.severity).toBe("medium");
    expect(finding.reasons).toEqual(['default version set to "v1": its document was not read (replay, an AWS managed policy trailguard does not rate by name, or an account it does not manage)']);
    expect(finding.signals).toEqual([]);
    expect(finding.actions).toEqual([]);
    expect(finding.target).toMatchObject({ kind: "policy", policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-deploy` });
  });

  it("ignores AWS IoT's SetDefaultPolicyVersion (not IAM)", () => {
    const record = iamCall("SetDefaultPolicyVersion", { policyName: "sensor-fleet-publish", policyVersionId: "3" }, { eventSource: "iot.amazonaws.com" });
    expect(findingsOf(analyse(record))).toEqual([]);
  });
});
