import * as z from "zod/mini";
import "../model/zod.js";

/**
 * The parts of a CloudTrail record that trailguard reads. Everything is optional except what
 * every rule needs (eventSource, eventName): real logs omit fields (no userIdentity.type on some
 * service events, no eventID in hand-made samples, requestParameters null above 100 KB).
 * Unknown fields pass through untouched. A field present with the wrong type is an error: a
 * record that lies about its shape is reported, never half-trusted.
 */
const optionalString = z.nullish(z.string());
// Request and response bodies can be large; rules read them field by field with type checks,
// so only their object-ness is validated here (a full walk would copy every key of every record).
const stringRecord = z.custom<Record<string, unknown>>(isPlainObject, "must be an object");

export const sessionContextSchema = z.looseObject({
    sessionIssuer: z.nullish(
      z.looseObject({
        type: optionalString,
        principalId: optionalString,
        arn: optionalString,
        accountId: optionalString,
        userName: optionalString,
      }),
    ),
    attributes: z.nullish(
      z.looseObject({
        mfaAuthenticated: z.nullish(z.union([z.string(), z.boolean()])),
        creationDate: optionalString,
      }),
    ),
    sourceIdentity: optionalString,
  });

export const userIdentitySchema = z.looseObject({
  type: optionalString,
  principalId: optionalString,
  arn: optionalString,
  accountId: optionalString,
  accessKeyId: optionalString,
  userName: optionalString,
  invokedBy: optionalString,
  sessionContext: z.nullish(sessionContextSchema),
});

export const cloudTrailRecordSchema = z.looseObject({
  eventVersion: optionalString,
  eventSource: z.string().check(z.minLength(1, "eventSource is empty")),
  eventName: z.string().check(z.minLength(1, "eventName is empty")),
  eventTime: optionalString,
  eventID: optionalString,
  eventType: optionalString,
  awsRegion: optionalString,
  sourceIPAddress: optionalString,
  userAgent: optionalString,
  recipientAccountId: optionalString,
  readOnly: z.nullish(z.union([z.boolean(), z.string()])),
  errorCode: optionalString,
  errorMessage: optionalString,
  userIdentity: z.nullish(userIdentitySchema),
  requestParameters: z.nullish(stringRecord),
  responseElements: z.nullish(stringRecord),
  additionalEventData: z.nullish(stringRecord),
});

export type CloudTrailRecord = z.infer<typeof cloudTrailRecordSchema>;
export type UserIdentity = z.infer<typeof userIdentitySchema>;

export type RecordResult =
  | { readonly ok: true; readonly record: CloudTrailRecord }
  | { readonly ok: false; readonly reason: string };

/**
 * Results by the object parsed: one record is asked about several times (which counts and
 * lookups it needs, then its analysis), and validation is the costliest step a candidate
 * takes. Weak: a record no one holds any more is forgotten with its result.
 */
const parsedRecords = new WeakMap<object, RecordResult>();

export function parseCloudTrailRecord(value: unknown): RecordResult {
  const known = isPlainObject(value) ? parsedRecords.get(value) : undefined;
  if (known) return known;
  const result = validate(value);
  if (isPlainObject(value)) parsedRecords.set(value, result);
  return result;
}

function validate(value: unknown): RecordResult {
  const parsed = cloudTrailRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "record"}: ${issue.message}`);
  return { ok: false, reason: `not a valid CloudTrail record (${issues.join("; ")})` };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
