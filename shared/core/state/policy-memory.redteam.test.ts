import { describe, expect, it } from "vitest";
import { ACCOUNT, iamCall, policyJson } from "../../../test/support/records.js";
import { policyMemory } from "./policy-memory.js";

/** Red team: what policy memory answers when CloudTrail's one-second times tie. */
const ARN = `arn:aws:iam::${ACCOUNT}:policy/ops`;
const ADMIN = policyJson({ Effect: "Allow", Action: "*", Resource: "*" });
const READ = policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
const T = "2024-05-01T12:00:05Z";
let ids = 0;
const call = (eventName: string, eventTime: string, request: Record<string, unknown>, response: Record<string, unknown> | null = null) =>
  iamCall(eventName, request, { eventTime, responseElements: response, eventID: `event-${ids++}` });

describe("red team: policy memory with events in the same second", () => {
  it("answers the same whatever order a file lists same-second default switches in (CloudTrail files are not in time order)", () => {
    const history = [
      call("CreatePolicy", "2024-05-01T12:00:00Z", { policyName: "ops", policyDocument: READ }, { policy: { arn: ARN, defaultVersionId: "v1" } }),
      call("CreatePolicyVersion", "2024-05-01T12:00:01Z", { policyArn: ARN, policyDocument: ADMIN, setAsDefault: false }, { policyVersion: { versionId: "v2", isDefaultVersion: false } }),
    ];
    // Within second T: v2 (admin) made default, the policy attached, v1 made default again; or the other way round.
    const toAdmin = call("SetDefaultPolicyVersion", T, { policyArn: ARN, versionId: "v2" });
    const toRead = call("SetDefaultPolicyVersion", T, { policyArn: ARN, versionId: "v1" });
    const attach = call("AttachUserPolicy", T, { userName: "bob", policyArn: ARN });
    const answer = (order: unknown[]) => {
      const memory = policyMemory();
      for (const event of [...history, ...order]) memory.observe(event);
      const looked = memory.lookupsAt(attach).policyDocument(ACCOUNT, ARN);
      return looked?.ok ? looked.value : looked;
    };
    expect(answer([toRead, toAdmin])).toEqual(answer([toAdmin, toRead]));
    // Neither order may vouch for the harmless version: which one was in force is not known, so the worse one stands.
    expect(answer([toAdmin, toRead])).toBe(ADMIN);
  });
});
