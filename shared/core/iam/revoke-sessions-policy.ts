import { type PolicyDocument, conditionValues } from "./policy-document.js";

/**
 * The containment policy: deny everything to credentials issued before a cut-off time. Sessions
 * (and their stolen copies) minted before containment stop working; a legitimate user who signs
 * in again afterwards gets a fresh token and works normally. This is what the IAM console's
 * "Revoke active sessions" does, under the name AWSRevokeOlderSessions.
 */
export const REVOKE_POLICY_NAME = "TrailguardRevokeOlderSessions";
export const CONSOLE_REVOKE_POLICY_NAME = "AWSRevokeOlderSessions";
export const REVOKE_POLICY_NAMES: readonly string[] = [REVOKE_POLICY_NAME, CONSOLE_REVOKE_POLICY_NAME];

/**
 * How far the cut-off may sit from the time of the call that writes it. Both trailguard and the
 * console write "now"; the slack covers clock skew and the call's own latency. A cut-off further
 * in the past re-enables sessions a later containment revoked; one further ahead is not what
 * either writer produces.
 */
export const REVOKE_CUTOFF_TOLERANCE_MS = 5 * 60_000;

export function revokeSessionsPolicyDocument(cutoff: Date): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenySessionsIssuedBeforeContainment",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff.toISOString() } },
      },
    ],
  });
}

/** Is a policy name one of the containment names? IAM names compare case-insensitively. */
export function isRevokePolicyName(name: string | undefined): boolean {
  if (name === undefined) return false;
  const lower = name.toLowerCase();
  return REVOKE_POLICY_NAMES.some((revokeName) => revokeName.toLowerCase() === lower);
}

export type RevokeDocumentCheck = { readonly canonical: true; readonly cutoff: string } | { readonly canonical: false; readonly why: string };

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "Resource", "Condition"]);
const DOCUMENT_KEYS = new Set(["Version", "Id", "Statement"]);

/**
 * Is this exactly the containment document (trailguard's or the console's), written at
 * `eventTime`? One statement: Deny "*" on "*" when aws:TokenIssueTime is before one cut-off,
 * and that cut-off within REVOKE_CUTOFF_TOLERANCE_MS of the call. Nothing else may ride along:
 * an Allow beside the deny, a second condition, a NotAction or an old cut-off all fail, because
 * a document under this name is otherwise trusted to be containment.
 */
/**
 * A UTC instant written as YYYY-MM-DDTHH:MM:SS[.fraction]Z, and a real one: Date.parse would roll
 * "2024-04-31" over to May 1 and read a zoneless time as local time; IAM may read neither so.
 */
function utcInstant(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19) ? ms : undefined;
}

export function checkRevokeDocument(document: PolicyDocument, eventTime: string | undefined): RevokeDocumentCheck {
  const unexpectedKey = Object.keys(document.json).find((key) => !DOCUMENT_KEYS.has(key));
  if (unexpectedKey !== undefined) return { canonical: false, why: `the document has an unexpected top-level key "${unexpectedKey.slice(0, 40)}"` };
  if (document.statements.length !== 1) return { canonical: false, why: `the document has ${document.statements.length} statements instead of the one revoking deny` };
  const statement = document.statements[0];
  const rawStatement = Array.isArray(document.json.Statement) ? document.json.Statement[0] : document.json.Statement;
  if (statement === undefined || typeof rawStatement !== "object" || rawStatement === null) return { canonical: false, why: "the document has no statement" };
  const extraKey = Object.keys(rawStatement).find((key) => !STATEMENT_KEYS.has(key));
  if (extraKey !== undefined) return { canonical: false, why: `the statement carries "${extraKey.slice(0, 40)}", which the revoking deny never has` };
  if (statement.effect !== "Deny") return { canonical: false, why: "the statement is an Allow, not the revoking Deny" };
  if (statement.actions.length !== 1 || statement.actions[0] !== "*") return { canonical: false, why: 'the deny does not cover exactly Action "*"' };
  if (statement.resources.length !== 1 || statement.resources[0] !== "*") return { canonical: false, why: 'the deny does not cover exactly Resource "*"' };
  const operators = [...statement.conditions.keys()];
  if (operators.length !== 1 || operators[0] !== "DateLessThan") return { canonical: false, why: "the condition is not a single DateLessThan" };
  const keys = [...(statement.conditions.get("DateLessThan")?.keys() ?? [])];
  if (keys.length !== 1 || keys[0] !== "aws:tokenissuetime") return { canonical: false, why: "the condition tests something other than aws:TokenIssueTime alone" };
  // Read the cut-off from the document as written, not as normalised: one ASCII key, one string.
  const rawCondition = (rawStatement as Record<string, unknown>).Condition as Record<string, Record<string, unknown>> | undefined;
  const rawEntries = Object.entries(rawCondition?.DateLessThan ?? {});
  const [rawKey, rawValue] = rawEntries[0] ?? [];
  if (rawEntries.length !== 1 || rawKey === undefined || !/^aws:tokenissuetime$/i.test(rawKey)) return { canonical: false, why: "the condition key is not aws:TokenIssueTime as written" };
  const values = typeof rawValue === "string" ? [rawValue] : Array.isArray(rawValue) && rawValue.every((value) => typeof value === "string") ? (rawValue as string[]) : [];
  const cutoff = values[0];
  if (values.length !== 1 || cutoff === undefined || conditionValues(statement, "aws:TokenIssueTime").length !== 1) {
    return { canonical: false, why: "the condition does not hold exactly one cut-off time as a string" };
  }
  const cutoffMs = utcInstant(cutoff);
  if (cutoffMs === undefined) return { canonical: false, why: `the cut-off "${cutoff.slice(0, 40)}" is not a UTC time in the form trailguard and the console write` };
  const callMs = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
  if (Number.isNaN(callMs)) return { canonical: false, why: "the event has no time to compare the cut-off with" };
  const drift = cutoffMs - callMs;
  if (Math.abs(drift) > REVOKE_CUTOFF_TOLERANCE_MS) {
    const minutes = Math.round(Math.abs(drift) / 60_000);
    return {
      canonical: false,
      why:
        drift < 0
          ? `the cut-off ${cutoff} is ${minutes} minutes before the call: sessions issued since then work again`
          : `the cut-off ${cutoff} is ${minutes} minutes after the call, which no containment writes`,
    };
  }
  return { canonical: true, cutoff };
}
