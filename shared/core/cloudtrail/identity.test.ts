import { describe, expect, it } from "vitest";
import { actorFromRecord, isRootArn } from "./identity.js";
import type { CloudTrailRecord } from "./record.js";

const ACCOUNT = "111122223333";

function actorOf(userIdentity: CloudTrailRecord["userIdentity"]) {
  return actorFromRecord({ eventSource: "iam.amazonaws.com", eventName: "CreateUser", userIdentity });
}

describe("the actor from a record whose userIdentity has no type (inferred from the ARN)", () => {
  it("reads root, users (path and all), role sessions and federated users", () => {
    expect(isRootArn(`arn:aws:iam::${ACCOUNT}:root`)).toBe(true);
    expect(actorOf({ arn: `arn:aws:iam::${ACCOUNT}:root` })).toMatchObject({ type: "Root", principalName: "root" });
    expect(actorOf({ arn: `arn:aws:iam::${ACCOUNT}:user/team/alice` })).toMatchObject({ type: "IAMUser", principalName: "alice" });
    expect(actorOf({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/sam` })).toMatchObject({
      type: "AssumedRole",
      principalName: "deployer",
      sessionName: "sam",
      accountId: ACCOUNT,
    });
    expect(actorOf({ arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob` })).toMatchObject({ type: "FederatedUser", sessionName: "bob" });
  });

  it("changed: a session ARN whose session name STS could not have issued is not a role session (before: any text after the role name)", () => {
    for (const arn of [`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/sam/root`, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/${"x".repeat(65)}`]) {
      const actor = actorOf({ arn });
      expect(actor.type).toBeUndefined();
      expect(actor.principalName).toBeUndefined();
      expect(actor.sessionName).toBeUndefined();
      expect(actor.accountId).toBeUndefined();
    }
    // With the type given, the name still comes from the session issuer, never from a malformed ARN.
    const typed = actorOf({ type: "AssumedRole", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/sam/root`, sessionContext: { sessionIssuer: { userName: "deployer" } } });
    expect(typed).toMatchObject({ principalName: "deployer", sessionName: undefined });
  });

  it("changed: a federated-user ARN whose name GetFederationToken could not have issued (before: anything)", () => {
    expect(actorOf({ arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob/admin` }).type).toBeUndefined();
  });

  it("a crafted ARN never passes for root", () => {
    for (const arn of [`arn:aws:iam::${ACCOUNT}:root/x`, `arn:aws:iam::${ACCOUNT}:user/root`, `arn:awsX:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:root\n`]) {
      expect(isRootArn(arn)).toBe(false);
      expect(actorOf({ arn }).type).not.toBe("Root");
    }
  });
});
