import { describe, expect, it } from "vitest";
import type { ResponseAction } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, type Json, cloudTrailRecord, eventBridge, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { MESSAGE_BYTE_BUDGET, alertAttributes, alertSubject, buildAlert, consoleLink } from "./alert-message.js";

const MARKER = "--- structured finding (JSON) ---";
const EVENT_ID = "0c1d2e3f-0000-4000-8000-000000000001";
const POLICY_RULE = "policy-document-grant";
const KEY_RULE = "access-key-created";
const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const ACTOR_KEY = "AKIAALICEKEYEXAMPLE1";
const NEW_KEY = "AKIANEWKEYEXAMPLE001";
const SNS_LIMIT = 262_144;

/** Printable ASCII only: what SNS accepts in a subject and what we promise in attributes. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** C0/C1 controls (bar \n and \t, which the body legitimately uses for layout), DEL, line/paragraph separators. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** An admin-equivalent inline policy put on role "app" by alice (MFA yes), as EventBridge delivers it. */
function adminGrant(overrides: Json = {}, policyDocument: string = policyJson(ADMIN)): Finding {
  const record = iamCall(
    "PutRolePolicy",
    { roleName: "app", policyName: "inline-admin", policyDocument },
    {
      userIdentity: {
        ...iamUser("alice", { accessKeyId: ACTOR_KEY }),
        sessionContext: { attributes: { mfaAuthenticated: "true", creationDate: "2024-05-01T11:00:00Z" } },
      },
      sourceIPAddress: "203.0.113.9",
      userAgent: "aws-cli/2.15.0 Python/3.11",
      awsRegion: "eu-west-2",
      ...overrides,
    },
  );
  return findingOf(eventBridge(record), POLICY_RULE);
}

/** alice creates an access key for bob (planned deactivation of the new key). */
function keyForOther(overrides: Json = {}): Finding {
  const record = iamCall("CreateAccessKey", { userName: "bob" }, {
    responseElements: { accessKey: { accessKeyId: NEW_KEY, status: "Active", userName: "bob", createDate: "May 1, 2024 12:00:00 PM" } },
    ...overrides,
  });
  return findingOf(eventBridge(record), KEY_RULE);
}

const DONE: ResponseAction = {
  type: "deactivate-access-key",
  target: { kind: "access-key", account: ACCOUNT, userName: "alice", accessKeyId: ACTOR_KEY },
  status: "done",
  reason: "deactivated the access key the actor signed the call with",
};
const FAILED: ResponseAction = {
  type: "revoke-sessions",
  target: { kind: "user", account: ACCOUNT, userName: "alice" },
  status: "failed",
  reason: "AccessDenied: responder role may not call iam:PutUserPolicy",
};
const SKIPPED: ResponseAction = {
  type: "revoke-sessions",
  target: { kind: "role", account: ACCOUNT, roleName: "app" },
  status: "skipped",
  reason: "role app is on the protected list",
};

function withActions(finding: Finding, actions: readonly ResponseAction[] = [DONE, FAILED, SKIPPED]): Finding {
  return { ...finding, actions };
}

/** Splits a text alert at the marker: [human part, structured finding parsed back]. */
function splitText(message: string): { human: string; structured: Record<string, unknown> } {
  const index = message.indexOf(MARKER);
  expect(index, "structured-finding marker present").toBeGreaterThan(0);
  const human = message.slice(0, index);
  const structured = JSON.parse(message.slice(index + MARKER.length)) as Record<string, unknown>;
  return { human, structured };
}

interface ChatbotPayload {
  version: string;
  source: string;
  content: { textType: string; title: string; description: string; nextSteps: string[] };
  metadata: { threadId: string; additionalContext: { severity: string } };
}

function chatbot(finding: Finding): { subject: string; payload: ChatbotPayload; message: string } {
  const alert = buildAlert(finding, "chatbot");
  return { subject: alert.subject, payload: JSON.parse(alert.message) as ChatbotPayload, message: alert.message };
}

/** ~600 KB admin-equivalent document: Allow * on * plus thousands of filler statements. */
function hugeAdminDocument(): string {
  const filler = Array.from({ length: 6000 }, (_, index) => ({
    Sid: `Filler${index}`,
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:ListBucket"],
    Resource: [`arn:aws:s3:::filler-bucket-${index}`, `arn:aws:s3:::filler-bucket-${index}/*`],
  }));
  return JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN, ...filler] });
}

