import { describe, expect, it } from "vitest";
import type { AlertDocument } from "../alerting/alert.js";
import type { ResponseAction } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, type Json, assumedRole, cloudTrailRecord, eventBridge, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { INCIDENT_ID, alertOf, entryOf } from "../../../test/support/alerts.js";
import { type AlertMessage, MESSAGE_BYTE_BUDGET, alertAttributes, buildAlertMessage, consoleLink } from "./alert-message.js";
import { CHATBOT_LIMITS } from "./chatbot.js";

const EVENT_ID = "0c1d2e3f-0000-4000-8000-000000000001";
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";
const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const MALLORY_KEY = "AKIAMALLORYKEY000001";
const SNS_LIMIT = 262_144;
const PROTOCOLS = ["default", "email", "email-json", "sms", "sqs", "lambda", "http", "https", "firehose"];
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** C0/C1 controls (bar \n, which the text uses for layout), DEL, line/paragraph separators. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

type Bodies = Record<string, string>;
interface Chatbot {
  version: string;
  source: string;
  id: string;
  content: { textType: string; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

/** mallory (MFA no) attaches AdministratorAccess to newadmin: critical, managed-policy-attached. */
function adminAttach(identity: Json = iamUser("mallory", { accessKeyId: MALLORY_KEY }), target = "newadmin", overrides: Json = {}): Finding {
  const record = iamCall("AttachUserPolicy", { userName: target, policyArn: ADMIN_POLICY }, { userIdentity: identity, sourceIPAddress: "203.0.113.9", ...overrides });
  return findingOf(eventBridge(record), "managed-policy-attached");
}

/** An inline admin grant on role "app", with the document recorded as evidence. */
function inlineGrant(policyDocument: string = policyJson(ADMIN), overrides: Json = {}): Finding {
  return findingOf(eventBridge(iamCall("PutRolePolicy", { roleName: "app", policyName: "inline-admin", policyDocument }, overrides)), "policy-document-grant");
}

const DONE: ResponseAction = {
  type: "deactivate-access-key",
  target: { kind: "access-key", account: ACCOUNT, userName: "mallory", accessKeyId: MALLORY_KEY },
  status: "done",
  reason: "deactivated (not deleted: the key id is evidence)",
  undo: [{ kind: "reactivate-access-key", account: ACCOUNT, userName: "mallory", accessKeyId: MALLORY_KEY }],
};
const FAILED: ResponseAction = {
  type: "attach-deny-policy",
  target: { kind: "user", account: ACCOUNT, userName: "mallory" },
  status: "failed",
  reason: "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/trailguard-responder/iam-responder is not authorized to perform: iam:AttachUserPolicy",
};
const DRY_RUN: ResponseAction = {
  type: "revoke-sessions",
  target: { kind: "role", account: ACCOUNT, roleName: "app" },
  status: "dry-run",
  reason: 'dry-run: would revoke-sessions role "app" in 111122223333 (contain the role)',
};
const SKIPPED: ResponseAction = {
  type: "deactivate-user-keys",
  target: { kind: "user", account: ACCOUNT, userName: "newadmin" },
  status: "skipped",
  reason: "the target is allowlisted (arn:aws:iam::111122223333:user/newadmin)",
};

const withActions = (finding: Finding, actions: readonly ResponseAction[]): Finding => ({ ...finding, actions });

function build(findings: readonly Finding[], options: Parameters<typeof alertOf>[1] = {}, httpsFormat: "chatbot" | "json" = "chatbot"): { alert: AlertMessage; bodies: Bodies; email: string; chatbot: Chatbot | undefined } {
  const alert = buildAlertMessage(alertOf(findings, options), { httpsFormat });
  const bodies = JSON.parse(alert.message) as Bodies;
  const chatbot = httpsFormat === "chatbot" ? (JSON.parse(bodies.https ?? "") as Chatbot) : undefined;
  return { alert, bodies, email: bodies.email ?? "", chatbot };
}

/** The e-mail text's section that starts with `title` (a line of its own), up to the next blank line. */
function section(email: string, title: string): string {
  const start = email.indexOf(`\n${title}\n`);
  expect(start, `section ${title}`).toBeGreaterThan(0);
  const end = email.indexOf("\n\n", start + 1);
  return email.slice(start + 1, end < 0 ? undefined : end);
}

/** The numbered next step whose text contains `marker`, with its indented lines. */
function step(email: string, marker: string): string {
  const steps = section(email, "Next steps").split(/\n(?= {2}\d+\. )/);
  const found = steps.find((candidate) => candidate.includes(marker));
  expect(found, `a next step with ${marker}`).toBeDefined();
  return found ?? "";
}

function totalBytes(alert: AlertMessage): number {
  const attributes = Object.entries(alert.attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? ""), 0);
  return Buffer.byteLength(alert.message) + Buffer.byteLength(alert.subject) + attributes;
}

describe("the SNS message: one body per protocol", () => {
  const finding = withActions(adminAttach(), [DONE, FAILED]);
  const { alert, bodies, email } = build([finding], { accountName: "prod" });

  it("is a MessageStructure json object with every protocol's key", () => {
    expect(alert.messageStructure).toBe("json");
    expect(Object.keys(bodies).sort()).toEqual([...PROTOCOLS].sort());
    expect(bodies.default).toBe(email);
    expect(email.startsWith("PAGE: incident ")).toBe(true);
  });

  it("sends the JSON document to email-json, SQS, Lambda, HTTP and Firehose", () => {
    for (const protocol of ["email-json", "sqs", "lambda", "http", "firehose"]) {
      const document = JSON.parse(bodies[protocol] ?? "") as AlertDocument;
      expect(document).toEqual(JSON.parse(JSON.stringify(alert.document)));
      expect(document.schema).toBe("trailguard.alert/1");
      expect(document.kind).toBe("page");
      expect(document.subject).toBe(alert.subject);
      expect(document.account).toEqual({ id: ACCOUNT, name: "prod" });
      expect(document.incident.id).toBe(INCIDENT_ID);
      expect(document.findings[0]?.findingId).toBe(finding.findingId);
      expect(document.findings[0]?.actions.map((action) => action.status)).toEqual(["done", "failed"]);
      expect(document.truncated).toBeUndefined();
    }
  });

  it("sends HTTPS the Chatbot notification, or the JSON document when asked", () => {
    expect((JSON.parse(bodies.https ?? "") as Chatbot).source).toBe("custom");
    const json = build([finding], { accountName: "prod" }, "json");
    expect(json.bodies.https).toBe(json.bodies.sqs);
    expect(json.alert.subject).toBe(alert.subject);
  });

  it("no longer copies the finding as JSON into the e-mail", () => {
    expect(email).not.toContain('"findingId"');
    expect(email).not.toContain('"schema"');
    expect(email).not.toContain("structured finding");
  });
});

describe("the e-mail text", () => {
  const finding = withActions(adminAttach(), [DONE, FAILED]);
  const { email } = build([finding], { accountName: "prod" });

  it("opens with one line: page, incident, findings from this event, opened at, events in the incident", () => {
    expect(email.split("\n")[0]).toBe(`PAGE: incident ${INCIDENT_ID} · 1 finding from this event · incident opened 2024-05-01T12:00:00Z · 1 event in the incident`);
  });

  it("gives the facts: what, who, where (with the account's name), when, why, the rule and the event", () => {
    expect(email).toContain(`  what    ${finding.summary}`);
    expect(email).toContain(`  who     arn:aws:iam::${ACCOUNT}:user/mallory (IAMUser) · key ${MALLORY_KEY} · MFA unknown`);
    expect(email).toContain(`  where   account ${ACCOUNT} (prod) · us-east-1 · from 203.0.113.9 · aws-cli/2.15.0`);
    expect(email).toContain("  when    2024-05-01T12:00:00Z");
    expect(email).toContain(`  why     ${finding.whyItMatters}`);
    expect(email).toContain("  rule    managed-policy-attached (policy-change)");
    expect(email).toContain(`  event   ${EVENT_ID} · AttachUserPolicy (iam.amazonaws.com)`);
  });

  it("says what trailguard did, each action with its status and reason or AWS error", () => {
    expect(section(email, "What trailguard did").split("\n")).toEqual([
      "What trailguard did",
      `  DONE deactivate-access-key on access key "${MALLORY_KEY}" of user "mallory" in ${ACCOUNT}: ${DONE.reason}`,
      `  FAILED attach-deny-policy on user "mallory" in ${ACCOUNT}: ${FAILED.reason}`,
    ]);
  });

  it("puts the sections in the on-call's order", () => {
    const order = ["What trailguard did", "Next steps", "Investigate", "Console", "If this was legitimate"].map((title) => email.indexOf(`\n${title}`));
    for (const index of order) expect(index).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(email.indexOf("  what ")).toBeLessThan(order[0] ?? 0);
  });

  it("links the event, the actor and the target in the console", () => {
    const links = section(email, "Console");
    expect(links).toContain(`CloudTrail event: https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${EVENT_ID}`);
    expect(links).toContain("IAM user mallory (the actor): https://console.aws.amazon.com/iam/home#/users/details/mallory");
    expect(links).toContain("IAM user newadmin (the target): https://console.aws.amazon.com/iam/home#/users/details/newadmin");
  });

  it("gives investigation commands ready to paste", () => {
    const investigate = section(email, "Investigate (each value below matched AWS's format before it was put in a command)");
    expect(investigate).toContain(
      `  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=mallory --start-time 2024-05-01T11:00:00Z --max-results 50`,
    );
    expect(investigate).toContain(`AttributeKey=AccessKeyId,AttributeValue=${MALLORY_KEY}`);
    expect(investigate).toContain("  aws iam list-access-keys --user-name newadmin");
  });

  it("says how to release what was done", () => {
    expect(email).toContain(`  npm run release -- '${EVENT_ID}/managed-policy-attached'`);
    expect(email).toContain(`  aws iam update-access-key --user-name mallory --access-key-id ${MALLORY_KEY} --status Active`);
  });

  it("shows no timeline for a first page", () => {
    expect(email).not.toContain("so far (oldest first");
  });

  it("shows the policy document as recorded", () => {
    const grant = build([inlineGrant()]).email;
    const pretty = JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN] }, null, 2);
    expect(grant).toContain(`Policy document as recorded (policy-document-grant):\n${pretty.replace(/^/gm, "    ")}`);
  });

  it("shows an unparseable document as an indented block, its control characters escaped", () => {
    const text = build([inlineGrant("{not json\r\nFAKE: approved\u001b[31m")]).email;
    expect(text).toContain("Policy document as recorded (policy-document-grant):\n    {not json\\u000d\n    FAKE: approved\\u001b[31m");
    for (const line of text.split("\n")) expect(line.startsWith("FAKE")).toBe(false);
    expect(text).not.toMatch(RAW_CONTROL);
  });
});

