import { type AwsSecurityFinding, SecurityHubClient } from "@aws-sdk/client-securityhub";
import * as z from "zod/mini";
import { ALERT_DOCUMENT_SCHEMA } from "../../core/alerting/alert.js";
import { isAccountId, parseArn } from "../../core/arn/arn.js";
import { ACTION_TYPES, type ActionStatus } from "../../core/model/action.js";
import { CATEGORIES } from "../../core/model/finding.js";
import type { Logger } from "../../core/model/logger.js";
import { severitySchema } from "../../core/model/severity.js";
import { type AsffContext, toAsff } from "../../core/report/asff.js";
import "../../core/model/zod.js";
import { type ImportFindings, SecurityHubImportError, securityHubImporter } from "../aws/security-hub.js";

/**
 * The Security Hub exporter (functions/securityhub-exporter.ts): an SQS-fed function. The alert
 * topic delivers every alert to its queue (raw message delivery, the `sqs` key of the
 * `MessageStructure: "json"` message): each record's body is the alert's machine-readable
 * document (`AlertDocument`, schema "trailguard.alert/1"), whose findings are imported into
 * Security Hub in ASFF (shared/core/report/asff.ts).
 *
 *  - A body that is not an alert document (a CloudWatch alarm's notification, which reaches the
 *    same topic) is ignored; one that claims the schema but does not match it is dropped and
 *    logged as an error. Neither is retried: no retry would make it valid.
 *  - The findings of every valid record of the batch are imported together (Security Hub
 *    allows 10 requests a second); a record any of whose findings was not imported is reported in
 *    `batchItemFailures`, so SQS delivers it again (an import is idempotent: the finding id is
 *    the ASFF Id) and, after the queue's maximum receives, its dead-letter queue keeps it.
 */
export interface ExporterDeps {
  readonly importFindings: ImportFindings;
  /** The product ARN, region and partition the findings are imported under. */
  readonly target: Omit<AsffContext, "updatedAt">;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface ExporterResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

// ---------------------------------------------------------------------------------------------
// The boundary: what the exporter reads of an alert document, checked
// ---------------------------------------------------------------------------------------------

const text = z.string();
const maybe = z.optional(z.string());
const ACTION_STATUSES = Object.keys({ planned: 1, skipped: 1, "dry-run": 1, done: 1, failed: 1 } satisfies Record<ActionStatus, 1>) as ActionStatus[];

const findingSchema = z.object({
  findingId: z.string().check(z.minLength(1)),
  eventId: text,
  ruleId: z.string().check(z.minLength(1)),
  category: z.enum(CATEGORIES),
  severity: severitySchema,
  title: text,
  summary: text,
  whyItMatters: text,
  signals: z.array(text),
  technique: z.object({ id: text, name: text }),
  runbook: text,
  actor: z.object({
    type: maybe,
    arn: maybe,
    accountId: maybe,
    principalName: maybe,
    sessionIssuerArn: maybe,
    sessionIssuerType: maybe,
    sessionName: maybe,
    accessKeyId: maybe,
    mfaAuthenticated: z.optional(z.boolean()),
    invokedBy: maybe,
  }),
  target: z.optional(
    z.object({
      kind: z.enum(["user", "role", "group", "policy", "access-key", "account", "trust-anchor"]),
      name: maybe,
      arn: maybe,
      userName: maybe,
      accessKeyId: maybe,
      policyName: maybe,
      policyArn: maybe,
    }),
  ),
  event: z.object({
    eventId: text,
    eventIdIsSynthetic: z.optional(z.boolean()),
    eventName: text,
    eventSource: text,
    eventTime: maybe,
    account: maybe,
    region: maybe,
    sourceIp: maybe,
    userAgent: maybe,
    errorCode: maybe,
  }),
  exemption: z.optional(z.object({ kind: z.enum(["allowlist", "responder"]), matched: text })),
  actions: z.array(z.object({ type: z.enum(ACTION_TYPES), status: z.enum(ACTION_STATUSES) })),
});

export const alertDocumentSchema = z.object({
  schema: z.literal(ALERT_DOCUMENT_SCHEMA),
  kind: z.enum(["page", "update"]),
  account: z.object({ id: maybe, name: maybe }),
  incident: z.object({ id: z.string().check(z.minLength(1)) }),
  findings: z.array(findingSchema).check(z.minLength(1)),
});
export type ExportedDocument = z.output<typeof alertDocumentSchema>;

export type RecordOutcome =
  | { readonly kind: "document"; readonly document: ExportedDocument }
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "malformed"; readonly reason: string };

/** One SQS body: an alert document, something else on the topic (ignored), or a broken document (malformed). */
export function readAlertDocument(body: string): RecordOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: "ignored", reason: "the body is not JSON" };
  }
  const schema = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as { schema?: unknown }).schema : undefined;
  if (schema !== ALERT_DOCUMENT_SCHEMA) {
    const alarm = typeof parsed === "object" && parsed !== null && "AlarmName" in parsed;
    return { kind: "ignored", reason: alarm ? "a CloudWatch alarm notification" : `not a ${ALERT_DOCUMENT_SCHEMA} document (schema ${JSON.stringify(typeof schema === "string" ? schema.slice(0, 64) : (schema ?? null))})` };
  }
  const result = alertDocumentSchema.safeParse(parsed);
  if (result.success) return { kind: "document", document: result.data };
  const issues = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(document)"}: ${issue.message}`);
  return { kind: "malformed", reason: `${issues.join("; ")}${result.error.issues.length > 5 ? `; and ${result.error.issues.length - 5} more` : ""}` };
}

