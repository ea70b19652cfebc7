import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAlertMessage } from "../shared/core/report/alert-message.js";
import { alertOf } from "./support/alerts.js";
import { parseConfig } from "../shared/core/config/config.js";
import { isAccountId, isIamName, isLongTermAccessKeyId } from "../shared/core/arn/arn.js";
import type { Analysis } from "../shared/core/engine/analyse.js";
import { createAnalyser } from "../shared/core/engine/analyse.js";
import { type DecodedItem, decodeToList } from "../shared/edges/replay/input-decoder.js";
import { formatFinding } from "../shared/core/report/format-finding.js";
import { RULES } from "../shared/core/rules/registry.js";
import { bundledSamples } from "../shared/edges/replay/bundled-samples.js";

/**
 * Property-based tests over generated and mutated events (fast-check): whatever arrives, the
 * pipeline does not crash, never acts on malformed input, never puts an invalid name, key id or
 * account into a planned action, and always produces an alert SNS would accept. 12,000 cases.
 */
// A sequence sample (a JSON array of events of one shape) gives its first event: events are mutated one at a time.
const samples: unknown[] = bundledSamples().map((sample) => {
  const content = JSON.parse(readFileSync(sample.path, "utf8")) as unknown;
  return Array.isArray(content) ? (content[0] as unknown) : content;
});
const analyser = createAnalyser(parseConfig({ trustedAccounts: ["444455556666"], allowlist: ["arn:aws:iam::*:role/terraform-*"] }, "test"), RULES);

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "bob; rm -rf /",
    "$(curl evil)",
    "../../etc/passwd",
    "\u001b[31mred\u001b[0m",
    "line\r\nInjected: header",
    "%E0%A4%A",
    "%7B%22Statement%22",
    "𝒜𝒹𝓂𝒾𝓃 ‮gnp.exe",
    "a".repeat(70),
    "AKIA" + "Z".repeat(16),
    "ASIA" + "Z".repeat(16),
    "*",
    "",
    "null",
    "arn:aws:iam::111122223333:root",
    "__proto__",
    "constructor",
  ),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

/** JSON-like values, hostile strings included, nested up to a depth that stresses recursion. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

const deeplyNested = fc.integer({ min: 100, max: 3000 }).map((depth) => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { Statement: value };
  return value;
});

type Path = Array<string | number>;

function paths(value: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  if (depth > 6 || typeof value !== "object" || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    paths(child, path, out, depth + 1);
  }
  return out;
}

/** Mutates in place (callers pass a fresh copy): deleting or replacing one field. */
function mutate(copy: Record<string, unknown>, pick: number, mode: number, replacement: unknown): unknown {
  const all = paths(copy);
  if (all.length === 0) return replacement;
  const path = all[pick % all.length] as Path;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (mode === 0) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

const mutatedEvent = fc
  .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat({ max: 3 }), fc.oneof(jsonValue, deeplyNested), fc.nat({ max: 3 }))
  .map(([sample, pick, mode, replacement, rounds]) => {
    let event = structuredClone(sample) as Record<string, unknown>;
    for (let round = 0; round <= rounds; round++) event = mutate(event, pick + round * 7919, mode, replacement) as Record<string, unknown>;
    return event;
  });

const seen = { findings: 0, planned: 0, malformed: 0 };

function assertSafe(analysis: Analysis): void {
  if (analysis.kind === "malformed") seen.malformed++;
  expect(["analysed", "malformed", "unsupported"]).toContain(analysis.kind);
  if (analysis.kind !== "analysed") {
    expect(analysis.reason.length).toBeGreaterThan(0);
    return;
  }
  for (const finding of analysis.findings) {
    seen.findings++;
    for (const action of finding.actions) {
      if (action.status !== "planned") continue;
      seen.planned++;
      // Nothing reaches an IAM call unless it has IAM's own format.
      expect(isAccountId(action.target.account)).toBe(true);
      if (action.target.kind === "access-key") {
        expect(isLongTermAccessKeyId(action.target.accessKeyId)).toBe(true);
        expect(isIamName(action.target.userName)).toBe(true);
      } else if (action.target.kind === "role") {
        expect(isIamName(action.target.roleName)).toBe(true);
      } else {
        expect(action.target.kind).toBe("user");
        if (action.target.kind === "user") expect(isIamName(action.target.userName)).toBe(true);
      }
      // Never on failed calls.
      expect(finding.event.failed).toBe(false);
    }
    expect(formatFinding(finding).join("\n")).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  }
  // One alert per event, every finding in it.
  if (analysis.findings.length === 0) return;
  const alert = buildAlertMessage(alertOf(analysis.findings), { httpsFormat: "chatbot" });
  expect(alert.subject).toMatch(/^\[[A-Z]+\] [\x20-\x7e]*$/);
  expect(alert.subject.length).toBeLessThan(100);
  expect(Buffer.byteLength(alert.message)).toBeLessThan(256 * 1024);
  const bodies = JSON.parse(alert.message) as Record<string, string>;
  expect(bodies.email).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  expect((bodies.sms ?? "").length).toBeLessThanOrEqual(140);
  JSON.parse(bodies.https ?? "");
}

