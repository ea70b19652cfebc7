import { describeActionTarget, type ResponseAction } from "../model/action.js";
import type { Finding } from "../model/finding.js";
import { type Command, accountOf, manualCommands, partitionOf, verifyCommand } from "./commands.js";
import { isIamName } from "../arn/arn.js";
import { quoted } from "../model/untrusted.js";
import { safeText } from "./format-finding.js";

/**
 * What the on-call does next about each action, agreeing with what happened to it: DONE says it is
 * done and how to check; FAILED, DRY-RUN, SKIPPED and PLANNED say exactly what to run by hand (or
 * why there is no command). Nothing here claims trailguard did what it did not.
 */
export interface ActionStep {
  readonly finding: Finding;
  readonly action: ResponseAction;
  /** `attach-deny-policy on user "mallory" in 111122223333` (escaped). */
  readonly what: string;
  /** One sentence: what happened and what is left to do. */
  readonly lead: string;
  /** `done`: check it; `by-hand`: the commands do it; `none`: nothing to run. */
  readonly kind: "done" | "by-hand" | "none";
  readonly commands: readonly Command[];
  /** An extra line (the console alternative, what to expect from a check). */
  readonly note?: string;
}

export function actionSteps(findings: readonly Finding[]): ActionStep[] {
  const steps: ActionStep[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    for (const action of finding.actions) {
      const what = `${action.type} on ${safeText(describeActionTarget(action.target))}`;
      // Two findings of one event can plan the same action on the same principal: say it once.
      const key = `${action.status}|${what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push(stepFor(finding, action, what));
    }
  }
  // What is left to do first, what is done after.
  return steps.sort((a, b) => URGENCY.indexOf(a.action.status) - URGENCY.indexOf(b.action.status));
}

const URGENCY: readonly ResponseAction["status"][] = ["failed", "dry-run", "planned", "skipped", "done"];

/** `AccessDenied` from `AccessDenied: User … is not authorized`, when the reason starts with an error code. */
function errorCode(reason: string): string | undefined {
  const code = /^([A-Za-z][\w.]{0,63}):/.exec(reason)?.[1];
  return code;
}

function stepFor(finding: Finding, action: ResponseAction, what: string): ActionStep {
  const account = accountOf(action.target);
  const inAccount = account ? `, in account ${account}` : "";
  const consoleNote =
    action.type === "revoke-sessions" && action.target.kind === "role"
      ? `or in the IAM console: Roles > ${isIamName(action.target.roleName) ? action.target.roleName : quoted(action.target.roleName, 64)} > Revoke active sessions`
      : undefined;
  const byHand = (lead: string): ActionStep => ({
    finding,
    action,
    what,
    lead,
    kind: "by-hand",
    commands: manualCommands(action, partitionOf(finding)),
    ...(consoleNote ? { note: consoleNote } : {}),
  });
  switch (action.status) {
    case "done": {
      const check = verifyCommand(action);
      return { finding, action, what, lead: `DONE: ${what}. It is in place; to check that it holds${inAccount}:`, kind: "done", commands: [check.command], note: `expect: ${check.expect}` };
    }
    case "failed":
      return byHand(`FAILED: ${what} did not complete (${errorCode(action.reason) ?? "see What trailguard did"}). Do it by hand${inAccount}:`);
    case "dry-run":
      return byHand(`DRY-RUN: ${what}: trailguard is in dry-run for this rule, so nothing was changed. To do it by hand${inAccount}:`);
    case "planned":
      return byHand(`PLANNED: ${what} had not been carried out when this alert was sent. If it is not, by hand${inAccount}:`);
    case "skipped":
      if (finding.event.failed) {
        return { finding, action, what, lead: `SKIPPED: ${what}: ${safeText(action.reason, 300)}. Nothing to do by hand for it.`, kind: "none", commands: [] };
      }
      return byHand(`SKIPPED: ${what}: ${safeText(action.reason, 500)}. If you decide it must be done anyway, by hand${inAccount}:`);
  }
}
