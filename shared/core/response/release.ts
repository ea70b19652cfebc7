import type { ResponseAction, UndoStep } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { quoted } from "../model/untrusted.js";

/**
 * Releasing a containment, the pure half. A release (`npm run release`) records, before each
 * undo call, what it is about to change (a "subject"); the responder looks the same subject up
 * for the CloudTrail event that call produces, so the release's own reactivation or policy
 * removal is recognised and not contained again. Both sides derive the subject here, so they
 * cannot drift apart. Names are compared as IAM compares them (without regard to case).
 */
export function undoSubject(step: UndoStep): string {
  switch (step.kind) {
    case "reactivate-access-key":
      return `${step.account}#key#${step.accessKeyId}`;
    case "detach-policy":
      return `${step.account}#${step.principal.kind}#${step.principal.name.toLowerCase()}#managed#${step.policyArn}`;
    case "delete-inline-policy":
      return `${step.account}#${step.principal.kind}#${step.principal.name.toLowerCase()}#inline#${step.policyName.toLowerCase()}`;
  }
}

const INLINE_REMOVALS: Record<string, "user" | "role"> = { DeleteUserPolicy: "user", DeleteRolePolicy: "role" };
const DETACHES: Record<string, "user" | "role"> = { DetachUserPolicy: "user", DetachRolePolicy: "role" };

/** The subjects a finding's event would be, if it were a release's own call. */
export function releaseSubjectsOf(finding: Pick<Finding, "event" | "target">): string[] {
  const { account, eventName } = finding.event;
  const target = finding.target;
  if (!account || !target) return [];
  if (eventName === "UpdateAccessKey" && target.accessKeyId) return [`${account}#key#${target.accessKeyId}`];
  const inline = INLINE_REMOVALS[eventName];
  if (inline && target.kind === inline && target.name && target.policyName) {
    return [`${account}#${inline}#${target.name.toLowerCase()}#inline#${target.policyName.toLowerCase()}`];
  }
  const detach = DETACHES[eventName];
  if (detach && target.kind === detach && target.name && target.policyArn) {
    return [`${account}#${detach}#${target.name.toLowerCase()}#managed#${target.policyArn}`];
  }
  return [];
}

export interface ReleaseRecord {
  readonly subject: string;
  readonly findingId: string;
  /** The caller that ran the release (its session ARN): only its own calls are recognised. */
  readonly releasedBy: string;
  readonly releasedAt: string;
}

/**
 * The finding's event is the release's own call when a release recorded its subject and the
 * same caller made it: its planned actions are skipped, with the release named in the reason.
 * Another caller undoing the same thing is contained as before.
 */
export function applyRelease(finding: Finding, release: ReleaseRecord | undefined): Finding {
  if (!release || release.releasedBy !== finding.actor.arn) return finding;
  const reason = `this call is the release of finding ${quoted(release.findingId)} recorded by ${quoted(release.releasedBy)} at ${release.releasedAt} (npm run release): not contained again`;
  const actions: ResponseAction[] = finding.actions.map((action) => (action.status === "planned" ? { type: action.type, target: action.target, status: "skipped", reason } : action));
  return { ...finding, actions };
}

/** Every change recorded for a finding, in the order it was made. */
export function undoStepsOf(finding: Pick<Finding, "actions">): UndoStep[] {
  return finding.actions.flatMap((action) => action.undo ?? []);
}

/** The principals a containment changed, as lookup keys (`account:kind:name`, name lower-cased). */
export function principalKeysOf(steps: readonly UndoStep[]): string[] {
  return [...new Set(steps.map(principalKeyOfStep))];
}

/** The principal one change was made to, as a lookup key. */
export function principalKeyOfStep(step: UndoStep): string {
  return step.kind === "reactivate-access-key" ? principalKey(step.account, "user", step.userName) : principalKey(step.account, step.principal.kind, step.principal.name);
}

export function principalKey(account: string, kind: "user" | "role", name: string): string {
  return `${account}:${kind}:${name.toLowerCase()}`;
}