describe("hostile and malformed input (property-based)", () => {
  it("mutated sample events: no crash, no unsafe action, a sendable alert (6,000 cases)", () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => {
        assertSafe(analyser.analyse(event));
      }),
      { numRuns: 6000 },
    );
    // The properties must have met the interesting cases, not only rejected input.
    expect(seen.findings).toBeGreaterThan(1000);
    expect(seen.planned).toBeGreaterThan(200);
    expect(seen.malformed).toBeGreaterThan(100);
  });

  it("arbitrary JSON in the shape of an event: no crash, malformed input yields nothing (3,000 cases)", () => {
    const eventLike = fc.record(
      {
        "detail-type": fc.oneof(fc.constant("AWS API Call via CloudTrail"), hostileString),
        detail: fc.oneof(
          jsonValue,
          fc.record(
            {
              eventSource: fc.oneof(fc.constantFrom("iam.amazonaws.com", "signin.amazonaws.com"), jsonValue),
              eventName: fc.oneof(fc.constantFrom("CreateAccessKey", "PutRolePolicy", "UpdateAssumeRolePolicy", "ConsoleLogin", "AttachUserPolicy"), jsonValue),
              userIdentity: jsonValue,
              requestParameters: jsonValue,
              responseElements: jsonValue,
              recipientAccountId: jsonValue,
              errorCode: jsonValue,
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(eventLike, (event) => {
        const analysis = analyser.analyse(event);
        assertSafe(analysis);
        if (analysis.kind === "malformed") expect(analysis.reason).toMatch(/\S/);
      }),
      { numRuns: 3000 },
    );
  });

  it("policy documents from hell: invalid URL-encoding, wrong types, huge and deep (2,000 cases)", () => {
    const base = samples.find((sample) => JSON.stringify(sample).includes("UpdateAssumeRolePolicy")) as { detail: Record<string, unknown> };
    const document = fc.oneof(
      jsonValue,
      deeplyNested,
      hostileString,
      jsonValue.map((value) => encodeURIComponent(JSON.stringify(value)).slice(0, -1)),
      fc.array(fc.record({ Effect: fc.constantFrom("Allow", "Deny"), Principal: jsonValue, Action: jsonValue, Condition: jsonValue }), { maxLength: 50 }).map((Statement) => JSON.stringify({ Statement })),
    );
    fc.assert(
      fc.property(document, fc.constantFrom("UpdateAssumeRolePolicy", "PutRolePolicy", "CreatePolicyVersion"), (policyDocument, eventName) => {
        const event = { ...base, detail: { ...base.detail, eventName, requestParameters: { roleName: "r", policyName: "p", policyDocument } } };
        assertSafe(analyser.analyse(event));
      }),
      { numRuns: 2000 },
    );
  });

  it("replay decoding of corrupted files: every byte sequence is decoded or reported, never thrown (1,000 cases)", () => {
    const text = JSON.stringify({ Records: samples.slice(0, 5).map((sample) => (sample as { detail: unknown }).detail) });
    fc.assert(
      fc.property(fc.nat({ max: text.length }), fc.nat({ max: 200 }), fc.string({ maxLength: 20 }), (at, cut, insert) => {
        const corrupted = Buffer.from(text.slice(0, at) + insert + text.slice(at + cut));
        let items: DecodedItem[] = [];
        expect(() => {
          items = decodeToList(corrupted);
        }).not.toThrow();
        for (const item of items) {
          if (item.kind === "item") assertSafe(analyser.analyse(item.value));
          else expect(item.reason).toMatch(/\S/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