describe("next steps agree with what happened to each action", () => {
  const finding = withActions(adminAttach(), [DONE, FAILED, DRY_RUN, SKIPPED]);
  const { email } = build([finding]);

  it("FAILED: says it did not complete and gives the command to do it by hand", () => {
    const failed = step(email, "FAILED: attach-deny-policy");
    expect(failed).toContain(`FAILED: attach-deny-policy on user "mallory" in ${ACCOUNT} did not complete (AccessDenied). Do it by hand, in account ${ACCOUNT}:`);
    expect(failed).toContain("\n       aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSDenyAll");
  });

  it("DONE: says it is in place and how to check, and asks nothing by hand", () => {
    const done = step(email, "DONE: deactivate-access-key");
    expect(done).toContain("It is in place; to check that it holds");
    expect(done).toContain("\n       aws iam list-access-keys --user-name mallory");
    expect(done).toContain(`expect: access key ${MALLORY_KEY} shows Status Inactive`);
    expect(done).not.toMatch(/by hand/i);
    expect(done).not.toContain("update-access-key");
  });

  it("DRY-RUN: says trailguard is in dry-run, nothing changed, and gives the command", () => {
    const dryRun = step(email, "DRY-RUN:");
    expect(dryRun).toContain(`DRY-RUN: revoke-sessions on role "app" in ${ACCOUNT}: trailguard is in dry-run for this rule, so nothing was changed. To do it by hand, in account ${ACCOUNT}:`);
    expect(dryRun).toContain("\n       aws iam put-role-policy --role-name app --policy-name TrailguardRevokeOlderSessions --policy-document \"");
    expect(dryRun).toContain("$(date -u +%Y-%m-%dT%H:%M:%SZ)");
    expect(dryRun).toContain("or in the IAM console: Roles > app > Revoke active sessions");
  });

  it("SKIPPED: gives the reason, and the command only as the on-call's own decision", () => {
    const skipped = step(email, "SKIPPED:");
    expect(skipped).toContain(`SKIPPED: deactivate-user-keys on user "newadmin" in ${ACCOUNT}: ${SKIPPED.reason}. If you decide it must be done anyway, by hand`);
    expect(skipped).toContain("aws iam list-access-keys --user-name newadmin --query");
  });

  it("SKIPPED because the call failed: nothing to do by hand", () => {
    const failedCall = withActions(adminAttach(undefined, "newadmin", { errorCode: "AccessDenied" }), [{ ...SKIPPED, reason: "the call failed (AccessDenied): nothing changed, so there is nothing to undo" }]);
    const text = build([failedCall]).email;
    expect(step(text, "SKIPPED:")).toContain("Nothing to do by hand for it.");
    expect(step(text, "SKIPPED:")).not.toContain("aws iam");
  });

  it("PLANNED: says it had not been carried out and gives the command in case it is not", () => {
    const planned: ResponseAction = { ...FAILED, status: "planned", reason: "contain the actor: Admin-equivalent IAM policy attached" };
    const text = build([withActions(adminAttach(), [planned])]).email;
    const plannedStep = step(text, "PLANNED:");
    expect(plannedStep).toContain(`PLANNED: attach-deny-policy on user "mallory" in ${ACCOUNT} had not been carried out when this alert was sent. If it is not, by hand, in account ${ACCOUNT}:`);
    expect(plannedStep).toContain("aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSDenyAll");
    expect(section(text, "What trailguard did")).toContain("  PLANNED attach-deny-policy");
  });

  it("lists what is left to do before what is done, then the runbook", () => {
    const order = ["FAILED:", "DRY-RUN:", "SKIPPED:", "DONE:", "Runbook (managed-policy-attached):"].map((marker) => section(email, "Next steps").indexOf(marker));
    for (const index of order) expect(index).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(section(email, "Next steps")).toContain(finding.runbook);
  });

  it("never says trailguard did something whose action did not succeed", () => {
    const text = build([withActions(adminAttach(), [FAILED])]).email;
    expect(text).not.toContain("DONE");
    expect(text).not.toMatch(/trailguard (quarantines|deactivates|does this)/);
  });

  it("says when there was nothing to do", () => {
    const text = build([withActions(adminAttach(), [])]).email;
    expect(section(text, "What trailguard did")).toContain("  nothing: alert only");
    expect(section(text, "Next steps")).toMatch(/^Next steps\n {2}1\. Runbook \(managed-policy-attached\)/);
  });
});