describe("alertSubject", () => {
  it("starts with the severity in brackets and names the title and account", () => {
    const finding = adminGrant();
    expect(finding.severity).toBe("critical");
    const subject = alertSubject(finding);
    expect(subject.startsWith("[CRITICAL] ")).toBe(true);
    expect(subject).toContain(finding.title);
    expect(subject).toContain(ACCOUNT);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.length).toBeLessThanOrEqual(99);
  });

  it.each([
    ["a newline", "111122223333\nBcc: attacker@example.com"],
    ["CR/LF and tabs", "1111\r\n\t2222\u0000\u001b[31m"],
    ["unicode", "111122223333-ünïcødé-账户"],
    ["emoji", "111122223333 🚨🔥💀"],
    ["300 characters", "9".repeat(300)],
    ["all of them at length", `\n🚨é\u007f\u0085\u2028${"x".repeat(300)}`],
  ])("stays ASCII, control-free, <= 99 chars and severity-first with %s in recipientAccountId", (_label, account) => {
    const finding = adminGrant({ recipientAccountId: account });
    expect(finding.event.account).toBe(account);
    const subject = alertSubject(finding);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject.startsWith("[CRITICAL] ")).toBe(true);
    expect(buildAlert(finding).subject).toBe(subject);
    expect(buildAlert(finding, "chatbot").subject).toBe(subject);
  });

  it("uses each severity the finding carries", () => {
    const finding = keyForOther();
    expect(alertSubject(finding).startsWith(`[${finding.severity.toUpperCase()}] `)).toBe(true);
  });
});

describe("buildAlert text body", () => {
  const finding = withActions(adminGrant());
  const { message } = buildAlert(finding);
  const { human, structured } = splitText(message);

  it("says what happened", () => {
    expect(human).toContain(finding.summary);
    expect(finding.summary).toContain("PutRolePolicy");
  });

  it("says who: actor ARN, access key id, MFA", () => {
    expect(human).toContain(`arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(human).toContain(ACTOR_KEY);
    expect(human).toContain("MFA yes");
  });

  it("says where: account, region, source IP, user agent", () => {
    expect(human).toContain(ACCOUNT);
    expect(human).toContain("eu-west-2");
    expect(human).toContain("203.0.113.9");
    expect(human).toContain("aws-cli/2.15.0 Python/3.11");
  });

  it("says when", () => {
    expect(human).toContain("2024-05-01T12:00:00Z");
  });

  it("gives severity and why it matters", () => {
    expect(human).toContain("CRITICAL");
    expect(human).toContain(finding.whyItMatters);
  });

  it("lists every action with its status and reason or error", () => {
    expect(human).toMatch(/DONE deactivate-access-key[^\n]*deactivated the access key the actor signed the call with/);
    expect(human).toMatch(/FAILED revoke-sessions[^\n]*AccessDenied: responder role may not call iam:PutUserPolicy/);
    expect(human).toMatch(/SKIPPED revoke-sessions[^\n]*role app is on the protected list/);
  });

  it("says when no action was taken", () => {
    const { human: quiet } = splitText(buildAlert(withActions(adminGrant(), [])).message);
    expect(quiet).toMatch(/none \(alert only\)/);
  });

  it("includes the runbook", () => {
    expect(human).toContain(finding.runbook);
  });

  it("links the event in the CloudTrail console of its region", () => {
    const link = `https://eu-west-2.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-2#/events/${EVENT_ID}`;
    expect(consoleLink(finding)).toBe(link);
    expect(human).toContain(link);
  });

  it("includes the pretty-printed policy document as evidence", () => {
    const pretty = JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN] }, null, 2);
    expect(finding.evidence?.policyDocument).toBe(pretty);
    expect(human).toContain(pretty);
  });

  it("puts humans first and the structured finding (JSON) last, parsing back", () => {
    expect(human.indexOf(finding.summary)).toBeLessThan(message.indexOf(MARKER));
    expect(structured.ruleId).toBe(POLICY_RULE);
    expect(structured.severity).toBe("critical");
    expect(structured.eventId).toBe(EVENT_ID);
    expect(structured.findingId).toBe(finding.findingId);
    expect((structured.actions as ResponseAction[]).map((action) => action.status)).toEqual(["done", "failed", "skipped"]);
  });

  it("uses the text format by default", () => {
    expect(buildAlert(finding, "text").message).toBe(message);
  });
});

