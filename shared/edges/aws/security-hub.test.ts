import { type AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient, SecurityHubServiceException } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MAX_FINDINGS_PER_REQUEST, SecurityHubImportError, batches, importFindings } from "./security-hub.js";

/**
 * What moto_server cannot produce (test/integration/security-hub.int.test.ts imports for real):
 * throttling, a request refused as a whole, a count of failures without their list. The SDK's
 * own retries are not in play here (the mock answers `send`): these are the answers after them.
 */
const hub = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: "us-east-1" });
afterEach(() => hub.reset());
afterAll(() => hub.restore());

const fault = (name: string, status: number) => new SecurityHubServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: `${name} happened` });
const finding = (id: string, padding = 0): AwsSecurityFinding => ({ Id: id, Title: "t", Description: "p".repeat(padding) } as AwsSecurityFinding);
const sentIds = () => hub.commandCalls(BatchImportFindingsCommand).map((call) => (call.args[0].input.Findings ?? []).map((sent) => sent.Id));

describe("importFindings", () => {
  it("sends at most 100 findings a request, every batch, and reports what Security Hub took", async () => {
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => ({ FailedCount: 0, SuccessCount: input.Findings.length, FailedFindings: [] }));
    const all = Array.from({ length: 250 }, (_, index) => finding(`f-${index}`));
    await expect(importFindings(client, all)).resolves.toEqual({ imported: 250 });
    expect(sentIds().map((ids) => ids.length)).toEqual([MAX_FINDINGS_PER_REQUEST, MAX_FINDINGS_PER_REQUEST, 50]);
    expect(sentIds().flat()).toEqual(all.map((item) => item.Id));
  });

  it("keeps each request under the size limit, and does not send a finding over Security Hub's", async () => {
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => ({ FailedCount: 0, SuccessCount: input.Findings.length }));
    const limits = { findings: 100, requestBytes: 1_000, findingBytes: 700 };
    const error = await importFindings(client, [finding("a", 300), finding("b", 300), finding("c", 300), finding("huge", 800), finding("d", 10)], limits).catch((caught: unknown) => caught);
    expect(sentIds()).toEqual([["a", "b"], ["c", "d"]]);
    expect(error).toBeInstanceOf(SecurityHubImportError);
    expect((error as SecurityHubImportError).failedIds).toEqual(["huge"]);
    expect((error as SecurityHubImportError).message).toMatch(/did not import 1 finding\(s\) \(FindingTooLarge; 4 imported\): "huge"/);
  });

  it("FailedCount > 0: every batch is still tried, then an error names exactly the refused findings", async () => {
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({ FailedCount: 1, SuccessCount: 99, FailedFindings: [{ Id: "f-7", ErrorCode: "InvalidInput", ErrorMessage: "Finding does not adhere to ASFF" }] })
      .resolvesOnce({ FailedCount: 0, SuccessCount: 20 });
    const all = Array.from({ length: 120 }, (_, index) => finding(`f-${index}`));
    const error = (await importFindings(client, all).catch((caught: unknown) => caught)) as SecurityHubImportError;
    expect(sentIds()).toHaveLength(2);
    expect(error).toBeInstanceOf(SecurityHubImportError);
    expect(error.failedIds).toEqual(["f-7"]);
    expect(error.failures).toEqual([{ id: "f-7", code: "InvalidInput", message: "Finding does not adhere to ASFF" }]);
    expect(error.message).toContain('"f-7"');
    expect(error.message).toContain("119 imported");
  });

  it("a failure count without the list: none of that batch is known to be in", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 2, SuccessCount: 1 });
    const error = (await importFindings(client, [finding("x"), finding("y"), finding("z")]).catch((caught: unknown) => caught)) as SecurityHubImportError;
    expect(error.failedIds).toEqual(["x", "y", "z"]);
  });

  it.each([
    ["throttled after the SDK's retries", fault("ThrottlingException", 400)],
    ["over Security Hub's rate", fault("LimitExceededException", 429)],
    ["Security Hub not enabled in the account", fault("InvalidAccessException", 401)],
    ["access denied", fault("AccessDeniedException", 403)],
    ["a server error", fault("InternalException", 500)],
  ])("a request that fails (%s) fails every finding it carried, and only those", async (_label, rejection) => {
    hub.on(BatchImportFindingsCommand).rejectsOnce(rejection).resolves({ FailedCount: 0, SuccessCount: 5 });
    const all = Array.from({ length: 105 }, (_, index) => finding(`f-${index}`));
    const error = (await importFindings(client, all).catch((caught: unknown) => caught)) as SecurityHubImportError;
    expect(error).toBeInstanceOf(SecurityHubImportError);
    expect(error.failedIds).toEqual(all.slice(0, 100).map((item) => item.Id));
    expect(error.failures[0]).toEqual({ id: "f-0", code: rejection.name, message: rejection.message });
    expect(error.message).toContain(rejection.name);
    expect(error.message).toContain("5 imported");
    // The message names at most 20 ids (the log line stays short); the error holds them all.
    expect(error.message).toMatch(/"f-19", …$/);
  });

  it("nothing to import: no request", async () => {
    await expect(importFindings(client, [])).resolves.toEqual({ imported: 0 });
    expect(sentIds()).toEqual([]);
  });
});

describe("batches", () => {
  it("never makes an empty batch, and lets a lone finding through even if the request limit is smaller", () => {
    const limits = { findings: 2, requestBytes: 10, findingBytes: 100 };
    const items = [{ finding: finding("a"), bytes: 50 }, { finding: finding("b"), bytes: 1 }, { finding: finding("c"), bytes: 1 }, { finding: finding("d"), bytes: 1 }];
    expect(batches(items, limits).map((batch) => batch.map((item) => item.Id))).toEqual([["a"], ["b", "c"], ["d"]]);
    expect(batches([], limits)).toEqual([]);
  });
});
