import { accountText, quoted } from "./untrusted.js";

/**
 * A containment action. The planner (pure) produces actions with status "planned" or "skipped";
 * the responder (AWS I/O) turns planned ones into "done", "failed" or "dry-run".
 */
export const ACTION_TYPES = ["deactivate-access-key", "revoke-sessions"] as const;
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
