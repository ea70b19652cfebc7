import { describe, expect, it } from "vitest";
import { type ConfigInput, parseConfig } from "../config/config.js";
import { REVOKE_POLICY_NAME, revokeSessionsPolicyDocument } from "../iam/revoke-sessions-policy.js";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, assumedRole, eventBridge, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { silentLogger } from "../model/logger.js";
import { createAnalyser } from "./analyse.js";
import { handleEvent } from "./handle-event.js";
import { createSuppressor } from "../alerting/suppression.js";
import { RULES } from "../rules/registry.js";

const RESPONDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/trailguard-prod-iam-responder`;

async function run(event: unknown, config: ConfigInput = {}) {
  const parsed = parseConfig({ responderRoleArns: [RESPONDER_ROLE], ...config }, "test");
  const suppressor = parsed.suppressions.length > 0 ? createSuppressor(parsed.suppressions) : undefined;
  const published: Finding[] = [];
  const alerts: string[][] = [];
  let responded = 0;
  const outcome = await handleEvent(event, {
    config: parsed,
    analyser: createAnalyser(parsed, RULES),
    respond: async (finding) => {
      responded++;
      return finding;
    },
    publish: async (findings) => {
      published.push(...findings);
      alerts.push(findings.map((finding) => finding.ruleId));
      return { messageId: "id", kind: "page", incidentId: "TG-000000000000" };
    },
    logger: silentLogger,
    now: () => new Date("2026-11-26T12:00:00Z"),
    ...(suppressor ? { suppressor } : {}),
  });
  return { outcome, published, responded, alerts };
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

describe("handleEvent: one event, one alert; suppressed findings are acted on, not told", () => {
  const adminToRole = () =>
    eventBridge(
      iamCall("PutRolePolicy", { roleName: "x", policyName: "y", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { userIdentity: assumedRole("trailguard-prod-iam-responder", "s") }),
    );

  it("several findings of one event are published as one alert, worst first", async () => {
    const { outcome, alerts } = await run(adminToRole());
    expect(outcome.findings).toHaveLength(2);
    expect(alerts).toEqual([["policy-document-grant", "trailguard-identity-misuse"]]);
    expect(outcome.published).toBe(1);
  });

  it("a suppressed finding is still responded to and logged, but not published; the others of the event are", async () => {
    const suppressions = [{ id: "mute-misuse", reason: "testing the identity", expires: "2027-01-01", rules: ["trailguard-identity-misuse"], maxSeverity: "critical" as const }];
    const { outcome, alerts, responded } = await run(adminToRole(), { suppressions });
    expect(responded).toBe(2);
    expect(outcome.findings.map((finding) => finding.ruleId)).toEqual(["policy-document-grant", "trailguard-identity-misuse"]);
    expect(alerts).toEqual([["policy-document-grant"]]);
  });

  it("an expired suppression no longer mutes", async () => {
    const suppressions = [{ id: "old", reason: "was noisy once", expires: "2026-11-25", rules: ["trailguard-identity-misuse"], maxSeverity: "critical" as const }];
    const { alerts } = await run(adminToRole(), { suppressions });
    expect(alerts).toEqual([["policy-document-grant", "trailguard-identity-misuse"]]);
  });

  it("when every finding of an event is suppressed, nothing is published", async () => {
    const suppressions = [{ id: "all", reason: "lab account", expires: "2027-01-01", accounts: [ACCOUNT], maxSeverity: "critical" as const }];
    const { outcome, alerts } = await run(adminToRole(), { suppressions });
    expect(outcome.findings).toHaveLength(2);
    expect(alerts).toEqual([]);
    expect(outcome.published).toBe(0);
  });
});
