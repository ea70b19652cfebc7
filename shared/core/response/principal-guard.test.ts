import { describe, expect, it } from "vitest";
import type { Actor } from "../model/finding.js";
import { createPrincipalGuard } from "./principal-guard.js";

const ROLE = "arn:aws:iam::111122223333:role/deployer";

function sessionActor(arn: string, sessionIssuerArn?: string): Actor {
  return {
    type: "AssumedRole",
    arn,
    accountId: "111122223333",
    principalName: "deployer",
    sessionIssuerArn,
    sessionIssuerType: sessionIssuerArn ? "Role" : undefined,
    sessionName: undefined,
    accessKeyId: undefined,
    mfaAuthenticated: undefined,
    invokedBy: undefined,
  };
}

describe("the principal guard on role sessions without their issuer", () => {
  it("knows the role from a session ARN: allowlisted by the role's ARN, exactly or by pattern, and trailguard's own", () => {
    const session = sessionActor("arn:aws:sts::111122223333:assumed-role/Deployer/sam");
    expect(createPrincipalGuard([ROLE], []).allowlisted(session)).toEqual({ kind: "allowlist", matched: ROLE });
    expect(createPrincipalGuard(["arn:aws:iam::111122223333:role/Deploy*"], []).allowlisted(session)?.matched).toBe("arn:aws:iam::111122223333:role/Deploy*");
    expect(createPrincipalGuard([], [ROLE]).trailguardIdentity(session)).toBe(ROLE);
  });

  it("changed: a session ARN with a session name STS could not have issued names no role (before: anything after the role name)", () => {
    for (const arn of ["arn:aws:sts::111122223333:assumed-role/deployer/sam/extra", "arn:aws:sts::111122223333:assumed-role/deployer/sam smith"]) {
      const actor = sessionActor(arn);
      expect(createPrincipalGuard([ROLE], []).allowlisted(actor)).toBeUndefined();
      expect(createPrincipalGuard(["arn:aws:iam::111122223333:role/deploy*"], []).allowlisted(actor)).toBeUndefined();
      expect(createPrincipalGuard([], [ROLE]).trailguardIdentity(actor)).toBeUndefined();
    }
    // The issuer, when the record has it, decides as before.
    expect(createPrincipalGuard([ROLE], []).allowlisted(sessionActor("arn:aws:sts::111122223333:assumed-role/deployer/sam smith", ROLE))?.matched).toBe(ROLE);
  });
});
