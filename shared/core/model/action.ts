import { accountText, quoted } from "./untrusted.js";

/**
 * A containment action. The planner (pure) produces actions with status "planned" or "skipped";
 * the responder (AWS I/O) turns planned ones into "done", "failed" or "dry-run".
 */
export const ACTION_TYPES = ["deactivate-access-key", "deactivate-user-keys", "attach-deny-policy", "revoke-sessions"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type ActionStatus = "planned" | "skipped" | "dry-run" | "done" | "failed";

export type ActionTarget =
  | { readonly kind: "access-key"; readonly account: string | undefined; readonly userName: string | undefined; readonly accessKeyId: string | undefined }
  | { readonly kind: "role"; readonly account: string | undefined; readonly roleName: string | undefined }
  | { readonly kind: "user"; readonly account: string | undefined; readonly userName: string | undefined }
  | { readonly kind: "root"; readonly account: string | undefined }
  | { readonly kind: "unknown"; readonly account: string | undefined; readonly description: string };

export interface ResponseAction {
  readonly type: ActionType;
  readonly target: ActionTarget;
  readonly status: ActionStatus;
  /** Why the action is planned, was skipped, or how it failed; always present, always human-readable. */
  readonly reason: string;
  /**
   * What the responder changed, exactly, so a release can undo that and nothing else: a key it
   * found active and deactivated, a policy it attached that was not attached before, the inline
   * revoke policy it put. Absent when nothing was changed.
   */
  readonly undo?: readonly UndoStep[];
  /** What it found already so and relies on (a key already inactive, the deny already attached): a release of another finding leaves these. */
  readonly held?: readonly UndoStep[];
}

/** One change trailguard made, and so one step a release reverses. */
export type UndoStep =
  | { readonly kind: "reactivate-access-key"; readonly account: string; readonly userName: string; readonly accessKeyId: string }
  | { readonly kind: "detach-policy"; readonly account: string; readonly principal: PrincipalRef; readonly policyArn: string }
  | { readonly kind: "delete-inline-policy"; readonly account: string; readonly principal: PrincipalRef; readonly policyName: string };

export interface PrincipalRef {
  readonly kind: "user" | "role";
  readonly name: string;
}

/** "reactivate access key AKIA… of user bob in 111122223333": for release reports. */
export function describeUndoStep(step: UndoStep): string {
  const where = ` in ${accountText(step.account)}`;
  switch (step.kind) {
    case "reactivate-access-key":
      return `reactivate access key ${quoted(step.accessKeyId)} of user ${quoted(step.userName)}${where}`;
    case "detach-policy":
      return `detach ${quoted(step.policyArn)} from ${step.principal.kind} ${quoted(step.principal.name)}${where}`;
    case "delete-inline-policy":
      return `delete inline policy ${quoted(step.policyName)} of ${step.principal.kind} ${quoted(step.principal.name)}${where}`;
  }
}

/** "access key AKIA… of user alice in 111122223333": for alerts and reports. */
export function describeActionTarget(target: ActionTarget): string {
  const where = target.account ? ` in ${accountText(target.account)}` : "";
  switch (target.kind) {
    case "access-key":
      return `access key ${quoted(target.accessKeyId)} of user ${quoted(target.userName)}${where}`;
    case "role":
      return `role ${quoted(target.roleName)}${where}`;
    case "user":
      return `user ${quoted(target.userName)}${where}`;
    case "root":
      return `root user${where}`;
    case "unknown":
      return `${target.description}${where}`;
  }
}
