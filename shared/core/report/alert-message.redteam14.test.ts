import { describe, expect, it } from "vitest";
import type { Finding } from "../model/finding.js";
import { type Json, eventBridge, findingOf, iamCall, iamUser } from "../../../test/support/records.js";
import { alertOf } from "../../../test/support/alerts.js";
import { MESSAGE_BYTE_BUDGET, buildAlertMessage } from "./alert-message.js";

/**
 * Red team (round 14): what the caller writes into the on-call's e-mail. The user agent is free
 * text the caller sets on every request (`aws --user-agent-extra`, any SDK), shown in the facts.
 */

const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

function adminAttach(overrides: Json = {}, identity: Json = iamUser("mallory")): Finding {
  return findingOf(eventBridge(iamCall("AttachUserPolicy", { userName: "newadmin", policyArn: ADMIN_POLICY }, { userIdentity: identity, ...overrides })), "managed-policy-attached");
}

function bodies(finding: Finding): Record<string, string> {
  const message = buildAlertMessage(alertOf([finding]), { httpsFormat: "chatbot" });
  return JSON.parse(message.message) as Record<string, string>;
}

describe("red team 14: the e-mail body", () => {
  it("a URL in the caller's user agent is not a clickable link in the page e-mail", () => {
    // Mail clients auto-link URLs in plain text: the page, from trailguard's own sender, would
    // carry the attacker's "release this false positive here" link. Chat breaks `://` for this
    // reason (markdownText); the e-mail does not.
    const email = bodies(adminAttach({ userAgent: "aws-cli/2.15.0 NOTE: false positive, release at https://trailguard-release.evil.example/TG" })).email ?? "";
    expect(email).not.toMatch(/https?:\/\/[^\s]*evil\.example/);
  });

  it("bidirectional-override characters from the user agent do not reach the e-mail raw", () => {
    // U+202E (right-to-left override) and friends reorder what the on-call sees on the line
    // (a trailing "from 203.0.113.9" or the account shown reversed or hidden); safeText escapes
    // C0/C1 controls and line separators, not the bidi controls.
    const email = bodies(adminAttach({ userAgent: "aws-cli/2.15.0 \u202eKO devorppa\u202c" })).email ?? "";
    expect(email).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
  });

  it("held: huge hostile values still make one message SNS accepts, with a subject in ASCII", () => {
    const finding = adminAttach({ userAgent: `\u202e${"\u00e9".repeat(200_000)}`, sourceIPAddress: "x".repeat(100_000), awsRegion: "r".repeat(50_000) }, iamUser("m".repeat(64)));
    const message = buildAlertMessage(alertOf([finding]), { httpsFormat: "json" });
    expect(Buffer.byteLength(message.message) + Buffer.byteLength(message.subject)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET);
    expect(message.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  });
});
