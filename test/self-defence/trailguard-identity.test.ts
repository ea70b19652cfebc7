import { describe, expect, it } from "vitest";
import type { Finding } from "../../shared/core/model/finding.js";
import { ACCOUNT, type Json, analyse, assumedRole, findingsOf, iamCall, policyJson } from "../support/records.js";
import { RESPONDER, SELF_CONFIG } from "../support/self-config.js";

/**
 * #10.2: trailguard's identity exempts nothing but trailguard's own moves. The rule's own cases
 * live in its pack (shared/core/rules/trailguard-identity-misuse/); here is what the response does
 * around it: an exact ARN, not a name, is trailguard, and containment never turns on trailguard's
 * own role.
 */
const CALL_TIME = "2026-11-23T03:04:05Z";
const responder = assumedRole(RESPONDER, "trailguard-prod-iam-responder", { path: "/" });

function findings(record: Json): readonly Finding[] {
  return findingsOf(analyse({ ...record, eventTime: CALL_TIME }, SELF_CONFIG));
}
const misuse = (record: Json) => findings(record).find((finding) => finding.ruleId === "trailguard-identity-misuse");
/** contain-new-admin on user "m", just granted admin: quarantined after the actor. */
const containM = () =>
  (["deactivate-user-keys", "attach-deny-policy", "revoke-sessions"] as const).map((type) =>
    expect.objectContaining({ type, status: "planned", target: { kind: "user", account: ACCOUNT, userName: "m" }, reason: expect.stringMatching(/contain the user the finding is about/) }),
  );

describe("anything else from trailguard's identity is misuse, and pages", () => {
  it("a role merely named like trailguard's is an ordinary principal (exact ARNs, not names)", () => {
    const lookalike = assumedRole(`${RESPONDER}-x`, "s");
    const record = iamCall("UpdateAccessKey", { userName: "bob", accessKeyId: "AKIABOBNEWKEY0000001", status: "Inactive" }, { userIdentity: lookalike });
    expect(misuse(record)).toBeUndefined();
    const grant = iamCall("PutUserPolicy", { userName: "m", policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { userIdentity: lookalike });
    expect(findings(grant)[0]?.actions).toEqual([
      expect.objectContaining({ type: "revoke-sessions", status: "planned", target: { kind: "role", account: ACCOUNT, roleName: `${RESPONDER}-x` } }),
      ...containM(),
    ]);
  });

  it("containment is never turned on trailguard's own role, even when its identity is misused", () => {
    const grant = iamCall("PutUserPolicy", { userName: "m", policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { userIdentity: responder });
    const policyFinding = findings(grant).find((finding) => finding.ruleId === "policy-document-grant");
    expect(policyFinding?.actions).toEqual([
      expect.objectContaining({
        type: "revoke-sessions",
        status: "skipped",
        target: { kind: "role", account: ACCOUNT, roleName: RESPONDER },
        reason: "the target is trailguard's own responder",
      }),
      // The user the misused identity made admin is not trailguard's: it is contained.
      ...containM(),
    ]);
  });
});