// ---------------------------------------------------------------------------------------------
// The batch
// ---------------------------------------------------------------------------------------------

interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}

function sqsRecords(invocation: unknown): SqsRecord[] | undefined {
  const records = typeof invocation === "object" && invocation !== null ? (invocation as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(records)) return undefined;
  return records.flatMap((record: unknown) => {
    const { messageId, body } = (typeof record === "object" && record !== null ? record : {}) as { messageId?: unknown; body?: unknown };
    return typeof messageId === "string" && typeof body === "string" ? [{ messageId, body }] : [];
  });
}

export async function exportAlertRecords(invocation: unknown, deps: ExporterDeps): Promise<ExporterResponse> {
  const records = sqsRecords(invocation);
  if (!records) {
    deps.logger.log("error", "not an SQS batch: nothing exported", { securityHubExport: "refused" });
    return { batchItemFailures: [] };
  }
  const updatedAt = deps.now().toISOString();
  const context: AsffContext = { ...deps.target, updatedAt };
  // One ASFF finding per id (a redelivered alert carries the same ones), with the messages that carried it.
  const findings = new Map<string, AwsSecurityFinding>();
  const carriers = new Map<string, Set<string>>();
  const failed = new Set<string>();
  for (const record of records) {
    const outcome = readAlertDocument(record.body);
    if (outcome.kind === "ignored") {
      deps.logger.log("info", "not an alert document: ignored", { messageId: record.messageId, reason: outcome.reason });
      continue;
    }
    if (outcome.kind === "malformed") {
      deps.logger.log("error", "malformed alert document: dropped, not retried", { messageId: record.messageId, reason: outcome.reason, securityHubExport: "malformed" });
      continue;
    }
    try {
      for (const finding of outcome.document.findings) {
        const asff = toAsff(outcome.document, finding, context);
        const id = asff.Id ?? "";
        findings.set(id, asff);
        carriers.set(id, (carriers.get(id) ?? new Set()).add(record.messageId));
      }
    } catch (error) {
      // Only the configuration can make toAsff throw (the product ARN): retry, do not lose it.
      deps.logger.log("error", "alert document not converted: the message will be retried", { messageId: record.messageId, error: errorText(error) });
      failed.add(record.messageId);
    }
  }
  if (findings.size > 0) {
    try {
      const { imported } = await deps.importFindings([...findings.values()]);
      deps.logger.log("info", "findings imported into Security Hub", { imported, findingIds: [...findings.keys()].slice(0, 50) });
    } catch (error) {
      const ids = error instanceof SecurityHubImportError ? error.failedIds : [...findings.keys()];
      const retried = new Set(ids.flatMap((id) => [...(carriers.get(id) ?? [])]));
      // An id Security Hub names that no record carried: retry them all rather than lose one.
      const unmatched = ids.some((id) => !carriers.has(id));
      for (const messageId of unmatched ? new Set([...carriers.values()].flatMap((set) => [...set])) : retried) failed.add(messageId);
      deps.logger.log("error", "Security Hub import failed: the messages will be retried", {
        error: errorText(error),
        failedFindingIds: ids.slice(0, 50),
        messageIds: [...failed],
        securityHubExport: "failed",
      });
    }
  }
  return { batchItemFailures: records.filter((record) => failed.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })) };
}

function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
}

// ---------------------------------------------------------------------------------------------
// Lambda wiring
// ---------------------------------------------------------------------------------------------

export const PRODUCT_ARN_VARIABLE = "TRAILGUARD_SECURITY_HUB_PRODUCT_ARN";

/**
 * The import target from the environment: the account's default product ARN
 * (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`, set by the stack).
 */
export function securityHubTarget(env: NodeJS.ProcessEnv): Omit<AsffContext, "updatedAt"> {
  const productArn = env[PRODUCT_ARN_VARIABLE]?.trim() ?? "";
  const arn = parseArn(productArn);
  const product = arn?.resource.split("/");
  if (!arn || arn.service !== "securityhub" || arn.region === "" || !isAccountId(arn.account) || product?.length !== 3 || product[0] !== "product") {
    throw new Error(`${PRODUCT_ARN_VARIABLE} must be a Security Hub product ARN (arn:<partition>:securityhub:<region>:<account>:product/<account>/default), not ${JSON.stringify(productArn.slice(0, 200))}`);
  }
  return { productArn, region: arn.region, partition: arn.partition };
}

export type ExporterHandler = (event: unknown) => Promise<ExporterResponse>;

export function securityHubExporter(logger: Logger, env: NodeJS.ProcessEnv = process.env, client?: SecurityHubClient): ExporterHandler {
  const target = securityHubTarget(env);
  // In the hub's own region, whatever region the caller runs in; throttling is retried with backoff.
  const importer = securityHubImporter(client ?? new SecurityHubClient({ region: target.region, maxAttempts: 5 }));
  return (event) => exportAlertRecords(event, { importFindings: importer, target, now: () => new Date(), logger });
}