describe("consoleLink", () => {
  it.each([
    ["a host-smuggling region", { awsRegion: "us-east-1.evil.com/x" }],
    ["a region with a path", { awsRegion: "us-east-1/../../evil" }],
    ["an upper-case region", { awsRegion: "US-EAST-1" }],
    ["an event id with a slash", { eventID: "0c1d2e3f/../../evil" }],
    ["an event id with a fragment", { eventID: "0c1d2e3f#evil" }],
    ["an event id with a query", { eventID: "0c1d?x=https://evil.example" }],
  ])("is omitted for %s", (_label, overrides) => {
    const finding = adminGrant(overrides);
    expect(consoleLink(finding)).toBeUndefined();
    const { message } = buildAlert(finding);
    const { human } = splitText(message);
    expect(human).not.toContain("console.aws.amazon.com");
    expect(message).not.toContain("cloudtrailv2");
    expect(buildAlert(finding, "chatbot").message).not.toContain("console.aws.amazon.com");
  });

  it("is omitted when the event id is synthetic (record without eventID)", () => {
    const finding = adminGrant({ eventID: undefined });
    expect(finding.event.eventIdIsSynthetic).toBe(true);
    expect(finding.eventId).toMatch(/^synthetic-/);
    expect(consoleLink(finding)).toBeUndefined();
    expect(buildAlert(finding).message).not.toContain("console.aws.amazon.com");
    expect(buildAlert(finding, "chatbot").message).not.toContain("console.aws.amazon.com");
  });

  it("is present for a well-formed region and event id", () => {
    const finding = keyForOther({ awsRegion: "us-gov-west-1" });
    expect(consoleLink(finding)).toBe(
      `https://us-gov-west-1.console.aws.amazon.com/cloudtrailv2/home?region=us-gov-west-1#/events/${EVENT_ID}`,
    );
  });
});

describe("attacker-controlled strings in the text body", () => {
  const hostileAgent = "\u001b[31mred\u001b[0m\r\nFAKE: line";
  const hostileUser = "mallory\nFAKE: approved by security";
  const finding = withActions(
    keyForOther({
      userIdentity: iamUser(hostileUser),
      userAgent: hostileAgent,
      requestParameters: { userName: "bob\r\nFAKE: nothing to see" },
    }),
  );
  const { message } = buildAlert(finding);
  const { human, structured } = splitText(message);

  it("the finding really carries the hostile strings", () => {
    expect(finding.event.userAgent).toBe(hostileAgent);
    expect(finding.actor.arn).toContain(hostileUser);
  });

  it("never prints ANSI escapes or control characters raw in the human part", () => {
    expect(human).not.toContain("\u001b");
    expect(human).not.toContain("\r");
    expect(human).not.toMatch(RAW_CONTROL);
  });

  it("cannot forge lines: no raw newline before FAKE", () => {
    expect(human).not.toContain("\r\nFAKE");
    expect(human).not.toContain("\nFAKE");
    for (const line of human.split("\n")) expect(line.startsWith("FAKE")).toBe(false);
  });

  it("still shows the hostile values, escaped", () => {
    expect(human).toContain("red");
    expect(human).toContain("mallory");
  });

  it("keeps the exact values in the structured JSON", () => {
    expect((structured.event as Record<string, unknown>).userAgent).toBe(hostileAgent);
    expect(message).not.toContain("\u001b");
  });

  it("keeps the chatbot description free of raw control characters", () => {
    const { payload } = chatbot(finding);
    expect(payload.content.description).not.toContain("\u001b");
    expect(payload.content.description).not.toContain("\nFAKE");
    expect(payload.content.title).toMatch(PRINTABLE_ASCII);
  });
});

describe("message size", () => {
  const document = hugeAdminDocument();
  const finding = withActions(adminGrant({}, document));

  it("builds a real ~600 KB admin-equivalent finding", () => {
    expect(document.length).toBeGreaterThan(550_000);
    expect(finding.severity).toBe("critical");
    expect((finding.evidence?.policyDocument ?? "").length).toBeGreaterThan(550_000);
  });

  it("keeps the text message within the budget, says it truncated, and the JSON still parses", () => {
    const alert = buildAlert(finding);
    expect(MESSAGE_BYTE_BUDGET).toBeLessThanOrEqual(240_000);
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(240_000);
    expect(alert.message).toMatch(/truncated/);
    const { human, structured } = splitText(alert.message);
    expect(human).toMatch(/truncated/);
    expect(structured.ruleId).toBe(POLICY_RULE);
    expect(structured.severity).toBe("critical");
    expect(structured.eventId).toBe(EVENT_ID);
  });

  it("keeps the whole publish (subject + message + attributes) under SNS's 256 KB", () => {
    const alert = buildAlert(finding);
    const attributeBytes = Object.entries(alert.attributes).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? ""),
      0,
    );
    expect(Buffer.byteLength(alert.message) + Buffer.byteLength(alert.subject) + attributeBytes).toBeLessThan(SNS_LIMIT);
  });

  it("keeps the chatbot message within the budget, says it truncated, and it parses", () => {
    const alert = buildAlert(finding, "chatbot");
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(240_000);
    expect(alert.message).toMatch(/truncated/);
    const payload = JSON.parse(alert.message) as ChatbotPayload;
    expect(payload.metadata.threadId).toBe(EVENT_ID);
    expect(payload.metadata.additionalContext.severity).toBe("critical");
  });

  it("does not truncate a normal policy document", () => {
    expect(buildAlert(adminGrant()).message).not.toMatch(/truncated/);
  });
});

