import { describe, expect, it } from "vitest";
import { ACCOUNT, type Json, iamCall, iamUser, policyJson } from "../../../../test/support/records.js";
import { parseConfig } from "../../config/config.js";
import { createAnalyser } from "../../engine/analyse.js";
import type { Finding } from "../../model/finding.js";
import { type GroupGrants, type Lookup, lookupKey, lookupsFrom } from "../../model/lookups.js";
import { RULES } from "../registry.js";

/**
 * AddUserToGroup is judged by what the group grants, which the edge reads (here given as
 * lookups); without it the rule says what is unknown. The attacker's cases first: an admin
 * group hidden behind an innocent name, a customer-managed policy that is admin-equivalent.
 */
const RULE = "group-membership-added";
const analyser = createAnalyser(parseConfig({ mode: "enforce" }, "test"), RULES);
const mallory = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });
const added = (groupName: string, extra: Json = {}) => iamCall("AddUserToGroup", { groupName, userName: "backdoor" }, { userIdentity: mallory, ...extra });

function judged(record: Json, grants?: Lookup<GroupGrants>): Finding | undefined {
  const lookups = grants ? lookupsFrom(new Map([[lookupKey({ kind: "group-grants", account: ACCOUNT, groupName: "readers" }), grants]])) : undefined;
  const analysis = analyser.analyse(record, { lookups });
  return analysis.kind === "analysed" ? analysis.findings.find((finding) => finding.ruleId === RULE) : undefined;
}
const grants = (managedPolicyArns: string[], documents: Array<{ name: string; document: string }> = []): Lookup<GroupGrants> => ({ ok: true, value: { managedPolicyArns, documents } });

describe("group membership added (AddUserToGroup)", () => {
  it("asks the edge to read the group in the event's account, only for a successful call with a valid group name", () => {
    expect(analyser.lookupsFor(added("readers"))).toEqual([{ kind: "group-grants", account: ACCOUNT, groupName: "readers" }]);
    expect(analyser.lookupsFor(added("readers", { errorCode: "AccessDenied" }))).toEqual([]);
    expect(analyser.lookupsFor(added("bad name/../x"))).toEqual([]);
    expect(analyser.lookupsFor(added("g".repeat(128)))).toEqual([{ kind: "group-grants", account: ACCOUNT, groupName: "g".repeat(128) }]);
    expect(analyser.lookupsFor(iamCall("RemoveUserFromGroup", { groupName: "readers", userName: "x" }))).toEqual([]);
  });

  it("an innocently named group with AdministratorAccess is critical, and the new member and the actor are contained", () => {
    const found = judged(added("readers"), grants(["arn:aws:iam::aws:policy/AdministratorAccess"]));
    expect(found?.severity).toBe("critical");
    expect(found?.signals).toEqual(["admin-grant"]);
    expect(found?.target).toEqual({ kind: "user", name: "backdoor", userName: "backdoor" });
    const onTarget = found?.actions.filter((action) => action.target.kind === "user" && "userName" in action.target && action.target.userName === "backdoor");
    expect(onTarget?.length).toBeGreaterThan(0);
  });

  it("a customer-managed or inline document is judged by its content, however the actions are spelled", () => {
    expect(judged(added("readers"), grants([`arn:aws:iam::${ACCOUNT}:policy/ops`], [{ name: `arn:aws:iam::${ACCOUNT}:policy/ops`, document: encodeURIComponent(policyJson({ Effect: "Allow", Action: "i*:*", Resource: "*" })) }]))?.severity).toBe("critical");
    expect(judged(added("readers"), grants([], [{ name: "inline", document: policyJson({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }) }]))?.severity).toBe("high");
    expect(judged(added("readers"), grants([], [{ name: "inline", document: '{"Statement": [' }]))?.severity).toBe("high");
  });

  it("a group read as harmless stays medium (it may have been emptied since the call, to hide the grant); a broad AWS policy is high", () => {
    const harmless = judged(added("readers"), grants(["arn:aws:iam::aws:policy/ReadOnlyAccess"], [{ name: "inline", document: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }]));
    expect(harmless?.severity).toBe("medium");
    expect(harmless?.reasons[0]).toMatch(/may have changed since the call/);
    const partial = judged(added("readers"), { ok: true, value: { managedPolicyArns: [], documents: [], incomplete: "41 inline policies" } });
    expect(partial?.severity).toBe("medium");
    expect(partial?.reasons.join(" ")).toContain("not every policy of the group was read");
    expect(judged(added("readers"), grants(["arn:aws:iam::aws:policy/PowerUserAccess"]))?.severity).toBe("high");
  });

  it("unread (replay) or unreadable is medium and says why", () => {
    expect(judged(added("readers"))?.severity).toBe("medium");
    expect(judged(added("readers"))?.reasons[0]).toContain("not read");
    const failed = judged(added("readers"), { ok: false, reason: "AccessDenied: not authorized" });
    expect(failed?.severity).toBe("medium");
    expect(failed?.reasons[0]).toContain("AccessDenied");
    expect(failed?.actions).toEqual([]);
  });
});
