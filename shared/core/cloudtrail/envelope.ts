import { isPlainObject } from "./record.js";

/**
 * CloudTrail reaches trailguard either wrapped by EventBridge (record in `detail`) or as a raw
 * record (log files, lookup-events, hand-made samples). This tells them apart without trusting
 * either: the record itself is validated later.
 */
export interface EventBridgeContext {
  readonly id: string | undefined;
  readonly detailType: string;
  readonly account: string | undefined;
  readonly region: string | undefined;
}

export type Unwrapped =
  | { readonly kind: "record"; readonly record: unknown; readonly envelope: EventBridgeContext | undefined }
  /** Another service's EventBridge event: well-formed, simply not ours. */
  | { readonly kind: "unsupported"; readonly reason: string }
  /** Neither an EventBridge event nor a CloudTrail record: broken input. */
  | { readonly kind: "invalid"; readonly reason: string };

const CLOUDTRAIL_DETAIL_TYPE = / via CloudTrail$/;

export function looksLikeEventBridgeEvent(value: Record<string, unknown>): boolean {
  return "detail-type" in value && "detail" in value;
}

/**
 * The record an input carries, unchecked, for quick looks at raw fields (a time, an event name)
 * before any validation: an EventBridge event's `detail` (undefined when it has none: the
 * analyser reports that), or the value itself.
 */
export function carriedRecord(value: unknown): unknown {
  return isPlainObject(value) && "detail-type" in value ? value.detail : value;
}

export function looksLikeCloudTrailRecord(value: Record<string, unknown>): boolean {
  return "eventName" in value || "eventSource" in value || "eventVersion" in value;
}

export function unwrapEvent(value: unknown): Unwrapped {
  if (!isPlainObject(value)) {
    return { kind: "invalid", reason: `expected a JSON object, got ${describeType(value)}` };
  }
  if (looksLikeEventBridgeEvent(value)) {
    const detailType = value["detail-type"];
    if (typeof detailType !== "string") {
      return { kind: "invalid", reason: "EventBridge event has a non-string detail-type" };
    }
    if (!CLOUDTRAIL_DETAIL_TYPE.test(detailType)) {
      return { kind: "unsupported", reason: `EventBridge detail-type "${truncate(detailType, 80)}" is not a CloudTrail event` };
    }
    // Only AWS services publish under "aws." sources; anyone allowed events:PutEvents can publish
    // any detail-type and detail under their own source. Such an event is not CloudTrail's.
    if ("source" in value && (typeof value.source !== "string" || !/^aws\.[a-z0-9-]+$/.test(value.source))) {
      const source = typeof value.source === "string" ? JSON.stringify(truncate(value.source, 80)) : describeType(value.source);
      return { kind: "unsupported", reason: `EventBridge source ${source} is not an AWS service: only AWS publishes CloudTrail events` };
    }
    return {
      kind: "record",
      record: value.detail,
      envelope: {
        id: stringOrUndefined(value.id),
        detailType,
        account: stringOrUndefined(value.account),
        region: stringOrUndefined(value.region),
      },
    };
  }
  if (looksLikeCloudTrailRecord(value)) return { kind: "record", record: value, envelope: undefined };
  return { kind: "invalid", reason: "neither an EventBridge event nor a CloudTrail record (no detail-type, no eventName)" };
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
