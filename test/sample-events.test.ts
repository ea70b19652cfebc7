import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../shared/config/config.js";
import { createAnalyser } from "../shared/pipeline/analyse.js";

/**
 * The exact findings of every sample in events/, with default settings. A sample without an
 * entry here, or an entry without a sample, fails the suite: samples cannot rot silently.
 * Actions are listed as "type:status".
 */
type Expected = { rule: string; severity: string; actions: string[] };
const EXPECTED: Record<string, Expected[]> = {
  "access-key-create-denied-for-other-user": [{ rule: "access-key-created", severity: "low", actions: ["deactivate-access-key:skipped"] }],
  "access-key-created-by-role-session": [{ rule: "access-key-created", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "access-key-created-for-other-user": [{ rule: "access-key-created", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "access-key-created-for-self-with-path": [{ rule: "access-key-created", severity: "low", actions: [] }],
  "access-key-reactivated": [{ rule: "access-key-reactivated", severity: "high", actions: ["deactivate-access-key:planned"] }],
  "benign-access-key-deactivated": [],
  "benign-autoscaling-delete-policy": [],
  "benign-cloudtrail-data-events-added": [],
  "benign-iam-get-policy-read-only": [],
  "benign-organizations-create-policy": [],
  "benign-root-call-invoked-by-service": [],
  "cloudtrail-logging-stopped": [{ rule: "cloudtrail-tampering", severity: "critical", actions: [] }],
  "cloudtrail-management-events-excluded": [{ rule: "cloudtrail-tampering", severity: "critical", actions: [] }],
  "credential-console-password-for-other-user": [{ rule: "credential-for-other-user", severity: "high", actions: [] }],
  "policy-admin-inline-policy-on-role": [{ rule: "iam-policy-change", severity: "critical", actions: ["revoke-sessions:planned"] }],
  "policy-administrator-access-attached-to-user": [
    {
      rule: "iam-policy-change",
      severity: "critical",
      // The actor (alice, AKIA key) quarantined, then temp-contractor, the new admin, contained.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned"],
    },
  ],
  "policy-detached-from-role": [{ rule: "iam-policy-change", severity: "low", actions: [] }],
  "policy-escalation-permissions-on-user": [{ rule: "iam-policy-change", severity: "high", actions: [] }],
  "policy-notaction-grant-on-group": [
    {
      rule: "iam-policy-change",
      severity: "critical",
      // The actor (dave, AKIA key) quarantined; the group is not contained (skipped, to be handled by hand).
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:skipped"],
    },
  ],
  "policy-permissions-boundary-removed": [{ rule: "iam-policy-change", severity: "high", actions: [] }],
  "policy-read-only-inline-policy": [{ rule: "iam-policy-change", severity: "medium", actions: [] }],
  "policy-revoke-sessions-policy-deleted": [{ rule: "iam-policy-change", severity: "critical", actions: ["revoke-sessions:planned"] }],
  "root-activity-ec2-run-instances": [{ rule: "root-activity", severity: "high", actions: [] }],
  "root-console-login-failed": [{ rule: "root-console-login", severity: "medium", actions: [] }],
  "root-console-login-with-mfa": [{ rule: "root-console-login", severity: "high", actions: [] }],
  "root-console-login-without-mfa": [{ rule: "root-console-login", severity: "critical", actions: [] }],
  "root-created-access-key-in-console": [
    { rule: "root-activity", severity: "critical", actions: [] },
    { rule: "access-key-created", severity: "critical", actions: [] },
  ],
  "trust-create-role-for-lambda-service": [{ rule: "role-trust-update", severity: "low", actions: [] }],
  "trust-github-oidc-without-sub-condition": [{ rule: "role-trust-update", severity: "high", actions: [] }],
  "trust-opened-to-everyone": [
    // The actor's role sessions revoked, then the opened role closed (sessions revoked, deny policy).
    { rule: "role-trust-update", severity: "critical", actions: ["revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"] },
  ],
  "trust-policy-not-recorded": [{ rule: "role-trust-update", severity: "medium", actions: [] }],
  "trust-untrusted-account-without-external-id": [
    {
      rule: "role-trust-update",
      severity: "critical",
      // The actor (mallory, AKIA key) quarantined, then the opened role closed.
      actions: ["deactivate-access-key:planned", "deactivate-user-keys:planned", "attach-deny-policy:planned", "revoke-sessions:planned", "revoke-sessions:planned", "attach-deny-policy:planned"],
    },
  ],
  "trust-vendor-account-with-external-id": [{ rule: "role-trust-update", severity: "high", actions: [] }],
};

const eventsDir = join(import.meta.dirname, "..", "events");
const sampleNames = readdirSync(eventsDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => name.replace(/\.json$/, ""))
  .sort();
const analyser = createAnalyser(DEFAULT_CONFIG);

describe("sample events", () => {
  it("every sample has expectations and every expectation has a sample", () => {
    expect(sampleNames).toEqual(Object.keys(EXPECTED).sort());
  });

  it("every sample is an EventBridge CloudTrail event in us-east-1 (where IAM events are delivered)", () => {
    for (const name of sampleNames) {
      const event = JSON.parse(readFileSync(join(eventsDir, `${name}.json`), "utf8")) as Record<string, unknown>;
      expect(event["detail-type"], name).toMatch(/^AWS (API Call|Console Sign In) via CloudTrail$/);
      expect(event.region === "us-east-1" || (event.detail as { eventSource?: string }).eventSource !== "iam.amazonaws.com", name).toBe(true);
    }
  });

  it.each(sampleNames)("%s yields exactly its expected findings", (name) => {
    const event: unknown = JSON.parse(readFileSync(join(eventsDir, `${name}.json`), "utf8"));
    const analysis = analyser.analyse(event);
    expect(analysis.kind).toBe("analysed");
    if (analysis.kind !== "analysed") return;
    const actual = analysis.findings.map((finding) => ({
      rule: finding.ruleId,
      severity: finding.severity,
      actions: finding.actions.map((action) => `${action.type}:${action.status}`),
    }));
    expect(actual).toEqual(EXPECTED[name]);
    for (const finding of analysis.findings) {
      // Every finding carries what the on-call needs.
      expect(finding.eventId).toBe((event as { detail: { eventID: string } }).detail.eventID);
      expect(finding.summary.length).toBeGreaterThan(10);
      expect(finding.runbook.length).toBeGreaterThan(50);
      expect(finding.technique.id).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(finding.event.account).toBe("111122223333");
      expect(finding.event.sourceIp).toBeTruthy();
      for (const action of finding.actions) expect(action.reason.length).toBeGreaterThan(5);
    }
  });
});
