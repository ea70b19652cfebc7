import { type AwsSecurityFinding, BatchImportFindingsCommand, type SecurityHubClient } from "@aws-sdk/client-securityhub";

/**
 * Imports ASFF findings into Security Hub (`BatchImportFindings`), in as few requests as its
 * limits allow: 100 findings and 6 MB a request, 240 KB a finding (kept under, with a margin for
 * the request's own JSON). Every batch is tried; then, if any finding was refused
 * (`FailedCount > 0`) or a request failed after the SDK's own retries (throttling, access denied,
 * Security Hub not enabled), `SecurityHubImportError` names the findings that were not imported,
 * so the caller retries exactly the messages that carried them. Importing a finding again updates
 * it (same `Id`), so a retry never duplicates.
 */
export const MAX_FINDINGS_PER_REQUEST = 100;
/** Security Hub takes 6 MB a request; the findings' JSON is held under 5 MB. */
export const MAX_REQUEST_BYTES = 5_000_000;
/** Security Hub refuses a finding over 240 KB; one over 230 KB is not sent. */
export const MAX_FINDING_BYTES = 230_000;

export interface ImportLimits {
  readonly findings: number;
  readonly requestBytes: number;
  readonly findingBytes: number;
}
export const SECURITY_HUB_LIMITS: ImportLimits = { findings: MAX_FINDINGS_PER_REQUEST, requestBytes: MAX_REQUEST_BYTES, findingBytes: MAX_FINDING_BYTES };

export interface ImportFailure {
  readonly id: string;
  /** Security Hub's error code for the finding, or the request's error name. */
  readonly code: string;
  readonly message: string;
}

export class SecurityHubImportError extends Error {
  override readonly name = "SecurityHubImportError";
  readonly failedIds: readonly string[];

  constructor(
    readonly failures: readonly ImportFailure[],
    imported: number,
  ) {
    const ids = [...new Set(failures.map((failure) => failure.id))];
    const shown = ids.slice(0, 20).map((id) => JSON.stringify(id.slice(0, 200)));
    const codes = [...new Set(failures.map((failure) => failure.code))].slice(0, 5).join(", ");
    super(`Security Hub did not import ${ids.length} finding(s) (${codes}; ${imported} imported): ${shown.join(", ")}${ids.length > shown.length ? ", …" : ""}`);
    this.failedIds = ids;
  }
}

export type ImportFindings = (findings: readonly AwsSecurityFinding[]) => Promise<{ imported: number }>;

export function securityHubImporter(client: SecurityHubClient, limits: ImportLimits = SECURITY_HUB_LIMITS): ImportFindings {
  return (findings) => importFindings(client, findings, limits);
}

export async function importFindings(client: SecurityHubClient, findings: readonly AwsSecurityFinding[], limits: ImportLimits = SECURITY_HUB_LIMITS): Promise<{ imported: number }> {
  const failures: ImportFailure[] = [];
  const sendable: Array<{ finding: AwsSecurityFinding; bytes: number }> = [];
  for (const finding of findings) {
    const bytes = Buffer.byteLength(JSON.stringify(finding));
    if (bytes > limits.findingBytes) failures.push({ id: finding.Id ?? "", code: "FindingTooLarge", message: `${bytes} bytes, over ${limits.findingBytes}` });
    else sendable.push({ finding, bytes });
  }
  let imported = 0;
  for (const batch of batches(sendable, limits)) {
    const ids = batch.map((finding) => finding.Id ?? "");
    try {
      const answer = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
      imported += answer.SuccessCount ?? 0;
      if ((answer.FailedCount ?? 0) > 0) {
        const refused = answer.FailedFindings ?? [];
        // A count without the list names no finding: then none of the batch is known to be in.
        if (refused.length === 0) for (const id of ids) failures.push({ id, code: "Unknown", message: `FailedCount ${answer.FailedCount} without FailedFindings` });
        for (const failed of refused) failures.push({ id: failed.Id ?? "", code: failed.ErrorCode ?? "Unknown", message: failed.ErrorMessage ?? "" });
      }
    } catch (error) {
      const code = error instanceof Error ? error.name : "Error";
      const message = error instanceof Error ? error.message : String(error);
      for (const id of ids) failures.push({ id, code, message });
    }
  }
  if (failures.length > 0) throw new SecurityHubImportError(failures, imported);
  return { imported };
}

/** Consecutive batches of at most `limits.findings` findings and `limits.requestBytes` bytes of findings. */
export function batches(findings: ReadonlyArray<{ finding: AwsSecurityFinding; bytes: number }>, limits: ImportLimits): AwsSecurityFinding[][] {
  const out: AwsSecurityFinding[][] = [];
  let current: AwsSecurityFinding[] = [];
  let size = 0;
  for (const { finding, bytes } of findings) {
    // +1: the comma between findings in the request's array.
    if (current.length > 0 && (current.length >= limits.findings || size + bytes + 1 > limits.requestBytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(finding);
    size += bytes + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}
