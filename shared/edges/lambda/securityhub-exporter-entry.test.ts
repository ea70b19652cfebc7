import { type AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient, SecurityHubServiceException } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Finding } from "../../core/model/finding.js";
import type { Logger, LogLevel } from "../../core/model/logger.js";
import { alertDocumentOf, documentBody } from "../../../test/support/alert-documents.js";
import { ACCOUNT, eventBridge, findingOf, iamCall, iamUser, policyJson } from "../../../test/support/records.js";
import { SecurityHubImportError } from "../aws/security-hub.js";
import { type ExporterDeps, PRODUCT_ARN_VARIABLE, exportAlertRecords, readAlertDocument, securityHubExporter, securityHubTarget } from "./securityhub-exporter-entry.js";

const PRODUCT_ARN = `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`;
const NOW = new Date("2024-05-01T12:05:00Z");

function adminGrant(eventID: string): Finding {
  const record = iamCall("PutRolePolicy", { roleName: "app", policyName: "x", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) }, { eventID, userIdentity: iamUser("alice") });
  return findingOf(eventBridge(record), "policy-document-grant");
}

function record(messageId: string, body: string) {
  return { messageId, receiptHandle: `handle-${messageId}`, body, attributes: { ApproximateReceiveCount: "1" }, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:trailguard-prod-securityhub-exporter-input`, awsRegion: "us-east-1" };
}

function capture(): Logger & { lines: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> }> = [];
  return { lines, log: (level, message, fields = {}) => lines.push({ level, message, fields }) };
}

function deps(importFindings: ExporterDeps["importFindings"], logger: Logger = capture()): ExporterDeps {
  return { importFindings, target: securityHubTarget({ [PRODUCT_ARN_VARIABLE]: PRODUCT_ARN }), now: () => NOW, logger };
}

const one = adminGrant("event-1");
const two = adminGrant("event-2");

describe("readAlertDocument: the boundary", () => {
  it("accepts an alert document and keeps only what the exporter reads", () => {
    const outcome = readAlertDocument(documentBody(alertDocumentOf([one])));
    expect(outcome.kind).toBe("document");
    if (outcome.kind !== "document") return;
    expect(outcome.document.findings[0]?.findingId).toBe(one.findingId);
    expect(outcome.document.incident).toEqual({ id: "TG-5f3a9c1e0a1b" });
    expect(Object.keys(outcome.document).sort()).toEqual(["account", "findings", "incident", "kind", "schema"]);
  });

  it.each([
    ["not JSON", "{not json", /not JSON/],
    ["a CloudWatch alarm's notification", JSON.stringify({ AlarmName: "trailguard-prod-heartbeat-missing", NewStateValue: "ALARM" }), /CloudWatch alarm/],
    ["another schema", JSON.stringify({ ...alertDocumentOf([one]), schema: "trailguard.alert/2" }), /not a trailguard\.alert\/1 document \(schema "trailguard\.alert\/2"\)/],
    ["an array", "[1,2]", /schema null/],
    ["the SNS envelope (raw delivery off)", JSON.stringify({ Type: "Notification", Message: documentBody(alertDocumentOf([one])) }), /not a trailguard\.alert\/1 document/],
  ])("ignores %s", (_label, body, reason) => {
    const outcome = readAlertDocument(body);
    expect(outcome.kind).toBe("ignored");
    expect(outcome.kind === "ignored" && outcome.reason).toMatch(reason);
  });

  it.each<[string, (document: Record<string, unknown>) => unknown]>([
    ["no findings", (document) => ({ ...document, findings: [] })],
    ["a finding without an id", (document) => ({ ...document, findings: [{ ...one, findingId: "" }] })],
    ["an unknown severity", (document) => ({ ...document, findings: [{ ...one, severity: "catastrophic" }] })],
    ["a number for a name", (document) => ({ ...document, findings: [{ ...one, actor: { ...one.actor, arn: 42 } }] })],
    ["no incident", (document) => ({ ...document, incident: undefined })],
    ["an unknown kind", (document) => ({ ...document, kind: "resolve" })],
  ])("a document with %s is malformed, and says where", (_label, change) => {
    const outcome = readAlertDocument(JSON.stringify(change(alertDocumentOf([one]) as unknown as Record<string, unknown>)));
    expect(outcome.kind).toBe("malformed");
    expect(outcome.kind === "malformed" && outcome.reason.length).toBeGreaterThan(5);
  });
});

describe("exportAlertRecords: one SQS batch", () => {
  it("imports every finding of every record in one call, dropping and logging the records that are not documents", async () => {
    const imported: AwsSecurityFinding[][] = [];
    const logger = capture();
    const response = await exportAlertRecords(
      {
        Records: [
          record("m-1", documentBody(alertDocumentOf([one, two]))),
          record("m-2", "{broken"),
          record("m-3", JSON.stringify({ ...alertDocumentOf([one]), findings: [{ ...one, severity: "catastrophic" }] })),
          record("m-4", JSON.stringify({ AlarmName: "trailguard-prod-undelivered-events" })),
        ],
      },
      deps(async (findings) => {
        imported.push([...findings]);
        return { imported: findings.length };
      }, logger),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(imported.map((batch) => batch.map((finding) => finding.Id))).toEqual([[one.findingId, two.findingId]]);
    expect(imported[0]?.[0]).toMatchObject({ ProductArn: PRODUCT_ARN, AwsAccountId: ACCOUNT, UpdatedAt: NOW.toISOString() });
    expect(logger.lines.filter((line) => line.level === "error")).toEqual([
      expect.objectContaining({ message: "malformed alert document: dropped, not retried", fields: expect.objectContaining({ messageId: "m-3", securityHubExport: "malformed", reason: expect.stringContaining("findings.0.severity") }) }),
    ]);
    expect(logger.lines.filter((line) => line.message === "not an alert document: ignored").map((line) => line.fields.messageId)).toEqual(["m-2", "m-4"]);
    expect(logger.lines.at(-1)).toMatchObject({ level: "info", message: "findings imported into Security Hub", fields: { imported: 2 } });
  });

  it("reports in batchItemFailures exactly the records that carried a finding Security Hub refused", async () => {
    const logger = capture();
    const response = await exportAlertRecords(
      { Records: [record("m-1", documentBody(alertDocumentOf([one]))), record("m-2", documentBody(alertDocumentOf([two]))), record("m-3", documentBody(alertDocumentOf([two])))] },
      deps(async () => {
        throw new SecurityHubImportError([{ id: two.findingId, code: "InvalidInput", message: "nope" }], 1);
      }, logger),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }, { itemIdentifier: "m-3" }] });
    expect(logger.lines.at(-1)).toMatchObject({ level: "error", fields: { failedFindingIds: [two.findingId], messageIds: ["m-2", "m-3"], securityHubExport: "failed" } });
  });

  it("imports a finding carried twice (a redelivered alert) once", async () => {
    const imported: string[] = [];
    await exportAlertRecords({ Records: [record("m-1", documentBody(alertDocumentOf([one]))), record("m-2", documentBody(alertDocumentOf([one], { kind: "update" })))] }, deps(async (findings) => {
      imported.push(...findings.map((finding) => finding.Id ?? ""));
      return { imported: findings.length };
    }));
    expect(imported).toEqual([one.findingId]);
  });

  it("any other import error retries every record that had findings, never the dropped ones", async () => {
    const response = await exportAlertRecords({ Records: [record("m-1", documentBody(alertDocumentOf([one]))), record("m-2", "nope"), record("m-3", documentBody(alertDocumentOf([two])))] }, deps(async () => {
      throw new Error("socket hang up");
    }));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }, { itemIdentifier: "m-3" }] });
  });

  it("an id Security Hub names that no record carried: every record is retried rather than one lost", async () => {
    const response = await exportAlertRecords({ Records: [record("m-1", documentBody(alertDocumentOf([one]))), record("m-2", documentBody(alertDocumentOf([two])))] }, deps(async () => {
      throw new SecurityHubImportError([{ id: "", code: "InvalidInput", message: "?" }], 1);
    }));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(["m-1", "m-2"]);
  });

  it("refuses what is not an SQS batch (a direct invocation), and makes no call", async () => {
    const logger = capture();
    let called = false;
    const response = await exportAlertRecords({ findings: [one] }, deps(async () => {
      called = true;
      return { imported: 0 };
    }, logger));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(called).toBe(false);
    expect(logger.lines).toEqual([expect.objectContaining({ level: "error", message: "not an SQS batch: nothing exported" })]);
  });
});

describe("securityHubExporter with the real client (aws-sdk-client-mock): what moto_server cannot produce", () => {
  const hub = mockClient(SecurityHubClient);
  afterEach(() => hub.reset());
  afterAll(() => hub.restore());
  const handler = (logger: Logger = capture()) => securityHubExporter(logger, { [PRODUCT_ARN_VARIABLE]: PRODUCT_ARN }, new SecurityHubClient({ region: "us-east-1" }));
  const batch = { Records: [record("m-1", documentBody(alertDocumentOf([one]))), record("m-2", documentBody(alertDocumentOf([two])))] };

  it("throttled (after the SDK's retries): every record is reported for SQS to deliver again", async () => {
    hub.on(BatchImportFindingsCommand).rejects(new SecurityHubServiceException({ name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 429 }, message: "Rate exceeded" }));
    await expect(handler()(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }, { itemIdentifier: "m-2" }] });
  });

  it("FailedCount > 0: only the record of the refused finding", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 1, SuccessCount: 1, FailedFindings: [{ Id: one.findingId, ErrorCode: "InvalidAccess", ErrorMessage: "Security Hub is not enabled" }] });
    const logger = capture();
    await expect(handler(logger)(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    expect(JSON.stringify(logger.lines.at(-1))).toContain("InvalidAccess");
  });

  it("imported: nothing to retry, one request for the whole batch", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 2 });
    await expect(handler()(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
  });
});

describe("securityHubTarget", () => {
  it("reads the product ARN, its region and partition", () => {
    expect(securityHubTarget({ [PRODUCT_ARN_VARIABLE]: ` ${PRODUCT_ARN} ` })).toEqual({ productArn: PRODUCT_ARN, region: "us-east-1", partition: "aws" });
    expect(securityHubTarget({ [PRODUCT_ARN_VARIABLE]: "arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default" })).toMatchObject({ region: "us-gov-west-1", partition: "aws-us-gov" });
  });

  it.each([undefined, "", "arn:aws:sns:us-east-1:111122223333:t", "arn:aws:securityhub:us-east-1:111122223333:hub/default", "arn:aws:securityhub::111122223333:product/111122223333/default"])("refuses %s: a deployment without its target fails loudly", (value) => {
    expect(() => securityHubTarget({ [PRODUCT_ARN_VARIABLE]: value })).toThrow(PRODUCT_ARN_VARIABLE);
  });
});
