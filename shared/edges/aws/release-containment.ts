import { DynamoDBClient, PutItemCommand, type AttributeValue, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  IAMClient,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { iamPrincipalArn, isAccountId, isIamName, isLongTermAccessKeyId, parseArn, parseIamPrincipalArn } from "../../core/arn/arn.js";
import { isQuarantinePolicyArn } from "../../core/iam/identifiers.js";
import { type UndoStep, describeUndoStep } from "../../core/model/action.js";
import { REVOKE_POLICY_NAME } from "../../core/iam/revoke-sessions-policy.js";
import { principalKey, principalKeyOfStep, undoSubject } from "../../core/response/release.js";
import { releaseKey } from "./containment-ledger.js";

/**
 * Releases a containment: undoes exactly what trailguard recorded for a finding (reactivates the
 * keys it deactivated, detaches the policy it attached, deletes the revoke policy it put), with
 * the caller's own credentials, and nothing else. Before each undo call it writes a release
 * record (one hour), so the responder recognises the CloudTrail event that call produces as
 * this release (same caller) and does not contain it again; the event still raises its finding
 * and alert, which now name the release. The ledger entry is marked released.
 */
export interface ReleaseOptions {
  readonly tableName: string;
  /** A finding id (`<eventID>/<rule>`) or the ARN of a principal trailguard contained. */
  readonly target: string;
  /** Report what would be undone; change nothing. */
  readonly dryRun?: boolean;
  /** Write the release records and mark the ledger, but make the IAM changes by hand (console) within the hour. */
  readonly recordOnly?: boolean;
  /** A role the caller may assume in other accounts, for containments there. */
  readonly assumeRoleName?: string;
  readonly now?: () => Date;
  readonly clientConfig?: Record<string, unknown>;
}

export interface StepResult {
  readonly step: UndoStep;
  readonly status: "undone" | "already" | "would" | "recorded" | "kept" | "failed";
  readonly detail: string;
}

export interface ReleasedContainment {
  readonly findingId: string;
  readonly title: string;
  readonly results: readonly StepResult[];
}

export interface ReleaseReport {
  readonly releasedBy: string;
  readonly containments: readonly ReleasedContainment[];
}

export class ReleaseError extends Error {
  override readonly name = "ReleaseError";
}

const RELEASE_RECORD_SECONDS = 3600;

interface LedgerEntry {
  readonly id: string;
  readonly owner: string;
  readonly findingId: string;
  readonly title: string;
  readonly undo: UndoStep[];
  /** What it found already so and relied on: another finding's release leaves these. */
  readonly held: UndoStep[];
  /** Principals released from this entry by earlier principal releases. */
  readonly releasedPrincipals: string[];
}

export async function releaseContainment(options: ReleaseOptions): Promise<ReleaseReport> {
  const now = options.now ?? (() => new Date());
  const base = { maxAttempts: 5, ...options.clientConfig };
  const dynamo = new DynamoDBClient(base);
  const sts = new STSClient(base);
  const me = await sts.send(new GetCallerIdentityCommand({}));
  if (!me.Account || !me.Arn) throw new ReleaseError("cannot establish who is releasing (GetCallerIdentity returned no ARN)");
  const lookup = lookupFor(options.target);
  const unreleased = await unreleasedEntries(dynamo, options.tableName);
  const stepKey = principalKeyOfStep;
  // By principal: only that principal's steps (another principal in the same finding, the
  // attacker who made the grant say, stays contained).
  const selected = unreleased
    .map((entry) => ({
      entry,
      steps: entry.undo.filter((step) => !entry.releasedPrincipals.includes(stepKey(step)) && (lookup.kind === "finding" || stepKey(step) === lookup.key)),
    }))
    .filter(({ entry, steps }) => (lookup.kind === "finding" ? entry.findingId === lookup.findingId : steps.length > 0));
  if (selected.length === 0) throw new ReleaseError(`no unreleased containment recorded for ${options.target} in table ${options.tableName}`);
  // A change another unreleased containment also made or relies on stays: releasing one
  // finding must not reopen what another still holds shut.
  const releasing = new Set(selected.map(({ entry }) => entry.id));
  const stillHeld = new Map<string, string>();
  for (const entry of unreleased) {
    if (releasing.has(entry.id)) continue;
    for (const step of [...entry.undo, ...entry.held]) {
      if (!entry.releasedPrincipals.includes(stepKey(step))) stillHeld.set(undoSubject(step), entry.findingId);
    }
  }

  const clients = new Map<string, { iam: IAMClient; arn: string }>([[me.Account, { iam: new IAMClient(base), arn: me.Arn }]]);
  async function clientFor(account: string): Promise<{ iam: IAMClient; arn: string }> {
    const known = clients.get(account);
    if (known) return known;
    if (!options.assumeRoleName) throw new ReleaseError(`the containment is in account ${account}: run the release with credentials there, or pass --assume-role-name`);
    const answer = await sts.send(
      new AssumeRoleCommand({ RoleArn: iamPrincipalArn({ partition: parseArn(me.Arn)?.partition ?? "aws", account, kind: "role", name: options.assumeRoleName }), RoleSessionName: "trailguard-release", DurationSeconds: 900 }),
    );
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !answer.AssumedRoleUser?.Arn) throw new ReleaseError(`AssumeRole into ${account} returned no credentials`);
    const client = {
      iam: new IAMClient({ ...base, credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken } }),
      arn: answer.AssumedRoleUser.Arn,
    };
    clients.set(account, client);
    return client;
  }

  const containments: ReleasedContainment[] = [];
  for (const { entry, steps } of selected) {
    const results: StepResult[] = [];
    // Last change first: the revoke and deny policies come off before keys work again.
    for (const step of [...steps].reverse()) {
      const holder = stillHeld.get(undoSubject(step));
      if (holder !== undefined) {
        results.push({ step, status: "kept", detail: `kept: ${describeUndoStep(step)} is still needed by unreleased finding ${holder}` });
        continue;
      }
      if (options.dryRun) {
        results.push({ step, status: "would", detail: `would ${describeUndoStep(step)}` });
        continue;
      }
      try {
        const { iam, arn } = await clientFor(step.account);
        const releasedAt = now();
        await dynamo.send(
          new PutItemCommand({
            TableName: options.tableName,
            Item: {
              id: { S: releaseKey(entry.owner, undoSubject(step)) },
              kind: { S: "release" },
              findingId: { S: entry.findingId },
              releasedBy: { S: arn },
              releasedAt: { S: releasedAt.toISOString() },
              expiration: { N: String(Math.floor(releasedAt.getTime() / 1000) + RELEASE_RECORD_SECONDS) },
            },
          }),
        );
        if (options.recordOnly) {
          results.push({ step, status: "recorded", detail: `recorded: ${describeUndoStep(step)} by ${arn} within the hour is this release` });
          continue;
        }
        results.push(await undo(iam, step));
      } catch (error) {
        results.push({ step, status: "failed", detail: `${describeUndoStep(step)} failed: ${describe(error)}` });
      }
    }
    // Marked released only when every step is undone (or kept for another finding); otherwise a
    // second run picks it up again. A principal release marks that principal only.
    if (!options.dryRun) {
      const ok = results.every((result) => result.status !== "failed");
      const whole = steps.length === entry.undo.filter((step) => !entry.releasedPrincipals.includes(stepKey(step))).length;
      await markReleased(dynamo, options.tableName, entry, me.Arn, now(), results, ok && whole, ok && !whole && lookup.kind === "principal" ? lookup.key : undefined);
    }
    containments.push({ findingId: entry.findingId, title: entry.title, results });
  }
  return { releasedBy: me.Arn, containments };
}

