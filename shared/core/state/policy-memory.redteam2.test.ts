import { describe, expect, it } from "vitest";
import { ACCOUNT, iamCall, policyJson } from "../../../test/support/records.js";
import { policyMemory } from "./policy-memory.js";

/**
 * Red team 2 (noise): IaC tools (Terraform, CDK) update a policy (CreatePolicyVersion,
 * setAsDefault) and attach it in the same apply, often in the same second. Both versions are
 * known and harmless, yet the attach is "unseen" (high: "may grant anything") because the
 * switch is in the call's own second. Which of the two was in force is unknown, but both are
 * known: judging both and taking the worse keeps the guarantee without the false high.
 */
const ARN = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
const READ_A = policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::app/*" });
const READ_B = policyJson({ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::app", "arn:aws:s3:::app/*"] });
let ids = 0;
const call = (eventName: string, eventTime: string, request: Record<string, unknown>, response: Record<string, unknown> | null = null) =>
  iamCall(eventName, request, { eventTime, responseElements: response, eventID: `event-${ids++}` });

describe("red team 2: policy memory, a terraform apply that updates and attaches in one second", () => {
  it("two known, harmless versions: the attach is not unseen", () => {
    const memory = policyMemory();
    memory.observe(call("CreatePolicy", "2024-05-01T09:00:00Z", { policyName: "app-read", policyDocument: READ_A }, { policy: { arn: ARN, defaultVersionId: "v1" } }));
    memory.observe(call("CreatePolicyVersion", "2024-05-01T12:00:05Z", { policyArn: ARN, policyDocument: READ_B, setAsDefault: true }, { policyVersion: { versionId: "v2", isDefaultVersion: true } }));
    const attach = call("AttachRolePolicy", "2024-05-01T12:00:05Z", { roleName: "app", policyArn: ARN });
    memory.observe(attach);
    const looked = memory.lookupsAt(attach).policyDocument(ACCOUNT, ARN);
    expect(looked).not.toMatchObject({ unseen: true });
  });

  it.each([
    ["the narrow version first", true],
    ["the narrow version second", false],
  ])("of a narrow version (rated low) and another, the other stands for the call (%s)", (_label, narrowFirst) => {
    const narrow = policyJson({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" });
    const [first, second] = narrowFirst ? [narrow, READ_A] : [READ_A, narrow];
    const memory = policyMemory();
    memory.observe(call("CreatePolicy", "2024-05-01T09:00:00Z", { policyName: "app-read", policyDocument: first }, { policy: { arn: ARN, defaultVersionId: "v1" } }));
    memory.observe(call("CreatePolicyVersion", "2024-05-01T12:00:05Z", { policyArn: ARN, policyDocument: second, setAsDefault: true }, { policyVersion: { versionId: "v2", isDefaultVersion: true } }));
    const attach = call("AttachRolePolicy", "2024-05-01T12:00:05Z", { roleName: "app", policyArn: ARN });
    memory.observe(attach);
    expect(memory.lookupsAt(attach).policyDocument(ACCOUNT, ARN)).toMatchObject({ ok: true, value: READ_A });
  });
});
