/**
 * The README's example alert (`npm run docs:alert` rewrites it; test/readme-alert.test.ts fails
 * when it differs): mallory attaches AdministratorAccess to newadmin in the account named prod;
 * trailguard deactivated the key mallory used and failed to attach the deny policy. Rendered by
 * the same code the functions publish with, so the README shows what the on-call receives.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Alert } from "../shared/core/alerting/alert.js";
import { incidentKeyFor } from "../shared/core/alerting/incident.js";
import { parseConfig } from "../shared/core/config/config.js";
import { createAnalyser } from "../shared/core/engine/analyse.js";
import type { Finding } from "../shared/core/model/finding.js";
import { alertHeadline, buildAlertMessage } from "../shared/core/report/alert-message.js";
import { RULES } from "../shared/core/rules/registry.js";

const ACCOUNT = "111122223333";
const KEY = "AKIAMALLORYEXAMPLE01";
const EVENT_ID = "0c1d2e3f-0000-4000-8000-000000000001";
const AT = "2026-11-26T03:12:44Z";

function exampleFinding(): Finding {
  const record = {
    eventVersion: "1.09",
    eventID: EVENT_ID,
    eventTime: AT,
    eventSource: "iam.amazonaws.com",
    eventName: "AttachUserPolicy",
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.9",
    userAgent: "aws-cli/2.15.0 Python/3.11.6",
    recipientAccountId: ACCOUNT,
    userIdentity: { type: "IAMUser", principalId: "AIDAMALLORYEXAMPLE01", arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, accessKeyId: KEY, userName: "mallory", sessionContext: { attributes: { mfaAuthenticated: "false", creationDate: "2026-11-26T03:01:02Z" } } },
    requestParameters: { userName: "newadmin", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    responseElements: null,
  };
  const analysis = createAnalyser(parseConfig({}, "example"), RULES).analyse({ "detail-type": "AWS API Call via CloudTrail", source: "aws.iam", detail: record });
  if (analysis.kind !== "analysed" || analysis.findings[0] === undefined) throw new Error("the example event raised no finding");
  const finding = analysis.findings[0];
  return {
    ...finding,
    actions: [
      {
        type: "deactivate-access-key",
        target: { kind: "access-key", account: ACCOUNT, userName: "mallory", accessKeyId: KEY },
        status: "done",
        reason: "deactivated (not deleted: the key id is evidence)",
        undo: [{ kind: "reactivate-access-key", account: ACCOUNT, userName: "mallory", accessKeyId: KEY }],
      },
      {
        type: "attach-deny-policy",
        target: { kind: "user", account: ACCOUNT, userName: "mallory" },
        status: "failed",
        reason: `AccessDenied: User: arn:aws:sts::${ACCOUNT}:assumed-role/trailguard-prod-iam-responder/trailguard-prod-iam-responder is not authorized to perform: iam:AttachUserPolicy on resource: user mallory`,
      },
    ],
  };
}

export function exampleAlert(): Alert {
  const finding = exampleFinding();
  const entry = { at: AT, eventId: EVENT_ID, eventName: finding.event.eventName, findingIds: [finding.findingId], ruleIds: [finding.ruleId], severity: finding.severity, headline: alertHeadline(finding), kind: "page" as const };
  return {
    kind: "page",
    findings: [finding],
    accountName: "prod",
    incident: { id: "TG-5f3a9c1e0a1b", key: incidentKeyFor(finding), openedAt: AT, lastAt: AT, highestSeverity: finding.severity, pagedSeverity: finding.severity, events: 1, timeline: [entry], omitted: 0 },
  };
}

/** The README with its example blocks rendered: the e-mail (subject and body) and the Chatbot notification. */
export function withAlertExamples(readme: string): string {
  const message = buildAlertMessage(exampleAlert(), { httpsFormat: "chatbot" });
  const bodies = JSON.parse(message.message) as Record<string, string>;
  const email = ["```text", `Subject: ${message.subject}`, "", bodies.email ?? "", "```"].join("\n");
  const chatbot = ["```json", JSON.stringify(JSON.parse(bodies.https ?? "{}"), null, 2), "```"].join("\n");
  return replaceBlock(replaceBlock(readme, "email", email), "chatbot", chatbot);
}

function replaceBlock(text: string, name: string, content: string): string {
  const open = `<!-- alert-example:${name} -->`;
  const close = `<!-- /alert-example:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README has no ${open} … ${close} block`);
  return `${text.slice(0, start + open.length)}\n${content}\n${text.slice(end)}`;
}

if (process.argv[1]?.endsWith("alert-example.ts")) {
  const path = join(import.meta.dirname, "..", "README.md");
  const before = readFileSync(path, "utf8");
  const after = withAlertExamples(before);
  if (after !== before) writeFileSync(path, after);
  process.stdout.write(after === before ? "README alert example is up to date\n" : "README alert example rewritten\n");
}