async function undo(iam: IAMClient, step: UndoStep): Promise<StepResult> {
  const done = (detail: string): StepResult => ({ step, status: "undone", detail });
  try {
    switch (step.kind) {
      case "reactivate-access-key":
        if (!isIamName(step.userName) || !isLongTermAccessKeyId(step.accessKeyId)) throw new ReleaseError("invalid user name or key id in the ledger");
        await iam.send(new UpdateAccessKeyCommand({ UserName: step.userName, AccessKeyId: step.accessKeyId, Status: "Active" }));
        return done(`reactivated access key ${step.accessKeyId} of user ${step.userName}`);
      case "detach-policy":
        if (!isIamName(step.principal.name)) throw new ReleaseError("invalid principal name in the ledger");
        if (step.principal.kind === "user") await iam.send(new DetachUserPolicyCommand({ UserName: step.principal.name, PolicyArn: step.policyArn }));
        else await iam.send(new DetachRolePolicyCommand({ RoleName: step.principal.name, PolicyArn: step.policyArn }));
        return done(`detached ${step.policyArn} from ${step.principal.kind} ${step.principal.name}`);
      case "delete-inline-policy":
        if (!isIamName(step.principal.name)) throw new ReleaseError("invalid principal name in the ledger");
        if (step.principal.kind === "user") await iam.send(new DeleteUserPolicyCommand({ UserName: step.principal.name, PolicyName: step.policyName }));
        else await iam.send(new DeleteRolePolicyCommand({ RoleName: step.principal.name, PolicyName: step.policyName }));
        return done(`deleted inline policy ${step.policyName} of ${step.principal.kind} ${step.principal.name}`);
    }
  } catch (error) {
    // Someone undid it already (or the principal is gone): nothing left to release.
    if (typeof error === "object" && error !== null && (error as { name?: string }).name === "NoSuchEntityException") {
      return { step, status: "already", detail: `${describeUndoStep(step)}: already gone (${describe(error)})` };
    }
    throw error;
  }
}

