import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeToList } from "./input-decoder.js";

/**
 * What the decoder reads must be exactly what was written, however it was compressed: its
 * gunzip sizes its output from the gzip trailer, which must only ever be a hint.
 */
const log = (userNames: readonly string[]) => ({
  Records: userNames.map((userName, index) => ({ eventID: `e-${index}`, eventName: "CreateUser", requestParameters: { userName } })),
});

function valuesOf(bytes: Buffer): unknown[] {
  return decodeToList(bytes).map((item) => (item.kind === "item" ? item.value : item));
}

describe("replay decoding", () => {
  it("decodes non-ASCII UTF-8 exactly, gzipped or not", () => {
    const document = log(["josé", "Zoë", "数据工程", "🙂-bot", "plain"]);
    const text = JSON.stringify(document);
    expect(Buffer.from(text).length).toBeGreaterThan(text.length); // really multi-byte
    expect(valuesOf(Buffer.from(text))).toEqual(document.Records);
    expect(valuesOf(gzipSync(text))).toEqual(document.Records);
  });

  it("still strips a UTF-8 byte-order mark", () => {
    const text = JSON.stringify(log(["alice"]));
    expect(valuesOf(gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))).toEqual(log(["alice"]).Records);
  });

  it("reads every member of a multi-member gzip, though the trailer describes only the last", () => {
    const text = JSON.stringify(log(Array.from({ length: 2000 }, (_, n) => `user-${n}`)));
    const cut = Math.floor(text.length * 0.9);
    const twoMembers = Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]);
    const values = valuesOf(twoMembers);
    expect(values).toHaveLength(2000);
    expect(values[1999]).toEqual({ eventID: "e-1999", eventName: "CreateUser", requestParameters: { userName: "user-1999" } });
  });

  it.each([
    ["too small", 1],
    ["absurdly large", 0xffffffff],
  ])("reports a gzip trailer whose size is %s as corrupt, without trusting it", (_label, claimed) => {
    const gz = gzipSync(JSON.stringify(log(["alice", "bob"])));
    gz.writeUInt32LE(claimed, gz.length - 4);
    const items = decodeToList(gz);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: "error", position: "file" });
    expect((items[0] as { reason: string }).reason).toMatch(/^cannot gunzip: /);
  });
});
