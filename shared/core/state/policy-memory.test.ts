import { describe, expect, it } from "vitest";
import { ACCOUNT, OTHER_ACCOUNT, eventBridge, iamCall, policyJson } from "../../../test/support/records.js";
import { MAX_POLICIES, policyMemory } from "./policy-memory.js";

const ARN = `arn:aws:iam::${ACCOUNT}:policy/ops`;
const ADMIN = policyJson({ Effect: "Allow", Action: "*", Resource: "*" });
const READ = policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
let ids = 0;
const at = (minute: number) => `2024-05-01T12:${String(minute).padStart(2, "0")}:00Z`;
const call = (eventName: string, minute: number, request: Record<string, unknown>, response: Record<string, unknown> | null = null, extra: Record<string, unknown> = {}) =>
  iamCall(eventName, request, { eventTime: at(minute), responseElements: response, eventID: `event-${ids++}`, ...extra });
const createPolicy = (minute: number, document: string, arn = ARN, extra: Record<string, unknown> = {}) =>
  call("CreatePolicy", minute, { policyName: "ops", policyDocument: document }, { policy: { arn, defaultVersionId: "v1", policyName: "ops" } }, extra);
const createVersion = (minute: number, versionId: string, document: string, setAsDefault: boolean) =>
  call("CreatePolicyVersion", minute, { policyArn: ARN, policyDocument: document, setAsDefault }, { policyVersion: { versionId, isDefaultVersion: setAsDefault } });
const setDefault = (minute: number, versionId: string) => call("SetDefaultPolicyVersion", minute, { policyArn: ARN, versionId });
const attachAt = (minute: number) => call("AttachUserPolicy", minute, { userName: "bob", policyArn: ARN });
const documentAt = (memory: ReturnType<typeof policyMemory>, minute: number, versionId?: string) => memory.lookupsAt(attachAt(minute)).policyDocument(ACCOUNT, ARN, versionId);

