import { describe, expect, it } from "vitest";
import type { Finding } from "../model/finding.js";
import { type Json, assumedRole, eventBridge, findingOf, iamCall, iamUser } from "../../../test/support/records.js";
import { investigationCommands } from "./commands.js";

/**
 * Red team (round 14): the "Investigate" commands put the actor's name into the AWS CLI's
 * shorthand syntax (`--lookup-attributes AttributeKey=Username,AttributeValue=<name>`), where `,`
 * and `=` are syntax, and IAM user names, role session names and federated user names may hold
 * both. Whoever names themselves (a user name chosen at CreateUser, a session name chosen at
 * AssumeRole) decides what the on-call's pasted command searches for.
 */

const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

function attach(identity: Json): Finding {
  return findingOf(eventBridge(iamCall("AttachUserPolicy", { userName: "newadmin", policyArn: ADMIN_POLICY }, { userIdentity: identity })), "managed-policy-attached");
}

function lookups(finding: Finding): string[] {
  return investigationCommands([finding], "2026-05-01T12:00:00Z")
    .map((item) => item.command)
    .flatMap((command) => (command.ok && command.text.includes("--lookup-attributes") ? [command.text] : []));
}

/** The shorthand value after `--lookup-attributes`, parsed as the AWS CLI parses `k=v,k=v` (the last of a repeated key wins). */
function shorthand(text: string): Record<string, string> {
  const value = text.split(" --lookup-attributes ")[1]?.split(" ")[0] ?? "";
  const pairs: Record<string, string> = {};
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) pairs[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return pairs;
}

describe("red team 14: the CloudTrail lookup command an attacker names", () => {
  it("a user named `mallory,AttributeValue=alice` does not make the on-call's lookup search alice's calls", () => {
    const finding = attach(iamUser("mallory,AttributeValue=alice"));
    for (const text of lookups(finding)) {
      const parsed = shorthand(text);
      if (parsed.AttributeKey === "Username") expect(parsed.AttributeValue, text).toBe("mallory,AttributeValue=alice");
      // Either way: the command must not carry a second key the event wrote.
      expect(text.match(/AttributeValue=/g)?.length ?? 0, text).toBeLessThanOrEqual(1);
    }
  });

  it("a role session named `x,AttributeKey=AccessKeyId,AttributeValue=AKIAEXAMPLEUSERKEY01` cannot turn the by-name lookup into another lookup", () => {
    const finding = attach(assumedRole("deployer", "x,AttributeKey=AccessKeyId,AttributeValue=AKIAEXAMPLEUSERKEY01"));
    for (const text of lookups(finding)) expect(text.match(/AttributeKey=/g)?.length ?? 0, text).toBeLessThanOrEqual(1);
  });

  it("held: shell metacharacters, leading dashes and look-alikes in names produce no lookup command at all", () => {
    for (const session of ["a$(id)", "a`id`", "a;id", "-debug", "b\u00f8b", "a b"]) {
      const finding = attach(assumedRole("deployer", session));
      for (const text of lookups(finding)) expect(text, session).not.toContain(session);
    }
  });
});