describe("attacker-controlled strings", () => {
  const hostileUser = 'mallory"; rm -rf ~ #\nFAKE: approved by security';
  const hostileTarget = "<!channel> <http://evil.example|click> *urgent* `x` [x](http://evil.example) @here";
  const hostileAgent = "\u001b[31mred\u001b[0m\r\nFAKE: line";
  const finding = withActions(adminAttach(iamUser(hostileUser, { accessKeyId: MALLORY_KEY }), hostileTarget, { userAgent: hostileAgent }), [
    { ...FAILED, target: { kind: "user", account: ACCOUNT, userName: hostileUser } },
    { ...DONE, target: { kind: "access-key", account: ACCOUNT, userName: hostileUser, accessKeyId: MALLORY_KEY }, undo: [] },
  ]);
  const { alert, email, chatbot, bodies } = build([finding], { accountName: "prod" });

  it("the finding really carries them", () => {
    expect(finding.actor.principalName).toBe(hostileUser);
    expect(finding.event.userAgent).toBe(hostileAgent);
    expect(finding.target?.name).toBe(hostileTarget);
  });

  it("never reach the e-mail raw: no control characters, no forged lines", () => {
    expect(email).not.toMatch(RAW_CONTROL);
    for (const line of email.split("\n")) expect(line.startsWith("FAKE")).toBe(false);
    expect(email).toContain("red");
  });

  it("never reach a command: every command line holds only checked values", () => {
    const commandLines = email.split("\n").filter((line) => /^ +(aws|for key in) /.test(line));
    expect(commandLines.length).toBeGreaterThan(0);
    for (const line of commandLines) {
      expect(line).not.toContain("mallory");
      expect(line).not.toContain("rm -rf");
      expect(line).not.toContain("<!channel>");
    }
    expect(step(email, "FAILED:")).toMatch(/\(no command: the user name ".*" is not a valid IAM user name, so it is not put into a command\)/);
    expect(section(email, "Console")).not.toContain("iam/home");
  });

  it("keep the subject, SMS and attributes printable ASCII, the names quoted", () => {
    expect(alert.subject).toMatch(PRINTABLE_ASCII);
    expect(alert.subject.startsWith('[CRITICAL] "mallory')).toBe(true);
    expect(alert.subject).not.toMatch(/[<>`*\n]/);
    expect(bodies.sms).toMatch(PRINTABLE_ASCII);
    for (const value of Object.values(alert.attributes)) expect(value.StringValue).toMatch(PRINTABLE_ASCII);
  });

  it("cannot mention, link or format in chat", () => {
    const notification = chatbot as Chatbot;
    const everything = [notification.content.title, notification.content.description, ...notification.content.nextSteps, notification.metadata.summary].join("\n");
    expect(everything).not.toContain("<!channel>");
    expect(everything).not.toContain("<http://evil");
    expect(everything).not.toContain("*urgent*");
    expect(everything).not.toContain("](http");
    expect(everything).not.toContain("http://evil");
    expect(everything).not.toMatch(/@here/);
    expect(everything).not.toContain("\u001b");
    expect(everything).not.toContain("\nFAKE");
    // The only angle brackets are trailguard's own links; the only backticks its code blocks.
    for (const link of everything.match(/<[^>]*>/g) ?? []) expect(link).toMatch(/^<https:\/\/[\w.-]+\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/[\w/?=#.-]*\|[^<>]*>$/);
    const withoutCode = everything.replace(/```[^`]*```/g, "").replace(/`npm run release -- '[\w/-]+'`/g, "");
    expect(withoutCode).not.toContain("`");
    for (const block of everything.match(/```[^`]*```/g) ?? []) expect(block).not.toContain("mallory");
  });
});

describe("several findings from one event", () => {
  const grant = withActions(adminAttach(), [DONE]);
  const other: Finding = { ...adminAttach(), findingId: `${EVENT_ID}/group-membership-added`, ruleId: "group-membership-added", severity: "medium", title: "Second finding", runbook: "Second runbook text.", actions: [FAILED] };
  const { alert, email, chatbot } = build([other, grant]);

  it("are one message, the most severe first", () => {
    expect(alert.subject.startsWith("[CRITICAL] mallory attached AdministratorAccess to newadmin (+1 more finding)")).toBe(true);
    expect(email.split("\n")[0]).toContain("· 2 findings from this event ·");
    expect(email.indexOf("Finding 1 of 2")).toBeLessThan(email.indexOf("Finding 2 of 2"));
    expect(email.indexOf(" CRITICAL  ")).toBeLessThan(email.indexOf(" MEDIUM  Second finding"));
    expect(alert.document.findings.map((finding) => finding.ruleId)).toEqual(["managed-policy-attached", "group-membership-added"]);
  });

  it("list each finding's actions and runbook", () => {
    const did = section(email, "What trailguard did");
    expect(did).toContain("  Admin-equivalent IAM policy attached (managed-policy-attached):\n    DONE deactivate-access-key");
    expect(did).toContain("  Second finding (group-membership-added):\n    FAILED attach-deny-policy");
    expect(section(email, "Next steps")).toContain("Runbook (group-membership-added): Second runbook text.");
    expect(section(email, "Next steps")).toContain("Runbook (managed-policy-attached):");
  });

  it("carry every rule id in the attributes and the worst one's severity, category and rule", () => {
    expect(alert.attributes.ruleIds).toEqual({ DataType: "String.Array", StringValue: '["managed-policy-attached","group-membership-added"]' });
    expect(alert.attributes.ruleId?.StringValue).toBe("managed-policy-attached");
    expect(alert.attributes.severity?.StringValue).toBe("critical");
    expect((chatbot as Chatbot).content.description).toContain("*2. MEDIUM: Second finding*");
  });
});

describe("an update and a repeated page", () => {
  const page = withActions(adminAttach(), [DONE]);
  const later = withActions(adminAttach(iamUser("mallory", { accessKeyId: MALLORY_KEY }), "carol"), []);
  const laterEvent: Finding = { ...later, eventId: "e-2", findingId: "e-2/managed-policy-attached", event: { ...later.event, eventId: "e-2", eventTime: "2024-05-01T12:20:00Z", eventName: "AttachUserPolicy" } };
  const earlier = [entryOf([page], "page"), { ...entryOf([page], "update", "2024-05-01T12:05:00Z"), eventId: "e-1" }];
  const update = build([{ ...laterEvent, severity: "high" }], { kind: "update", earlier, omitted: 3 });

  it("says it is an update to the incident, with its timeline oldest first, gaps marked", () => {
    expect(update.email.split("\n")[0]).toBe(`UPDATE to incident ${INCIDENT_ID} (paged at CRITICAL) · 1 finding from this event · incident opened 2024-05-01T12:00:00Z · 6 events in the incident`);
    const timeline = update.email.slice(update.email.indexOf(`Incident ${INCIDENT_ID} so far`)).split("\n\n")[0]?.split("\n") ?? [];
    expect(timeline[0]).toBe(`Incident ${INCIDENT_ID} so far (oldest first; 6 events, 3 not shown)`);
    expect(timeline[1]).toBe("  2024-05-01T12:00:00Z  PAGE    CRITICAL  mallory attached AdministratorAccess to newadmin [AttachUserPolicy]");
    expect(timeline[2]).toBe("  ... 3 events not shown ...");
    expect(timeline[3]).toContain("  2024-05-01T12:05:00Z  UPDATE  CRITICAL");
    expect(timeline[4]).toBe("  2024-05-01T12:20:00Z  UPDATE  HIGH      mallory attached AdministratorAccess to carol [AttachUserPolicy]  <- this event");
  });

  it("is marked for subscription filters and threads in chat under the incident", () => {
    expect(update.alert.attributes.alertKind?.StringValue).toBe("update");
    expect(update.alert.attributes.incidentId?.StringValue).toBe(INCIDENT_ID);
    expect(update.chatbot?.metadata.threadId).toBe(INCIDENT_ID);
    expect(update.chatbot?.metadata.additionalContext.alertKind).toBe("update");
    expect(update.chatbot?.content.description).toContain("*Incident so far* (6 events");
  });

  it("pages again when the severity rose, and says so", () => {
    const repage = build([laterEvent], { kind: "page", earlier: [{ ...entryOf([page], "page"), severity: "medium" }] });
    expect(repage.email.split("\n")[0]).toContain(`PAGE again: incident ${INCIDENT_ID}, the severity rose to CRITICAL`);
    expect(repage.email).toContain(`Incident ${INCIDENT_ID} so far`);
    expect(repage.alert.attributes.alertKind?.StringValue).toBe("page");
    expect(repage.alert.subject.startsWith("Re:")).toBe(false);
  });
});

describe("the 256 KB budget", () => {
  /** ~600 KB admin-equivalent document: Allow * on * plus thousands of filler statements. */
  const hugeDocument = JSON.stringify({
    Version: "2012-10-17",
    Statement: [ADMIN, ...Array.from({ length: 6000 }, (_, index) => ({ Sid: `Filler${index}`, Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::filler-bucket-${index}`, `arn:aws:s3:::filler-bucket-${index}/*`] }))],
  });

  it("cuts a 600 KB document, says so in the text and the document, and every body still parses", () => {
    const finding = withActions(inlineGrant(hugeDocument), [FAILED]);
    expect((finding.evidence?.policyDocument ?? "").length).toBeGreaterThan(550_000);
    for (const format of ["chatbot", "json"] as const) {
      const { alert, bodies, email } = build([finding], {}, format);
      expect(totalBytes(alert)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
      expect(totalBytes(alert)).toBeLessThan(SNS_LIMIT);
      expect(alert.document.truncated).toMatch(/^shortened to fit one SNS message \(256 KB\): policy documents cut to \d+ characters/);
      expect(email.split("\n")[1]).toBe(`NOTE: ${alert.document.truncated}`);
      const shown = alert.document.findings[0]?.evidence?.policyDocument ?? "";
      expect(shown).toMatch(/\n\.\.\. \(truncated: \d+ of \d+ characters shown\)$/);
      expect(shown.startsWith('{\n  "Version": "2012-10-17"')).toBe(true);
      expect(JSON.parse(bodies.sqs ?? "")).toEqual(JSON.parse(JSON.stringify(alert.document)));
      JSON.parse(bodies.https ?? "");
      expect(email).toContain("FAILED: attach-deny-policy");
    }
  });

  it("keeps many findings with large documents and thousands of reasons under the limit, the most severe first", () => {
    const base = withActions(inlineGrant(hugeDocument.slice(0, 40_000).replace(/,\{"Sid":"Filler\d*"?[^}]*$/, "]}")), [DONE, FAILED, DRY_RUN]);
    const findings: Finding[] = Array.from({ length: 60 }, (_, index) => ({
      ...base,
      findingId: `${EVENT_ID}/rule-${index}`,
      ruleId: `rule-${index}`,
      severity: index === 0 ? "critical" : "medium",
      reasons: Array.from({ length: 400 }, (_, reason) => `reason ${reason} ${"x".repeat(80)}`),
      evidence: { policyDocument: `${"y".repeat(30_000)}${index}` },
    }));
    const { alert, bodies, email, chatbot } = build(findings);
    expect(totalBytes(alert)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
    expect(alert.document.truncated).toContain("policy documents");
    expect(alert.document.truncated).toContain("reasons cut to");
    expect(alert.document.findings[0]?.ruleId).toBe("rule-0");
    expect(alert.subject).toContain("(+59 more findings)");
    expect(JSON.parse(bodies["email-json"] ?? "")).toHaveProperty("schema", "trailguard.alert/1");
    expect(email).toContain("NOTE: shortened to fit one SNS message");
    expect((chatbot as Chatbot).content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(JSON.parse(alert.attributes.ruleIds?.StringValue ?? "[]")).toContain("rule-0");
    expect((alert.attributes.ruleIds?.StringValue ?? "").length).toBeLessThanOrEqual(256);
  });

  it("shows fewer findings in full when even that is not enough, and says how many", () => {
    const base = withActions(adminAttach(), [DONE, FAILED, DRY_RUN, SKIPPED]);
    const findings: Finding[] = Array.from({ length: 1500 }, (_, index) => ({ ...base, findingId: `${EVENT_ID}/r-${index}`, ruleId: `r-${index}`, summary: `${"s".repeat(400)} ${index}` }));
    const { alert, email } = build(findings);
    expect(totalBytes(alert)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
    expect(alert.document.truncated).toMatch(/\d+ of 1500 findings shown \(the most severe\)/);
    expect(alert.document.findings.length).toBeLessThan(1500);
    expect(email.split("\n")[0]).toContain("1500 findings from this event");
  });

  it("cuts any long value the event carries (user agent, names, ARNs) when that is what is too large", () => {
    const base = adminAttach(iamUser("mallory"), `n${"x".repeat(50_000)}`, { userAgent: `agent ${"a".repeat(100_000)}` });
    const finding = withActions({ ...base, target: base.target ? { ...base.target, policyArn: `arn:aws:iam::aws:policy/${"p".repeat(30_000)}` } : undefined }, [FAILED]);
    const { alert, bodies } = build([finding]);
    expect(totalBytes(alert)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
    expect(alert.document.truncated).toMatch(/long values \(user agents, names, ARNs\) cut to \d+ characters/);
    expect(alert.document.findings[0]?.event.userAgent).toMatch(/^agent a+\.\.\. \(cut: 100006 characters\)$/);
    expect(alert.document.findings[0]?.ruleId).toBe("managed-policy-attached");
    expect(JSON.parse(bodies.lambda ?? "")).toHaveProperty("findings.0.findingId", finding.findingId);
  });

  it("does not shorten an ordinary alert", () => {
    const { alert, email } = build([withActions(inlineGrant(), [DONE])]);
    expect(alert.document.truncated).toBeUndefined();
    expect(email).not.toMatch(/shortened|truncated/);
  });
});

describe("attributes", () => {
  it("are the seven filter keys, typed as SNS wants them", () => {
    const attributes = alertAttributes(alertOf([adminAttach()]));
    expect(attributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      category: { DataType: "String", StringValue: "policy-change" },
      ruleId: { DataType: "String", StringValue: "managed-policy-attached" },
      ruleIds: { DataType: "String.Array", StringValue: '["managed-policy-attached"]' },
      account: { DataType: "String", StringValue: ACCOUNT },
      incidentId: { DataType: "String", StringValue: INCIDENT_ID },
      alertKind: { DataType: "String", StringValue: "page" },
    });
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
  });

  it.each([
    ["a newline and an escape", "1111\n2222\u001b[0m"],
    ["unicode", "账户🚨ü"],
    ["300 characters", "7".repeat(300)],
  ])("stay printable ASCII within 256 characters with %s in the account", (_label, account) => {
    const attributes = alertAttributes(alertOf([adminAttach(undefined, "newadmin", { recipientAccountId: account })]));
    for (const value of Object.values(attributes)) {
      expect(value.StringValue).toMatch(PRINTABLE_ASCII);
      expect((value.StringValue ?? "").length).toBeGreaterThan(0);
      expect((value.StringValue ?? "").length).toBeLessThanOrEqual(256);
    }
  });

  it('say "unknown" when the event names no account', () => {
    const { accountId: _dropped, ...identity } = iamUser("alice");
    const finding = findingOf(cloudTrailRecord({ eventName: "PutRolePolicy", requestParameters: { roleName: "app", policyName: "p", policyDocument: policyJson(ADMIN) }, recipientAccountId: undefined, userIdentity: identity }), "policy-document-grant");
    expect(finding.event.account).toBeUndefined();
    expect(alertAttributes(alertOf([finding])).account).toEqual({ DataType: "String", StringValue: "unknown" });
    expect(buildAlertMessage(alertOf([finding]), { httpsFormat: "json" }).subject).toBe("[CRITICAL] alice put inline policy p on role app [TG-5f3a9c1e0a1b]");
  });
});

describe("the Chatbot notification", () => {
  const finding = withActions(adminAttach(), [DONE, FAILED]);
  const { alert, chatbot } = build([finding], { accountName: "prod" });
  const notification = chatbot as Chatbot;

  it("follows the custom-notification schema", () => {
    expect(notification.version).toBe("1.0");
    expect(notification.source).toBe("custom");
    expect(notification.id).toBe(EVENT_ID);
    expect(notification.content.textType).toBe("client-markdown");
    expect(notification.content.title).toBe(alert.subject);
    expect(notification.metadata.summary).toBe(alert.subject);
    expect(notification.metadata.eventType).toBe("managed-policy-attached");
    expect(notification.metadata.threadId).toBe(INCIDENT_ID);
    expect(notification.metadata.additionalContext).toEqual({ incidentId: INCIDENT_ID, alertKind: "page", severity: "critical", account: ACCOUNT, eventId: EVENT_ID });
    expect(notification.metadata.relatedResources).toEqual([`arn:aws:iam::${ACCOUNT}:user/mallory`, ADMIN_POLICY]);
    expect(notification.content.keywords).toEqual(["CRITICAL", "policy-change", "managed-policy-attached", INCIDENT_ID, "page"]);
  });

  it("describes what happened, what was done, and the command for what failed", () => {
    const { description } = notification.content;
    expect(description).toContain("*What:* IAM user \"mallory\" called AttachUserPolicy");
    expect(description).toContain(`• DONE deactivate-access-key on access key "${MALLORY_KEY}"`);
    expect(description).toContain("• FAILED attach-deny-policy");
    expect(description).toContain("```aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSDenyAll```");
    expect(description).toContain(`<https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${EVENT_ID}|CloudTrail event>`);
    expect(notification.content.nextSteps[0]).toBe(`FAILED: attach-deny-policy on user "mallory" in ${ACCOUNT}: do it by hand (commands above)`);
    expect(notification.content.nextSteps).toContain(`If this was legitimate, release it: \`npm run release -- '${EVENT_ID}/managed-policy-attached'\``);
  });

  it("stays within every field's limit, whatever the input", () => {
    const huge = withActions(adminAttach(iamUser(`${"m".repeat(64)}`), "t".repeat(64), { userAgent: "u".repeat(5000) }), Array.from({ length: 40 }, () => FAILED));
    const many = Array.from({ length: 30 }, (_, index): Finding => ({ ...huge, findingId: `${EVENT_ID}/r${index}`, ruleId: `r${index}`, runbook: "r".repeat(5000), whyItMatters: "w".repeat(3000) }));
    const big = build(many, { accountName: "x".repeat(32) }).chatbot as Chatbot;
    expect(big.content.title.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
    expect(big.content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(big.content.description).toContain("_(cut to fit: the e-mail and the JSON document have the rest)_");
    expect(big.content.nextSteps.length).toBeLessThanOrEqual(CHATBOT_LIMITS.nextSteps);
    for (const item of big.content.nextSteps) expect(item.length).toBeLessThanOrEqual(CHATBOT_LIMITS.nextStep);
    expect(big.content.keywords.length).toBeLessThanOrEqual(CHATBOT_LIMITS.keywords);
    expect(big.metadata.relatedResources.length).toBeLessThanOrEqual(CHATBOT_LIMITS.relatedResources);
    for (const value of Object.values(big.metadata.additionalContext)) expect(value.length).toBeLessThanOrEqual(CHATBOT_LIMITS.contextValue);
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
    const finding = adminAttach(undefined, "newadmin", overrides);
    expect(consoleLink(finding)).toBeUndefined();
    const { email, chatbot } = build([finding]);
    expect(email).not.toContain("cloudtrailv2");
    expect(email).toMatch(/CloudTrail event id: .* \(no console link: the region or event id is not in AWS's form\)/);
    expect(chatbot?.content.description).not.toContain("cloudtrailv2");
  });

  it("is omitted when the event id is synthetic", () => {
    const finding = adminAttach(undefined, "newadmin", { eventID: undefined });
    expect(finding.event.eventIdIsSynthetic).toBe(true);
    expect(consoleLink(finding)).toBeUndefined();
  });

  it("is present for a well-formed region and event id", () => {
    expect(consoleLink(adminAttach(assumedRole("Deployer", "ci"), "newadmin", { awsRegion: "us-gov-west-1" }))).toBe(
      `https://us-gov-west-1.console.aws.amazon.com/cloudtrailv2/home?region=us-gov-west-1#/events/${EVENT_ID}`,
    );
  });
});
