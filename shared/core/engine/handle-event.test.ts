import { describe, expect, it } from "vitest";
import { type ConfigInput, parseConfig } from "../config/config.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../iam/revoke-sessions-policy.js";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, assumedRole, eventBridge, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { silentLogger } from "../model/logger.js";
import { createAnalyser } from "./analyse.js";
import { handleEvent } from "./handle-event.js";
import { RULES } from "../rules/registry.js";

const RESPONDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/trailguard-prod-iam-responder`;

async function run(event: unknown, config: ConfigInput = {}) {
  const parsed = parseConfig({ responderRoleArns: [RESPONDER_ROLE], ...config }, "test");
  const published: Finding[] = [];
  let responded = 0;
  const outcome = await handleEvent(event, {
    config: parsed,
    analyser: createAnalyser(parsed, RULES),
    respond: async (finding) => {
      responded++;
      return finding;
    },
    publish: async (finding) => {
      published.push(finding);
      return "id";
    },
    logger: silentLogger,
  });
  return { outcome, published, responded };
}

describe("handleEvent: no loops, no floods, nothing lost", () => {
  it("the responder's own containment (revoke policy, key deactivation) neither alerts nor triggers a response", async () => {
    const responder = assumedRole("trailguard-prod-iam-responder", "trailguard-prod-iam-responder", { path: "/" });
    const revoke = eventBridge(
      iamCall(
        "PutRolePolicy",
        { roleName: "deployer", policyName: REVOKE_POLICY_NAME, policyDocument: revokeSessionsPolicyDocument(new Date("2024-05-01T12:00:01Z")) },
        { userIdentity: responder },
      ),
    );
    const deactivate = eventBridge(iamCall("UpdateAccessKey", { userName: "bob", accessKeyId: "AKIABOBNEWKEY0000001", status: "Inactive" }, { userIdentity: responder }));
    const first = await run(revoke);
    expect(first.outcome.findings.map((finding) => [finding.severity, finding.exemption?.kind])).toEqual([["info", "responder"]]);
    expect(first.outcome.findings[0]?.actions).toEqual([]);
    expect(first.published).toEqual([]);
    const second = await run(deactivate);
    expect(second.outcome.findings).toEqual([]);
    expect(second.published).toEqual([]);
  });

  it("the responder's identity granting admin is misuse: critical, paged, and never turned on trailguard's own role", async () => {
    const grant = eventBridge(
      iamCall(
        "PutRolePolicy",
        { roleName: "x", policyName: "y", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) },
        { userIdentity: assumedRole("trailguard-prod-iam-responder", "s") },
      ),
    );
    const { outcome, published } = await run(grant);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.severity])).toEqual([
      ["policy-document-grant", "critical"],
      ["trailguard-identity-misuse", "critical"],
    ]);
    expect(outcome.findings[0]?.actions).toEqual([
      expect.objectContaining({
        type: "revoke-sessions",
        status: "skipped",
        target: { kind: "role", account: ACCOUNT, roleName: "trailguard-prod-iam-responder" },
        reason: "the target is trailguard's own responder",
      }),
      // The role just granted admin is contained (contain-new-admin): it is not trailguard's.
      expect.objectContaining({ type: "revoke-sessions", status: "planned", target: { kind: "role", account: ACCOUNT, roleName: "x" } }),
    ]);
    expect(published.map((finding) => finding.ruleId)).toEqual(["policy-document-grant", "trailguard-identity-misuse"]);
  });

  it("someone else overwriting the revoke policy with a permissive document is critical and alerted", async () => {
    const tamper = eventBridge(
      iamCall("PutRolePolicy", { roleName: "deployer", policyName: REVOKE_POLICY_NAME, policyDocument: policyJson({ Effect: "Allow", Action: "s3:*", Resource: "*" }) }),
    );
    const { published } = await run(tamper);
    expect(published.map((finding) => [finding.severity, finding.signals])).toEqual([["critical", ["revoke-policy-removed"]]]);
  });

  it("publishes only at or above the configured severity", async () => {
    const selfKey = eventBridge(
      iamCall("CreateAccessKey", null, { userIdentity: iamUser("carol"), responseElements: { accessKey: { accessKeyId: "AKIACAROLNEWKEY00001", userName: "carol" } } }),
    );
    expect((await run(selfKey)).published).toEqual([]);
    expect((await run(selfKey, { minAlertSeverity: "low" })).published).toHaveLength(1);
  });

  it("malformed input is reported and dropped: no response, no alert, no exception", async () => {
    const { outcome, published, responded } = await run(eventBridge({ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", userIdentity: "root" }));
    expect(outcome.status).toBe("malformed");
    expect(published).toEqual([]);
    expect(responded).toBe(0);
  });
});
