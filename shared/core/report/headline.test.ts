import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, type Json, assumedRole, eventBridge, findingOf, iamCall, iamUser, policyJson, root } from "../../../test/support/records.js";
import { alertOf, entryOf } from "../../../test/support/alerts.js";
import { alertSubject, buildAlertMessage } from "./alert-message.js";
import { PAGE_SUBJECT_MAX, SMS_MAX, SUBJECT_MAX, alertHeadline, pageSubject, smsText } from "./headline.js";

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";
const ID = "TG-5f3a9c1e0a1b";

/** `actor` attaches AdministratorAccess to `target` (managed-policy-attached, critical). */
function adminAttach(identity: Json = iamUser("mallory"), target = "newadmin", overrides: Json = {}): Finding {
  return findingOf(eventBridge(iamCall("AttachUserPolicy", { userName: target, policyArn: ADMIN_POLICY }, { userIdentity: identity, ...overrides })), "managed-policy-attached");
}

function keyFor(user: string, identity: Json = iamUser("mallory")): Finding {
  const record = iamCall("CreateAccessKey", { userName: user }, {
    userIdentity: identity,
    responseElements: { accessKey: { accessKeyId: "AKIANEWKEYEXAMPLE001", status: "Active", userName: user, createDate: "May 1, 2024 12:00:00 PM" } },
  });
  return findingOf(eventBridge(record), "access-key-created");
}

const message = (findings: readonly Finding[], options: Parameters<typeof alertOf>[1] = {}) => buildAlertMessage(alertOf(findings, options), { httpsFormat: "chatbot" });

