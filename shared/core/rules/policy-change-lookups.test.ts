import { describe, expect, it } from "vitest";
import { ACCOUNT, type Json, iamCall, policyJson } from "../../../test/support/records.js";
import { parseConfig } from "../config/config.js";
import { createAnalyser } from "../engine/analyse.js";
import type { Finding } from "../model/finding.js";
import { type Lookup, lookupKey, lookupsFrom } from "../model/lookups.js";
import { RULES } from "./registry.js";

/**
 * Customer-managed policies are judged by their documents, which the responder reads (here given
 * as lookups): attached (the default version) or made default (the named version). Whatever the
 * policy is called, an admin-equivalent document is critical; a benign one low.
 */
const analyser = createAnalyser(parseConfig({ mode: "enforce" }, "test"), RULES);
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/ReadOnlyHelpdesk`;
const ADMIN_DOC = encodeURIComponent(policyJson({ Effect: "Allow", Action: "*", Resource: "*" }));
const READ_DOC = encodeURIComponent(policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }));

function judged(record: Json, rule: string, document?: Lookup<string>, versionId?: string): Finding | undefined {
  const lookups = document ? lookupsFrom(new Map([[lookupKey({ kind: "policy-document", account: ACCOUNT, policyArn: POLICY, ...(versionId ? { versionId } : {}) }), document]])) : undefined;
  const analysis = analyser.analyse(record, { lookups });
  return analysis.kind === "analysed" ? analysis.findings.find((finding) => finding.ruleId === rule) : undefined;
}

describe("customer-managed policies judged by their documents", () => {
  const attach = iamCall("AttachUserPolicy", { userName: "bob", policyArn: POLICY });
  const setDefault = iamCall("SetDefaultPolicyVersion", { policyArn: POLICY, versionId: "v3" });

  it("asks for the attached policy's default version and for the named version made default; never for AWS managed policies or another account's", () => {
    expect(analyser.lookupsFor(attach)).toEqual([{ kind: "policy-document", account: ACCOUNT, policyArn: POLICY }]);
    expect(analyser.lookupsFor(setDefault)).toEqual([{ kind: "policy-document", account: ACCOUNT, policyArn: POLICY, versionId: "v3" }]);
    expect(analyser.lookupsFor(iamCall("AttachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }))).toEqual([]);
    expect(analyser.lookupsFor(iamCall("AttachUserPolicy", { userName: "bob", policyArn: "arn:aws:iam::999988887777:policy/x" }))).toEqual([]);
    expect(analyser.lookupsFor(iamCall("SetDefaultPolicyVersion", { policyArn: POLICY, versionId: "v3 or else" }))).toEqual([]);
  });

  it("an innocently named customer policy that is admin-equivalent: critical, both for the attach and the default switch, and contained", () => {
    const attached = judged(attach, "managed-policy-attached", { ok: true, value: ADMIN_DOC });
    expect([attached?.severity, ...(attached?.signals ?? [])]).toEqual(["critical", "admin-grant"]);
    expect(attached?.actions.length).toBeGreaterThan(0);
    expect(attached?.evidence?.policyDocument).toContain('"Action": "*"');
    const switched = judged(setDefault, "policy-default-version-set", { ok: true, value: ADMIN_DOC }, "v3");
    expect([switched?.severity, ...(switched?.signals ?? [])]).toEqual(["critical", "admin-grant"]);
  });

  it("a document read as harmless stays medium (a default switched back since would read so); an unreadable one medium with the reason; a broken one high", () => {
    expect(judged(attach, "managed-policy-attached", { ok: true, value: READ_DOC })?.severity).toBe("medium");
    const denied = judged(attach, "managed-policy-attached", { ok: false, reason: "AccessDenied: no" });
    expect(denied?.severity).toBe("medium");
    expect(denied?.reasons[0]).toContain("AccessDenied");
    expect(judged(setDefault, "policy-default-version-set", { ok: true, value: "%7B%22Statement%22" }, "v3")?.severity).toBe("high");
  });

  it("a narrow document (read-only metadata) is low only when known as of the call (replay's memory); read from IAM afterwards it stays medium", () => {
    const narrow = encodeURIComponent(policyJson({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }));
    const replayed = judged(attach, "managed-policy-attached", { ok: true, value: narrow, source: "replay" });
    expect(replayed?.severity).toBe("low");
    expect(replayed?.reasons).toEqual([`attached "${POLICY}", as it was at the time of the call (created earlier in this replay): grants only read-only metadata actions (ec2:DescribeInstances)`]);
    expect(judged(setDefault, "policy-default-version-set", { ok: true, value: narrow, source: "replay" }, "v3")?.severity).toBe("low");
    // Read from IAM when judged: a default switched back since would read this way too.
    expect(judged(attach, "managed-policy-attached", { ok: true, value: narrow, source: "iam" })?.severity).toBe("medium");
    expect(judged(attach, "managed-policy-attached", { ok: true, value: narrow })?.severity).toBe("medium");
    // Known as of the call but not narrow: medium.
    expect(judged(attach, "managed-policy-attached", { ok: true, value: READ_DOC, source: "replay" })?.severity).toBe("medium");
  });
});
