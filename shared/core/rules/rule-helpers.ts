import type { CloudTrailRecord } from "../cloudtrail/record.js";
import type { PolicyParseResult } from "../iam/policy-document.js";
import type { Actor, Evidence } from "../model/finding.js";
import { quoted } from "../model/untrusted.js";

export const IAM_SOURCE = "iam.amazonaws.com";

/** A string request parameter, or undefined when absent, null or of another type. */
export function requestString(record: CloudTrailRecord, name: string): string | undefined {
  const value = record.requestParameters?.[name];
  return typeof value === "string" ? value : undefined;
}

export function responseObject(record: CloudTrailRecord, name: string): Record<string, unknown> | undefined {
  const value = record.responseElements?.[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function stringField(object: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = object?.[name];
  return typeof value === "string" ? value : undefined;
}

/** `IAM user "alice"`, `role "Deployer" (session "bob")`, "the root user": short, for summaries; names quoted. */
export function describeActor(actor: Actor): string {
  if (actor.type === "Root") return "the root user";
  if (actor.type === "AssumedRole") {
    const session = actor.sessionName ? ` (session ${quoted(actor.sessionName)})` : "";
    return `role ${quoted(actor.principalName ?? actor.arn)}${session}`;
  }
  if (actor.type === "IAMUser") return `IAM user ${quoted(actor.principalName ?? actor.arn)}`;
  if (actor.principalName) return `${quoted(actor.principalName)} (${quoted(actor.type)})`;
  return actor.arn ? quoted(actor.arn) : `an unidentified ${actor.type ? quoted(actor.type) : "caller"}`;
}

export function outcome(failed: boolean, errorCode: string | undefined): string {
  if (!failed) return "succeeded";
  return errorCode ? `failed (${errorCode})` : "failed";
}

/** The document as the on-call should read it: pretty JSON when it parsed, else as recorded. */
export function documentEvidence(raw: unknown, parsed: PolicyParseResult): Evidence {
  if (parsed.ok) return { policyDocument: JSON.stringify(parsed.document.json, null, 2) };
  return { policyDocument: typeof raw === "string" ? raw : String(JSON.stringify(raw)) };
}

/** IAM user names are unique case-insensitively; compare names, never ARN suffixes (paths differ). */
export function sameUserName(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}