describe("alertAttributes", () => {
  it("has exactly severity, category, ruleId and account as Strings matching the finding", () => {
    const finding = adminGrant();
    const attributes = alertAttributes(finding);
    expect(Object.keys(attributes).sort()).toEqual(["account", "category", "ruleId", "severity"]);
    expect(attributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      category: { DataType: "String", StringValue: "policy-change" },
      ruleId: { DataType: "String", StringValue: POLICY_RULE },
      account: { DataType: "String", StringValue: ACCOUNT },
    });
    expect(buildAlert(finding).attributes).toEqual(attributes);
    expect(buildAlert(finding, "chatbot").attributes).toEqual(attributes);
  });

  it("matches another rule's finding", () => {
    const finding = keyForOther();
    const attributes = alertAttributes(finding);
    expect(attributes.severity?.StringValue).toBe(finding.severity);
    expect(attributes.category?.StringValue).toBe("access-key");
    expect(attributes.ruleId?.StringValue).toBe(KEY_RULE);
  });

  it('says "unknown" when the account is missing', () => {
    // A raw record (no EventBridge envelope) with no recipientAccountId and no actor account.
    const { accountId: _dropped, ...identity } = iamUser("alice");
    const record = cloudTrailRecord({
      eventName: "PutRolePolicy",
      requestParameters: { roleName: "app", policyName: "p", policyDocument: policyJson(ADMIN) },
      recipientAccountId: undefined,
      userIdentity: identity,
    });
    const finding = findingOf(record, POLICY_RULE);
    expect(finding.event.account).toBeUndefined();
    expect(alertAttributes(finding).account).toEqual({ DataType: "String", StringValue: "unknown" });
    expect(alertSubject(finding)).toMatch(PRINTABLE_ASCII);
  });

  it.each([
    ["newline and escape", "1111\n2222\u001b[0m"],
    ["unicode and emoji", "账户🚨ü"],
    ["300 characters", "7".repeat(300)],
  ])("keeps values printable ASCII with %s in the account", (_label, account) => {
    const attributes = alertAttributes(adminGrant({ recipientAccountId: account }));
    expect(Object.keys(attributes).sort()).toEqual(["account", "category", "ruleId", "severity"]);
    for (const value of Object.values(attributes)) {
      expect(value.DataType).toBe("String");
      expect(value.StringValue).toMatch(PRINTABLE_ASCII);
      expect((value.StringValue ?? "").length).toBeGreaterThan(0);
    }
  });
});

describe("buildAlert chatbot format", () => {
  const finding = withActions(adminGrant());
  const { subject, payload, message } = chatbot(finding);

  it("is an AWS Chatbot custom notification", () => {
    expect(payload.version).toBe("1.0");
    expect(payload.source).toBe("custom");
    expect(payload.content.textType).toBe("client-markdown");
  });

  it("uses the subject as the title", () => {
    expect(payload.content.title).toBe(subject);
    expect(payload.content.title).toBe(alertSubject(finding));
  });

  it("describes the summary and the actions with their status", () => {
    expect(payload.content.description).toContain(finding.summary);
    expect(payload.content.description).toMatch(/DONE deactivate-access-key/);
    expect(payload.content.description).toContain(FAILED.reason);
    expect(payload.content.description).toMatch(/SKIPPED revoke-sessions/);
  });

  it("gives the runbook as next steps", () => {
    expect(payload.content.nextSteps.join("\n")).toContain(finding.runbook);
  });

  it("threads by event id and carries the severity", () => {
    expect(payload.metadata.threadId).toBe(EVENT_ID);
    expect(payload.metadata.additionalContext.severity).toBe("critical");
  });

  it("links the console event", () => {
    expect(message).toContain(`https://eu-west-2.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-2#/events/${EVENT_ID}`);
  });
});

describe("alerts that are too large even without the policy document", () => {
  it("keep the human part within SNS's limit and drop, not cut, the structured copy", () => {
    const base = findingOf(eventBridge(iamCall("PutRolePolicy", { roleName: "r", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) })), POLICY_RULE);
    const huge = { ...base, evidence: undefined, reasons: Array.from({ length: 5000 }, (_, i) => `reason ${i} ${"x".repeat(100)}`) };
    const alert = buildAlert(huge);
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
    expect(alert.message).toContain("CRITICAL  Admin-equivalent IAM policy granted");
    expect(alert.message).toContain("structured finding omitted");
    expect(alert.message).not.toContain("--- structured finding (JSON) ---");
  });
});