describe("policy memory: customer-managed policy documents as of a call's own time", () => {
  it("answers the default version at the time of the call, from the versions seen created", () => {
    const memory = policyMemory();
    for (const event of [createPolicy(1, READ), createVersion(3, "v2", ADMIN, false), setDefault(5, "v2"), setDefault(7, "v1")]) memory.observe(event);
    expect(documentAt(memory, 0)).toBeUndefined(); // before the policy existed
    expect(documentAt(memory, 2)).toEqual({ ok: true, value: READ, source: "replay" });
    expect(documentAt(memory, 4)).toEqual({ ok: true, value: READ, source: "replay" }); // v2 exists but is not default yet
    expect(documentAt(memory, 6)).toEqual({ ok: true, value: ADMIN, source: "replay" });
    // In the switch's own second (CloudTrail records seconds, files are not in time order) either
    // version may have been in force: both known, the worse one stands for the call.
    expect(documentAt(memory, 5)).toMatchObject({ ok: true, value: ADMIN });
    expect(documentAt(memory, 8)).toEqual({ ok: true, value: READ, source: "replay" }); // switched back
    expect(documentAt(memory, 4, "v2")).toEqual({ ok: true, value: ADMIN, source: "replay" }); // a named version
    // A version named at the call but not seen created in the life the memory saw begin was made out of its sight: unseen.
    expect(documentAt(memory, 2, "v2")).toMatchObject({ ok: false, unseen: true });
    expect(documentAt(memory, 9, "v3")).toMatchObject({ ok: false, unseen: true });
  });

  it("learns the same whatever order the events are read in (a file is not sorted by time)", () => {
    const events = [createPolicy(1, READ), createVersion(3, "v2", ADMIN, true)];
    const forward = policyMemory();
    const backward = policyMemory();
    for (const event of events) forward.observe(event);
    for (const event of [...events].reverse()) backward.observe(event);
    for (const minute of [2, 4]) expect(documentAt(backward, minute)).toEqual(documentAt(forward, minute));
    expect(documentAt(forward, 4)?.ok && documentAt(forward, 4)).toMatchObject({ value: ADMIN });
  });

  it("learns nothing from failed calls, other accounts' policies, malformed version ids or oversized documents", () => {
    const memory = policyMemory();
    memory.observe(createPolicy(1, ADMIN, ARN, { errorCode: "AccessDenied", errorMessage: "denied" }));
    memory.observe(createPolicy(1, ADMIN, `arn:aws:iam::${OTHER_ACCOUNT}:policy/ops`));
    memory.observe(call("CreatePolicy", 1, { policyDocument: ADMIN }, { policy: { arn: ARN, defaultVersionId: "v1; drop" } }));
    memory.observe(call("CreatePolicy", 1, { policyDocument: ADMIN }, null));
    expect(memory.size()).toBe(0);
    expect(documentAt(memory, 5)).toBeUndefined();
  });

  it("knows that it does not know a version CloudTrail did not record: unseen, never the previous default", () => {
    const memory = policyMemory();
    memory.observe(createPolicy(1, READ));
    memory.observe(call("CreatePolicyVersion", 3, { policyArn: ARN, setAsDefault: true }, { policyVersion: { versionId: "v2", isDefaultVersion: true } }));
    expect(documentAt(memory, 2)).toMatchObject({ ok: true, value: READ });
    expect(documentAt(memory, 4)).toMatchObject({ ok: false, unseen: true });
    memory.observe(createPolicy(6, " ".repeat(200_000))); // oversized: not kept, not trusted
    expect(documentAt(memory, 7)).toMatchObject({ ok: false, unseen: true });
  });

  it("suspects every policy of the account after a new default version CloudTrail did not name the policy of", () => {
    const memory = policyMemory();
    memory.observe(createPolicy(1, READ));
    // The whole request left out (a document padded past what CloudTrail records): no policyArn.
    memory.observe(iamCall("CreatePolicyVersion", null, { eventTime: at(3), eventID: "padded", responseElements: { policyVersion: { versionId: "v2", isDefaultVersion: true } } }));
    expect(documentAt(memory, 2)).toMatchObject({ ok: true, value: READ });
    expect(documentAt(memory, 4)).toMatchObject({ ok: false, unseen: true });
    // A version made default later, and seen, is known again.
    memory.observe(createVersion(5, "v3", READ, true));
    expect(documentAt(memory, 6)).toMatchObject({ ok: true, value: READ });
    // One not made default changes no default.
    const other = policyMemory();
    other.observe(createPolicy(1, READ));
    other.observe(iamCall("CreatePolicyVersion", null, { eventTime: at(3), eventID: "padded-2", responseElements: { policyVersion: { versionId: "v2", isDefaultVersion: false } } }));
    expect(documentAt(other, 4)).toMatchObject({ ok: true, value: READ });
  });

  it("keeps the lives of a policy deleted and created again under the same name apart", () => {
    const memory = policyMemory();
    memory.observe(createPolicy(6, READ)); // read first, as a file out of time order may have it
    memory.observe(createPolicy(1, ADMIN));
    memory.observe(createVersion(2, "v2", READ, true));
    expect(documentAt(memory, 1)).toMatchObject({ value: ADMIN });
    expect(documentAt(memory, 3)).toMatchObject({ value: READ });
    // The second life starts at v1 again: the first life's v2 is not its default.
    memory.observe(createVersion(8, "v2", ADMIN, false));
    expect(documentAt(memory, 7)).toMatchObject({ value: READ });
    expect(documentAt(memory, 9)).toMatchObject({ value: READ });
    expect(documentAt(memory, 9, "v2")).toMatchObject({ value: ADMIN });
    expect(documentAt(memory, 7, "v2")).toMatchObject({ ok: false, unseen: true });
  });

  it("reads EventBridge events as well as raw records, and only IAM's policy calls", () => {
    const memory = policyMemory();
    expect(memory.observes(eventBridge(createPolicy(1, ADMIN)))).toBe(true);
    expect(memory.observes(createPolicy(1, ADMIN))).toBe(true);
    expect(memory.observes(attachAt(2))).toBe(false);
    expect(memory.observes({ ...createPolicy(1, ADMIN), eventSource: "evil.amazonaws.com" })).toBe(false);
    memory.observe(eventBridge(createPolicy(1, ADMIN)));
    expect(memory.lookupsAt(eventBridge(attachAt(2))).policyDocument(ACCOUNT, ARN)).toMatchObject({ value: ADMIN });
    expect(memory.lookupsAt(attachAt(2)).groupGrants(ACCOUNT, "admins")).toBeUndefined();
  });

  it("stays bounded: past MAX_POLICIES the oldest policy is forgotten", () => {
    const memory = policyMemory();
    for (let n = 0; n <= MAX_POLICIES; n++) memory.observe(createPolicy(1, READ, `arn:aws:iam::${ACCOUNT}:policy/p${n}`));
    expect(memory.size()).toBe(MAX_POLICIES);
    // Forgotten, and known to be: an attacker flushing the memory gets "unseen" (high), not "never seen" (medium).
    expect(memory.lookupsAt(attachAt(2)).policyDocument(ACCOUNT, `arn:aws:iam::${ACCOUNT}:policy/p0`)).toMatchObject({ ok: false, unseen: true });
    expect(memory.lookupsAt(attachAt(2)).policyDocument(ACCOUNT, `arn:aws:iam::${ACCOUNT}:policy/never`)).toBeUndefined();
    expect(memory.lookupsAt(attachAt(2)).policyDocument(ACCOUNT, `arn:aws:iam::${ACCOUNT}:policy/p${MAX_POLICIES}`)).toMatchObject({ value: READ });
  });
});
