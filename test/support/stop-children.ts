import { afterAll, afterEach, beforeEach } from "vitest";
import { childSequence, stopChildren } from "./bounded-process.js";

/**
 * Set-up file of every test file (vitest.config.ts `setupFiles`): children of
 * test/support/bounded-process.ts are killed, process group and all, when the test that started
 * them ends, whether it passed, failed or timed out; those started by `beforeAll` when the file
 * ends. A timed-out test thus never leaves `serverless invoke local` running into the next one.
 */
let mark = 0;
beforeEach(() => {
  mark = childSequence();
});
afterEach(() => {
  stopChildren(mark);
  mark = 0;
});
afterAll(() => {
  stopChildren();
});
