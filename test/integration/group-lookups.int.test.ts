import { randomUUID } from "node:crypto";
import { AttachGroupPolicyCommand, CreateGroupCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateUserCommand, IAMClient, ListAttachedUserPoliciesCommand, PutGroupPolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/core/config/config.js";
import { IAM_RULES } from "../../shared/core/rules/registry.js";
import { createRuntime } from "../../shared/edges/lambda/create-runtime.js";
import { iamLookups } from "../../shared/edges/aws/iam-lookups.js";
import { eventBridge, iamCall, iamUser, policyJson } from "../support/records.js";
import { silentLogger } from "../../shared/edges/log/log.js";
import { MOTO_ACCOUNT, uniqueName, useMoto } from "./moto-aws.js";

/**
 * AddUserToGroup judged by what the group grants, and customer-managed policies (attached, or a
 * version made default) by their documents, read by the real runtime from IAM on moto_server,
 * and contained when admin-equivalent.
 */
const endpoint = useMoto();

describe.skipIf(!endpoint)("group lookups against moto_server", () => {
  const iam = new IAMClient({ region: "us-east-1" });
  const runtime = () => createRuntime({ rules: IAM_RULES, config: parseConfig({ mode: "enforce" }, "test"), logger: silentLogger, publish: false });

  async function groupWith(setup: (groupName: string) => Promise<void>): Promise<{ groupName: string; userName: string }> {
    const groupName = uniqueName("g");
    const userName = uniqueName("u");
    await iam.send(new CreateGroupCommand({ GroupName: groupName }));
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await setup(groupName);
    return { groupName, userName };
  }
  const addedEvent = (groupName: string, userName: string, account = MOTO_ACCOUNT) =>
    eventBridge(iamCall("AddUserToGroup", { groupName, userName }, { eventID: randomUUID(), recipientAccountId: account, userIdentity: iamUser("mallory", { account }) }));
  const findingOf = async (event: unknown) => (await runtime().handle(event)).findings.find((finding) => finding.ruleId === "group-membership-added");

  it("a group with AdministratorAccess attached: critical, and the new member is quarantined", async () => {
    const { groupName, userName } = await groupWith((name) => iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })).then(() => undefined));
    const found = await findingOf(addedEvent(groupName, userName));
    expect(found?.severity).toBe("critical");
    expect(found?.reasons.join(" ")).toContain("AdministratorAccess");
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }));
    expect(attached.AttachedPolicies?.map((policy) => policy.PolicyName)).toContain("AWSDenyAll");
  });

  it("a customer-managed policy is read through its default version; an inline one directly", async () => {
    const admin = await groupWith(async (name) => {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("p"), PolicyDocument: policyJson({ Effect: "Allow", Action: "IAM:*", Resource: "*" }) }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: Policy?.Arn }));
    });
    expect((await findingOf(addedEvent(admin.groupName, admin.userName)))?.severity).toBe("critical");
    const readers = await groupWith((name) => iam.send(new PutGroupPolicyCommand({ GroupName: name, PolicyName: "read", PolicyDocument: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) })).then(() => undefined));
    // Harmless as read now is not proof it was harmless at the call (a group can be emptied in
    // between to hide the grant): it stays medium, as if unread, and says when it was read.
    const harmless = await findingOf(addedEvent(readers.groupName, readers.userName));
    expect(harmless?.severity).toBe("medium");
    expect(harmless?.reasons.join(" ")).toMatch(/as read from IAM when trailguard judged the event/);
    expect(harmless?.actions).toEqual([]);
  });

  it("a group that does not exist, or an account trailguard does not manage: medium, with the reason, nothing done", async () => {
    const missing = await findingOf(addedEvent(uniqueName("nope"), "someone"));
    expect(missing?.severity).toBe("medium");
    expect(missing?.reasons[0]).toMatch(/could not be read: NoSuchEntity/);
    const elsewhere = await findingOf(addedEvent("admins", "someone", "999988887777"));
    expect(elsewhere?.severity).toBe("medium");
    expect(elsewhere?.reasons[0]).toContain("not one trailguard manages");
    expect(elsewhere?.actions.every((action) => action.status !== "done")).toBe(true);
  });

  it("a customer policy named like a read-only one, attached or switched to an admin version: critical, read from IAM", async () => {
    const userName = uniqueName("u");
    await iam.send(new CreateUserCommand({ UserName: userName }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("ReadOnlyHelpdesk"), PolicyDocument: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }));
    const policyArn = Policy?.Arn ?? "";
    const call = (eventName: string, parameters: Record<string, unknown>) =>
      eventBridge(iamCall(eventName, parameters, { eventID: randomUUID(), recipientAccountId: MOTO_ACCOUNT, userIdentity: iamUser("mallory", { account: MOTO_ACCOUNT }) }));
    const ruleFinding = async (event: unknown, rule: string) => (await runtime().handle(event)).findings.find((finding) => finding.ruleId === rule);
    expect((await ruleFinding(call("AttachUserPolicy", { userName, policyArn }), "managed-policy-attached"))?.severity).toBe("medium");
    const { PolicyVersion } = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }), SetAsDefault: false }));
    const switched = await ruleFinding(call("SetDefaultPolicyVersion", { policyArn, versionId: PolicyVersion?.VersionId }), "policy-default-version-set");
    expect(switched?.severity).toBe("critical");
    expect(switched?.reasons.join(" ")).toContain("read from IAM");
  });

  it("reads afresh for every event (nothing cached), and past its call budget says the answer is incomplete (medium), never harmless", async () => {
    const { groupName, userName } = await groupWith(async (name) => {
      for (let index = 0; index < 6; index++) {
        await iam.send(new PutGroupPolicyCommand({ GroupName: name, PolicyName: `p${index}`, PolicyDocument: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }));
      }
    });
    const lookup = iamLookups({ iamFor: async () => iam, mayRead: async () => true });
    const request = { kind: "group-grants" as const, account: MOTO_ACCOUNT, groupName };
    const before = (await lookup([request])).groupGrants(MOTO_ACCOUNT, groupName);
    expect(before?.ok && before.value.managedPolicyArns).toEqual([]);
    await iam.send(new AttachGroupPolicyCommand({ GroupName: groupName, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const after = (await lookup([request])).groupGrants(MOTO_ACCOUNT, groupName);
    expect(after?.ok && after.value.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
    const budgeted = (await iamLookups({ iamFor: async () => iam, mayRead: async () => true, maxCalls: 4 })([request])).groupGrants(MOTO_ACCOUNT, groupName);
    expect(budgeted?.ok && budgeted.value.documents.length).toBe(2);
    expect(budgeted?.ok && budgeted.value.incomplete).toMatch(/6 inline/);
    expect(userName).toBeTruthy();
  });
});
