import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config.js";
import { shouldAlert } from "../../engine/handle-event.js";
import type { Finding } from "../../model/finding.js";
import { type Json, analyse, assumedRole, findingsOf, iamCall, iamUser } from "../../../../test/support/records.js";
import { HEARTBEAT, RESPONDER, SELF_CONFIG } from "../../../../test/support/self-config.js";

/**
 * The heartbeat canary tags its own role; only that, from the heartbeat role's own code and
 * successful, is a heartbeat. Anything else is no proof the pipeline works.
 */
const CALL_TIME = "2026-11-23T03:04:05Z";
const config = parseConfig(SELF_CONFIG, "test");
const admin = iamUser("mallory", { accessKeyId: "AKIAMALLORYKEY000001" });

function findings(record: Json): readonly Finding[] {
  return findingsOf(analyse({ ...record, eventTime: CALL_TIME }, SELF_CONFIG));
}
const paged = (record: Json) => findings(record).filter((finding) => shouldAlert(finding, config));
/** As the record was found, at its own time. */
function finding(record: Json, ruleId: string): Finding | undefined {
  return findingsOf(analyse(record, SELF_CONFIG)).find((candidate) => candidate.ruleId === ruleId);
}
const tamper = (record: Json) => finding(record, "trailguard-tampering");

describe("trailguard-heartbeat", () => {
  it("the heartbeat is its own info finding, never paged", () => {
    const beat = iamCall("TagRole", { roleName: HEARTBEAT, tags: [{ key: "trailguard-heartbeat", value: CALL_TIME }] }, { userIdentity: assumedRole(HEARTBEAT, HEARTBEAT) });
    expect(findings(beat).map((finding) => [finding.ruleId, finding.severity])).toEqual([["trailguard-heartbeat", "info"]]);
    expect(paged(beat)).toEqual([]);
  });

  it("someone tagging trailguard's role with the heartbeat tag is tampering, not a heartbeat", () => {
    const record = iamCall("TagRole", { roleName: "trailguard-prod-heartbeat", tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { userIdentity: admin });
    expect(tamper(record)?.severity).toBe("critical");
    expect(finding(record, "trailguard-heartbeat")).toBeUndefined();
  });

  it("a failed TagRole by a trailguard role is no heartbeat", () => {
    const record = iamCall("TagRole", { roleName: RESPONDER, tags: [{ key: "trailguard-heartbeat", value: "x" }] }, { errorCode: "AccessDenied", userIdentity: assumedRole(RESPONDER, RESPONDER) });
    expect(finding(record, "trailguard-heartbeat")).toBeUndefined();
  });
});
