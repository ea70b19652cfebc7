import { gunzipSync } from "node:zlib";
import { isPlainObject } from "../cloudtrail/record.js";

/**
 * Turns the bytes of one input into the events or records it holds, whatever the form:
 * an EventBridge event, a raw record, a CloudTrail log file {"Records": […]} (optionally gzip),
 * a JSON array of either, JSON Lines of either, or `aws cloudtrail lookup-events` output
 * {"Events": [{"CloudTrailEvent": "<json>"}]}. Every item carries its position so an error
 * names exactly what was skipped.
 */
export type InputItem =
  | { readonly kind: "item"; readonly position: string; readonly value: unknown }
  | { readonly kind: "error"; readonly position: string; readonly reason: string }
  /** Recognised and deliberately not replayed (CloudTrail digest files). */
  | { readonly kind: "notice"; readonly position: string; readonly reason: string };

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

export function decodeBytes(bytes: Buffer): InputItem[] {
  let text: string;
  try {
    text = (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (error) {
    return [{ kind: "error", position: "file", reason: `cannot gunzip: ${(error as Error).message}` }];
  }
  return decodeText(text);
}

export function decodeText(text: string): InputItem[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") return [{ kind: "error", position: "file", reason: "empty input: no JSON found" }];
  try {
    return itemsFromDocument(JSON.parse(body), "");
  } catch (wholeError) {
    return decodeJsonLines(body, wholeError as Error);
  }
}

function decodeJsonLines(body: string, wholeError: Error): InputItem[] {
  const lines = body.split(/\r?\n/);
  const items: InputItem[] = [];
  let parsedAny = false;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const position = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      items.push({ kind: "error", position, reason: `invalid JSON: ${(error as Error).message}` });
      continue;
    }
    parsedAny = true;
    items.push(...itemsFromDocument(value, `${position} `));
  }
  // Nothing parsed line by line: the file is one broken JSON document, and the whole-file error says where.
  if (!parsedAny) return [{ kind: "error", position: "file", reason: `invalid JSON: ${wholeError.message}` }];
  return items;
}

function itemsFromDocument(value: unknown, prefix: string): InputItem[] {
  if (Array.isArray(value)) {
    return value.map((element, index) => ({ kind: "item", position: `${prefix}[${index}]`, value: element }));
  }
  if (isPlainObject(value)) {
    if (Array.isArray(value.Records)) {
      return value.Records.map((record, index) => ({ kind: "item", position: `${prefix}Records[${index}]`, value: record }));
    }
    if (Array.isArray(value.Events)) return itemsFromLookupEvents(value.Events, prefix);
    if ("digestStartTime" in value && "digestEndTime" in value) {
      return [{ kind: "notice", position: `${prefix}file`.trim(), reason: "CloudTrail digest file (integrity data, no events): skipped" }];
    }
  }
  return [{ kind: "item", position: prefix.trim() || "document", value }];
}

function itemsFromLookupEvents(events: unknown[], prefix: string): InputItem[] {
  return events.map((entry, index): InputItem => {
    const position = `${prefix}Events[${index}]`;
    if (isPlainObject(entry) && typeof entry.CloudTrailEvent === "string") {
      try {
        return { kind: "item", position, value: JSON.parse(entry.CloudTrailEvent) };
      } catch (error) {
        return { kind: "error", position, reason: `CloudTrailEvent is not valid JSON: ${(error as Error).message}` };
      }
    }
    return { kind: "item", position, value: entry };
  });
}
