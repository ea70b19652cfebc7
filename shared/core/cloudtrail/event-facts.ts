import { createHash } from "node:crypto";
import type { EventFacts } from "../model/finding.js";
import type { CloudTrailRecord } from "./record.js";

const READ_ONLY_NAME = /^(Get|List|Describe|Head|Lookup|BatchGet|Search|Simulate)[A-Z]/;

/** Explicit readOnly wins; records without it fall back to the AWS naming convention. */
export function isReadOnly(record: CloudTrailRecord): boolean {
  if (typeof record.readOnly === "boolean") return record.readOnly;
  if (record.readOnly === "true") return true;
  if (record.readOnly === "false") return false;
  return READ_ONLY_NAME.test(record.eventName);
}

/**
 * A call failed when CloudTrail carries an error, or when a sign-in style event answers
 * "Failure" (ConsoleLogin, CheckMfa, SwitchRole put the outcome under their own event name).
 */
export function isFailedCall(record: CloudTrailRecord): boolean {
  if (record.errorCode || record.errorMessage) return true;
  const outcome = record.responseElements?.[record.eventName];
  return outcome === "Failure";
}

/**
 * Calls refused for want of permission, as CIS CloudWatch .2 counts them: `errorCode`
 * AccessDenied, AccessDeniedException... or Client.UnauthorizedOperation, UnauthorizedOperation.
 * The EventBridge pattern is rendered from the same two parts (shared/core/stack/event-patterns.ts).
 */
export const DENIED_ERROR_CODE = { prefix: "AccessDenied", suffix: "UnauthorizedOperation" } as const;

export function isDeniedErrorCode(code: unknown): boolean {
  return typeof code === "string" && (code.startsWith(DENIED_ERROR_CODE.prefix) || code.endsWith(DENIED_ERROR_CODE.suffix));
}

export function eventFacts(record: CloudTrailRecord, envelopeAccount?: string, envelopeRegion?: string): EventFacts {
  const eventId = record.eventID || syntheticEventId(record);
  return {
    eventId,
    eventIdIsSynthetic: !record.eventID,
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventTime: record.eventTime ?? undefined,
    account: record.recipientAccountId ?? envelopeAccount ?? record.userIdentity?.accountId ?? undefined,
    region: record.awsRegion ?? envelopeRegion ?? undefined,
    sourceIp: record.sourceIPAddress ?? undefined,
    userAgent: record.userAgent ?? undefined,
    readOnly: isReadOnly(record),
    errorCode: record.errorCode ?? undefined,
    errorMessage: record.errorMessage ?? undefined,
    failed: isFailedCall(record),
  };
}

/** Stable across replays of the same record, so findings keep one id and duplicates can be dropped. */
function syntheticEventId(record: CloudTrailRecord): string {
  const digest = createHash("sha256").update(JSON.stringify(record)).digest("hex");
  return `synthetic-${digest.slice(0, 32)}`;
}
