import { gunzipSync } from "node:zlib";
import { isPlainObject } from "../../core/cloudtrail/record.js";

/**
 * Turns the text of one input into the events or records it holds, whatever the form:
 * an EventBridge event, a raw record, a CloudTrail log file {"Records": […]}, a JSON array of
 * either, JSON Lines of either, or `aws cloudtrail lookup-events` output
 * {"Events": [{"CloudTrailEvent": "<json>"}]}. Items are handed to a visitor with where they
 * came from; the position text ("Records[12]", "line 5") is only built when something needs it,
 * because replay visits hundreds of thousands of records a second.
 */
export type Container = "Records" | "Events" | "array" | "document";

/**
 * Where an item came from is passed as plain arguments, not an object: replay visits hundreds of
 * thousands of items a second, and an allocation per item is measurable garbage.
 * `line` is 1-based for JSON Lines input and 0 for whole documents.
 */
export interface DecodeVisitor {
  item(value: unknown, container: Container, index: number, line: number): void;
  problem(level: "error" | "notice", position: string, reason: string): void;
}

export function positionOf(container: Container, index: number, line: number): string {
  const prefix = line > 0 ? `line ${line}` : "";
  const inner = container === "Records" ? `Records[${index}]` : container === "Events" ? `Events[${index}]` : container === "array" ? `[${index}]` : "";
  return [prefix, inner].filter((part) => part !== "").join(" ") || "document";
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Node cannot hold a string over ~512 MB: past this, whole-document input must be JSON Lines. */
export const MAX_DOCUMENT_BYTES = 400 * 1024 * 1024;

export function decodeBytes(bytes: Buffer, visitor: DecodeVisitor): void {
  const document = parseInput(bytes, visitor);
  if (document !== HANDLED) visitDocument(document, 0, visitor);
}

export function decodeText(text: string, visitor: DecodeVisitor): void {
  const document = parseText(text, visitor);
  if (document !== HANDLED) visitDocument(document, 0, visitor);
}

/** Returned when the input was already reported (an error) or visited (JSON Lines). */
const HANDLED: unique symbol = Symbol("handled");

/**
 * The parsed document alone: the decompressed bytes and the text (over a megabyte each for a
 * CloudTrail object) are no longer reachable while its records are analysed, so a young-
 * generation GC during analysis frees them instead of copying them to the old generation.
 */
function parseInput(bytes: Buffer, visitor: DecodeVisitor): unknown {
  let body: Buffer;
  try {
    body = isGzip(bytes) ? gunzip(bytes) : bytes;
  } catch (error) {
    visitor.problem("error", "file", `cannot gunzip: ${(error as Error).message}`);
    return HANDLED;
  }
  if (body.length > MAX_DOCUMENT_BYTES) {
    visitor.problem("error", "file", `${Math.round(body.length / 1048576)} MB is too large for one JSON document: split it, or use JSON Lines (.jsonl), which is streamed`);
    return HANDLED;
  }
  return parseText(body.toString("utf8"), visitor);
}

/** Deflate expands at most about 1032:1; a gzip trailer claiming more is not believed. */
const MAX_DEFLATE_RATIO = 1032;
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;

/**
 * zlib inflates into 16 KB chunks and then concatenates them: for a 1.3 MB CloudTrail object,
 * about 80 chunks and one more copy. The gzip trailer records the uncompressed size (ISIZE, of
 * the last member, modulo 2^32), so the output buffer is sized from it instead: a hint only,
 * bounded by what the compressed size allows, and zlib still adds chunks when it is short
 * (zlib itself rejects a trailer that does not match). It also lowers peak RSS: one buffer per
 * object instead of eighty chunks and their concatenation.
 */
function gunzip(bytes: Buffer): Buffer {
  const claimed = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
  const chunkSize = Math.min(Math.max(claimed + 1, MIN_CHUNK), bytes.length * MAX_DEFLATE_RATIO + MIN_CHUNK, MAX_CHUNK);
  return gunzipSync(bytes, { chunkSize });
}

function parseText(text: string, visitor: DecodeVisitor): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") {
    visitor.problem("error", "file", "empty input: no JSON found");
    return HANDLED;
  }
  try {
    return JSON.parse(body);
  } catch (wholeError) {
    decodeJsonLines(body, wholeError as Error, visitor);
    return HANDLED;
  }
}

function decodeJsonLines(body: string, wholeError: Error, visitor: DecodeVisitor): void {
  const lines = body.split(/\r?\n/);
  const pending: Array<() => void> = [];
  let parsedAny = false;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      parsedAny = true;
      pending.push(() => visitDocument(value, index + 1, visitor));
    } catch (error) {
      pending.push(() => visitor.problem("error", `line ${index + 1}`, `invalid JSON: ${(error as Error).message}`));
    }
  }
  // Nothing parsed line by line: the file is one broken JSON document, and the whole-file error says where.
  if (!parsedAny) {
    visitor.problem("error", "file", `invalid JSON: ${wholeError.message}`);
    return;
  }
  for (const visit of pending) visit();
}

/** One parsed JSON value (a whole file, or one line of JSON Lines). */
export function visitDocument(value: unknown, line: number, visitor: DecodeVisitor): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) visitor.item(value[index], "array", index, line);
    return;
  }
  if (isPlainObject(value)) {
    const records = value.Records;
    if (Array.isArray(records)) {
      for (let index = 0; index < records.length; index++) visitor.item(records[index], "Records", index, line);
      return;
    }
    if (Array.isArray(value.Events)) {
      visitLookupEvents(value.Events, line, visitor);
      return;
    }
    if ("digestStartTime" in value && "digestEndTime" in value) {
      visitor.problem("notice", line > 0 ? `line ${line}` : "file", "CloudTrail digest file (integrity data, no events): skipped");
      return;
    }
  }
  visitor.item(value, "document", 0, line);
}

function visitLookupEvents(events: unknown[], line: number, visitor: DecodeVisitor): void {
  for (let index = 0; index < events.length; index++) {
    const entry = events[index];
    if (isPlainObject(entry) && typeof entry.CloudTrailEvent === "string") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(entry.CloudTrailEvent);
      } catch (error) {
        visitor.problem("error", positionOf("Events", index, line), `CloudTrailEvent is not valid JSON: ${(error as Error).message}`);
        continue;
      }
      visitor.item(parsed, "Events", index, line);
    } else {
      visitor.item(entry, "Events", index, line);
    }
  }
}

/** Convenience for tests and small inputs: every item and problem as a list, in order. */
export type DecodedItem =
  | { readonly kind: "item"; readonly position: string; readonly value: unknown }
  | { readonly kind: "error" | "notice"; readonly position: string; readonly reason: string };

export function decodeToList(bytes: Buffer): DecodedItem[] {
  const items: DecodedItem[] = [];
  decodeBytes(bytes, {
    item: (value, container, index, line) => items.push({ kind: "item", position: positionOf(container, index, line), value }),
    problem: (level, position, reason) => items.push({ kind: level, position, reason }),
  });
  return items;
}