describe("alertHeadline", () => {
  it("names the pattern for rules that judge one (a burst of refused calls, repeated failed sign-ins), not only its last event", () => {
    const key = findingOf(
      eventBridge(iamCall("CreateAccessKey", { userName: "bob" }, { userIdentity: iamUser("intruder"), responseElements: { accessKey: { accessKeyId: "AKIANEWKEYEXAMPLE001", status: "Active", userName: "bob" } } })),
      "access-key-created",
    );
    expect(alertHeadline(key)).toBe("intruder created an access key for bob");
    const burst: Finding = { ...key, ruleId: "denied-calls-burst", signals: ["denied-calls-burst"], event: { ...key.event, eventName: "GetPasswordData", failed: true, errorCode: "Client.UnauthorizedOperation" } };
    expect(alertHeadline(burst)).toBe("intruder made a burst of refused calls (latest: GetPasswordData)");
    const signIns: Finding = { ...key, ruleId: "console-sign-in-failures", signals: [] };
    expect(alertHeadline(signIns)).toBe("repeated failed console sign-ins (latest as intruder)");
  });

  it("says who did what to what, in words", () => {
    expect(alertHeadline(adminAttach())).toBe("mallory attached AdministratorAccess to newadmin");
    expect(alertHeadline(keyFor("bob"))).toBe("mallory created an access key for bob");
  });

  it("names a role's session when it is short, and only the role when it is not", () => {
    expect(alertHeadline(adminAttach(assumedRole("Deployer", "ci-42")))).toBe("Deployer/ci-42 attached AdministratorAccess to newadmin");
    expect(alertHeadline(adminAttach(assumedRole("Deployer", "a-very-long-session-name-from-a-pipeline-run-12345")))).toBe("Deployer attached AdministratorAccess to newadmin");
  });

  it("names the person behind an Identity Center session, not the permission-set role", () => {
    const sso = assumedRole("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "mallory@example.com", { path: "aws-reserved/sso.amazonaws.com/" });
    expect(alertHeadline(adminAttach(sso))).toBe("mallory@example.com attached AdministratorAccess to newadmin");
  });

  it("says root for the root user and a service principal for a service", () => {
    expect(alertHeadline(adminAttach(root()))).toBe("root attached AdministratorAccess to newadmin");
    const finding = adminAttach();
    const service: Finding = { ...finding, actor: { ...finding.actor, type: "AWSService", arn: undefined, principalName: undefined, invokedBy: "cloudformation.amazonaws.com" } };
    expect(alertHeadline(service)).toBe("cloudformation.amazonaws.com attached AdministratorAccess to newadmin");
  });

  it('says "someone" when CloudTrail does not say who', () => {
    const finding = adminAttach();
    expect(alertHeadline({ ...finding, actor: { ...finding.actor, type: undefined, arn: undefined, principalName: undefined } })).toBe("someone attached AdministratorAccess to newadmin");
  });

  it('reads a refused call as "tried to … (error)"', () => {
    const finding = adminAttach(iamUser("mallory"), "newadmin", { errorCode: "AccessDenied", errorMessage: "User: mallory is not authorized" });
    expect(finding.event.failed).toBe(true);
    expect(alertHeadline(finding)).toBe("mallory tried to attach AdministratorAccess to newadmin (AccessDenied)");
  });

  it("phrases the role, inline policy and trust events", () => {
    const inline = findingOf(eventBridge(iamCall("PutRolePolicy", { roleName: "app", policyName: "inline-admin", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) })), "policy-document-grant");
    expect(alertHeadline(inline)).toBe("alice put inline policy inline-admin on role app");
    const trust = findingOf(
      eventBridge(iamCall("UpdateAssumeRolePolicy", { roleName: "app", policyDocument: policyJson({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) })),
      "role-trust-update",
    );
    expect(alertHeadline(trust)).toBe("alice changed the trust policy of role app");
  });

  it("falls back honestly to the event's name", () => {
    const finding = adminAttach();
    expect(alertHeadline({ ...finding, event: { ...finding.event, eventName: "FrobnicateWidget" } })).toBe("mallory called FrobnicateWidget on newadmin");
    expect(alertHeadline({ ...finding, target: undefined, event: { ...finding.event, eventName: "Frob;nicate\nWidget" } })).toBe("mallory called FrobnicateWidget");
  });

  it.each([
    ["a quote and a command", 'mallory"; rm -rf / #'],
    ["a newline forging a line", "mallory\nFAKE: approved by security"],
    ["chat markup", "<!channel> *bold* `code` [x](http://evil)"],
    ["unicode and emoji", "mällory🚨账户"],
    ["300 characters", "m".repeat(300)],
  ])("shows a hostile target name (%s) quoted and restricted, never raw", (_label, hostile) => {
    const headline = alertHeadline(adminAttach(iamUser("mallory"), hostile));
    expect(headline).toMatch(PRINTABLE_ASCII);
    expect(headline.startsWith("mallory attached AdministratorAccess to ")).toBe(true);
    expect(headline).not.toMatch(/[<>`*[\]|\n]/);
    expect(headline).not.toContain("<!channel>");
    expect(headline).not.toContain("\n");
    expect(headline.length).toBeLessThanOrEqual(160);
    if (!/^[\w+=,.@-]+$/.test(hostile)) expect(headline).toMatch(/to "[^"]*"$/);
  });
});

describe("the subject", () => {
  it("is the severity, the headline and the account, named then numbered", () => {
    expect(message([adminAttach()], { accountName: "prod" }).subject).toBe("[CRITICAL] mallory attached AdministratorAccess to newadmin in prod (111122223333)");
  });

  it("carries the incident id when it fits", () => {
    expect(message([adminAttach()]).subject).toBe(`[CRITICAL] mallory attached AdministratorAccess to newadmin in ${ACCOUNT} [${ID}]`);
  });

  it("adds how many more findings the event raised, when it fits", () => {
    const finding = adminAttach();
    const second: Finding = { ...finding, findingId: `${finding.eventId}/other-rule`, ruleId: "other-rule", severity: "medium" };
    const third: Finding = { ...finding, findingId: `${finding.eventId}/third-rule`, ruleId: "third-rule", severity: "low" };
    expect(message([third, finding, second]).subject).toBe(`[CRITICAL] mallory attached AdministratorAccess to newadmin (+2 more findings) in ${ACCOUNT}`);
  });

  it("drops the incident id first, then the count, then the account's name, then cuts the headline", () => {
    const parts = { severity: "critical" as const, headline: "mallory attached AdministratorAccess to newadmin", account: ACCOUNT, accountName: "production-eu", more: 2, incidentId: ID };
    const full = pageSubject(parts, 200);
    expect(full).toBe(`[CRITICAL] mallory attached AdministratorAccess to newadmin (+2 more findings) in production-eu (${ACCOUNT}) [${ID}]`);
    expect(pageSubject(parts, full.length - 1)).toBe(`[CRITICAL] mallory attached AdministratorAccess to newadmin (+2 more findings) in production-eu (${ACCOUNT})`);
    const withoutCount = `[CRITICAL] mallory attached AdministratorAccess to newadmin in production-eu (${ACCOUNT})`;
    expect(pageSubject(parts, withoutCount.length)).toBe(withoutCount);
    expect(pageSubject(parts, withoutCount.length - 1)).toBe(`[CRITICAL] mallory attached AdministratorAccess to newadmin in ${ACCOUNT}`);
    const cut = pageSubject(parts, 50);
    expect(cut).toHaveLength(50);
    expect(cut.startsWith("[CRITICAL] mallory")).toBe(true);
    expect(cut.endsWith(`... in ${ACCOUNT}`)).toBe(true);
  });

  it.each([
    ["hostile long names", iamUser(`${"x".repeat(60)}\n🚨`), `${"n".repeat(64)}\u0000\u001b[31m`],
    ["shell and markup", iamUser('m"; $(reboot) `id` <!channel>'), "<http://evil|click>"],
    ["an invalid long account name", iamUser("mallory"), "newadmin"],
  ])("stays printable ASCII, under 100 characters and severity-first with %s", (_label, identity, target) => {
    const finding = adminAttach(identity, target, { recipientAccountId: `\n${"9".repeat(40)}ü` });
    const subject = message([finding], { accountName: "a-rather-long-account-name-x" }).subject;
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.length).toBeLessThanOrEqual(PAGE_SUBJECT_MAX);
    expect(subject.startsWith("[CRITICAL] ")).toBe(true);
  });

  it("holds for any names (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), fc.string({ maxLength: 300, unit: "binary" }), fc.option(fc.string({ maxLength: 80 }), { nil: undefined }), (actor, target, accountName) => {
        const subject = message([adminAttach(iamUser(actor || "a"), target || "t")], { ...(accountName === undefined ? {} : { accountName }) }).subject;
        expect(subject).toMatch(PRINTABLE_ASCII);
        expect(subject.length).toBeLessThanOrEqual(PAGE_SUBJECT_MAX);
        expect(subject).toMatch(/^\[CRITICAL\] /);
        expect(subject).toContain(ACCOUNT);
      }),
      { numRuns: 300 },
    );
  });
});

describe("an update's subject", () => {
  it("is Re: and exactly the subject its incident's page had, so mail clients thread it", () => {
    const page = adminAttach();
    const pageMessage = message([page], { accountName: "prod" });
    const later = keyFor("bob", iamUser("mallory"));
    const laterAt = { ...later, eventId: "second-event", findingId: "second-event/access-key-created", event: { ...later.event, eventId: "second-event", eventTime: "2024-05-01T12:10:00Z" } };
    const update = message([laterAt], { kind: "update", accountName: "prod", earlier: [entryOf([page], "page")] });
    expect(update.subject).toBe(`Re: ${pageMessage.subject}`);
    expect(update.subject).not.toContain("access key");
    expect(update.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
  });

  it("threads under the latest page when the incident paged again", () => {
    const first = keyFor("bob");
    const second = adminAttach();
    const secondAt = { ...second, eventId: "e2", findingId: "e2/managed-policy-attached", event: { ...second.event, eventId: "e2" } };
    const repage = message([secondAt], { earlier: [entryOf([first], "page")] });
    const third = keyFor("carol");
    const thirdAt = { ...third, eventId: "e3", findingId: "e3/access-key-created", event: { ...third.event, eventId: "e3" } };
    const update = message([thirdAt], { kind: "update", earlier: [entryOf([first], "page"), entryOf([secondAt], "page")] });
    expect(update.subject).toBe(`Re: ${repage.subject}`);
    expect(update.subject).toContain("[CRITICAL] mallory attached AdministratorAccess");
  });

  it("rebuilds the page's subject with its own count of findings", () => {
    const page = adminAttach();
    const extra: Finding = { ...page, findingId: `${page.eventId}/x`, ruleId: "x", severity: "low" };
    const pageMessage = message([page, extra]);
    const later = keyFor("bob");
    const update = message([{ ...later, eventId: "e9", event: { ...later.event, eventId: "e9" } }], { kind: "update", earlier: [entryOf([page, extra], "page")] });
    expect(pageMessage.subject).toContain("(+1 more finding)");
    expect(update.subject).toBe(`Re: ${pageMessage.subject}`);
  });

  it("stays within 99 characters whatever the page's headline was", () => {
    const later = keyFor("bob");
    const hostileEntry = { ...entryOf([adminAttach()], "page"), eventId: "old", headline: `${"\u0000x".repeat(200)}\n[LOW] all clear` };
    const subject = alertSubject(alertOf([later], { kind: "update", earlier: [hostileEntry] }));
    expect(subject.startsWith("Re: [CRITICAL] ")).toBe(true);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject).toMatch(PRINTABLE_ASCII);
  });
});

describe("the SMS", () => {
  const sms = (findings: readonly Finding[], options: Parameters<typeof alertOf>[1] = {}) => (JSON.parse(message(findings, options).message) as { sms: string }).sms;

  it("is the severity, the incident, the headline and the account", () => {
    expect(sms([adminAttach()], { accountName: "prod" })).toBe(`[CRITICAL] ${ID} mallory attached AdministratorAccess to newadmin in prod`);
    expect(sms([adminAttach()])).toBe(`[CRITICAL] ${ID} mallory attached AdministratorAccess to newadmin in ${ACCOUNT}`);
  });

  it("marks an update", () => {
    const later = keyFor("bob");
    expect(sms([later], { kind: "update", earlier: [{ ...entryOf([adminAttach()], "page"), eventId: "old" }] })).toBe(
      `[${later.severity.toUpperCase()}] update ${ID} mallory created an access key for bob in ${ACCOUNT}`,
    );
  });

  it("stays within 140 printable ASCII characters with hostile long names", () => {
    const text = sms([adminAttach(iamUser(`${"é".repeat(100)}\n`), `${"<!channel>".repeat(30)}`)], { accountName: "x".repeat(32) });
    expect(text.length).toBeLessThanOrEqual(SMS_MAX);
    expect(text).toMatch(PRINTABLE_ASCII);
    expect(text.startsWith(`[CRITICAL] ${ID} `)).toBe(true);
    expect(text.endsWith(` in ${"x".repeat(32)}`)).toBe(true);
    expect(smsText({ severity: "low", headline: "h".repeat(500), account: ACCOUNT, accountName: undefined, more: 3, incidentId: ID, kind: "page" }).length).toBe(SMS_MAX);
  });
});
