import { describe, expect, it } from "vitest";
import type { ResponseAction } from "../model/action.js";
import { ACCOUNT, eventBridge, findingOf, iamCall, iamUser } from "../../../test/support/records.js";
import { ANSI, PLAIN, formatActionLines, formatFinding, formatFindingFacts } from "./format-finding.js";

const finding = findingOf(
  eventBridge(iamCall("AttachUserPolicy", { userName: "newadmin", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { userIdentity: iamUser("mallory") })),
  "managed-policy-attached",
);
const failed: ResponseAction = { type: "attach-deny-policy", target: { kind: "user", account: ACCOUNT, userName: "mallory" }, status: "failed", reason: "AccessDenied: no" };

describe("formatFinding (the terminal report)", () => {
  it("keeps its order: facts, actions, rule, runbook, event", () => {
    const lines = formatFinding({ ...finding, actions: [failed] }, PLAIN, "file.json Records[0]");
    const labels = lines.slice(1).map((line) => line.slice(2, 10).trim()).filter((label) => label !== "");
    expect(labels).toEqual(["what", "who", "where", "when", "why", "because", "actions", "rule", "next", "event"]);
    expect(lines).toContain(`  actions FAILED attach-deny-policy on user "mallory" in ${ACCOUNT}: AccessDenied: no`);
    expect(lines).toContain(`  next    ${finding.runbook}`);
    expect(lines[lines.length - 1]).toContain("· file.json Records[0]");
  });

  it("says when nothing was done", () => {
    expect(formatFinding({ ...finding, actions: [] })).toContain("  actions none (alert only)");
  });
});

describe("formatFindingFacts (the alert's facts block)", () => {
  it("has the facts, the rule and the event, but no actions and no runbook", () => {
    const text = formatFindingFacts({ ...finding, actions: [failed] }, PLAIN, { accountName: "prod" }).join("\n");
    expect(text).toContain(`  where   account ${ACCOUNT} (prod) · us-east-1`);
    expect(text).toContain("  rule    managed-policy-attached (policy-change)");
    expect(text).not.toContain("attach-deny-policy");
    expect(text).not.toContain(finding.runbook);
  });

  it("colours statuses only when asked", () => {
    expect(formatActionLines({ ...finding, actions: [failed] }, ANSI)[0]).toContain("\u001b[1;31mFAILED\u001b[0m");
    expect(formatActionLines({ ...finding, actions: [failed] })[0]).toBe(`FAILED attach-deny-policy on user "mallory" in ${ACCOUNT}: AccessDenied: no`);
  });
});