type Lookup = { kind: "finding"; findingId: string } | { kind: "principal"; key: string };

function lookupFor(target: string): Lookup {
  const principal = parseIamPrincipalArn(target);
  if (principal) return { kind: "principal", key: principalKey(principal.account, principal.kind, principal.name) };
  if (/^arn:/.test(target)) throw new ReleaseError(`${target} is not an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or role/<name>)`);
  if (!/^[\w.:#@+=,-]{1,200}\/[\w-]{1,64}$/.test(target)) throw new ReleaseError(`${target} is neither a finding id (<eventID>/<rule>) nor an IAM user or role ARN`);
  return { kind: "finding", findingId: target };
}

async function unreleasedEntries(dynamo: DynamoDBClient, tableName: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "#kind = :containment AND attribute_not_exists(releasedAt)",
        ExpressionAttributeNames: { "#kind": "kind" },
        ExpressionAttributeValues: { ":containment": { S: "containment" } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const entry = parseEntry(item);
      if (entry) entries.push(entry);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return entries.sort((a, b) => a.findingId.localeCompare(b.findingId));
}

function parseEntry(item: Record<string, AttributeValue>): LedgerEntry | undefined {
  const id = item.id?.S;
  const owner = item.owner?.S;
  const findingId = item.findingId?.S;
  if (!id || !owner || !findingId) return undefined;
  const steps = (text: string | undefined): UndoStep[] | undefined => {
    try {
      const value: unknown = JSON.parse(text ?? "[]");
      return Array.isArray(value) && value.every(isUndoStep) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const undo = steps(item.undo?.S);
  const held = steps(item.held?.S);
  // An entry with any step trailguard would never make is not trusted at all.
  if (!undo || !held) return undefined;
  return { id, owner, findingId, title: item.title?.S ?? "", undo, held, releasedPrincipals: item.releasedPrincipals?.SS ?? [] };
}

/**
 * The ledger is read back before any IAM call with the releaser's own (powerful) credentials:
 * only steps of the exact shapes trailguard makes are accepted (its revoke policy's name, the
 * quarantine policies), so a forged entry cannot borrow a release to delete anything else.
 */
function isUndoStep(value: unknown): value is UndoStep {
  if (typeof value !== "object" || value === null) return false;
  const step = value as Record<string, unknown>;
  if (typeof step.account !== "string" || !isAccountId(step.account)) return false;
  if (step.kind === "reactivate-access-key") return typeof step.userName === "string" && typeof step.accessKeyId === "string";
  const principal = step.principal as Record<string, unknown> | undefined;
  const principalOk = typeof principal === "object" && principal !== null && (principal.kind === "user" || principal.kind === "role") && typeof principal.name === "string";
  if (step.kind === "detach-policy") return principalOk && typeof step.policyArn === "string" && isQuarantinePolicyArn(step.policyArn);
  if (step.kind === "delete-inline-policy") return principalOk && step.policyName === REVOKE_POLICY_NAME;
  return false;
}

async function markReleased(
  dynamo: DynamoDBClient,
  tableName: string,
  entry: LedgerEntry,
  by: string,
  at: Date,
  results: readonly StepResult[],
  complete: boolean,
  principal: string | undefined,
): Promise<void> {
  const values: Record<string, AttributeValue> = {
    ":at": { S: at.toISOString() },
    ":by": { S: by },
    ":results": { S: JSON.stringify(results.map((result) => ({ status: result.status, detail: result.detail }))) },
  };
  if (principal !== undefined) values[":principal"] = { SS: [principal] };
  await dynamo.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: entry.id } },
      UpdateExpression: complete
        ? "SET releasedAt = :at, releasedBy = :by, releaseResults = :results"
        : principal !== undefined
          ? "SET lastReleaseAttemptAt = :at, lastReleaseAttemptBy = :by, releaseResults = :results ADD releasedPrincipals :principal"
          : "SET lastReleaseAttemptAt = :at, lastReleaseAttemptBy = :by, releaseResults = :results",
      ExpressionAttributeValues: values,
    }),
  );
}

function describe(error: unknown): string {
  const name = typeof error === "object" && error !== null && "name" in error ? String((error as { name: unknown }).name) : "Error";
  return `${name}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
}

