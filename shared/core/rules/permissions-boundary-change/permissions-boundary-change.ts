import { classifyManagedPolicyArn } from "../../iam/permission-analysis.js";
import { quoted } from "../../model/untrusted.js";
import { type RuleInput, defineRule } from "../rule.js";
import { IAM_SOURCE, requestString } from "../rule-helpers.js";
import { type PolicyAssessment, isIamCall, policyMatch } from "../policy-change.js";

const DELETE_EVENTS = ["DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary"];
const PUT_EVENTS = ["PutUserPermissionsBoundary", "PutRolePermissionsBoundary"];
const BOUNDARY_EVENTS = [...PUT_EVENTS, ...DELETE_EVENTS];

/** A user's or role's permissions boundary, the cap on what it can ever do, set or removed. */
export const permissionsBoundaryChange = defineRule({
  id: "permissions-boundary-change",
  title: "Permissions boundary changed",
  category: "policy-change",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Ask the actor's owner whether the change was planned (boundaries are usually set by the pipeline that creates the identity). If not, put the previous boundary back (CloudTrail has it in the earlier Put*PermissionsBoundary event, or in the policy ARN your account uses for boundaries), then review what the identity did while uncapped: every policy attached to it applied in full, and a boundary is often what keeps delegated administrators from granting themselves more.",
  eventNames: BOUNDARY_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["boundary-removed"],
  evaluate(input) {
    if (!isIamCall(input, BOUNDARY_EVENTS)) return undefined;
    return policyMatch(input, assessBoundary(input));
  },
});

function assessBoundary({ record, event }: RuleInput): PolicyAssessment<"boundary-removed"> {
  if (DELETE_EVENTS.includes(event.eventName)) {
    return {
      severity: "high",
      title: "Permissions boundary removed",
      why: "A permissions boundary caps what an identity can ever do. Removing it lifts that cap: every policy attached to it now applies in full.",
      reasons: ["permissions boundary removed"],
      signals: ["boundary-removed"],
    };
  }
  const boundary = requestString(record, "permissionsBoundary");
  const permissive = boundary !== undefined && classifyManagedPolicyArn(boundary) === "admin";
  return {
    severity: permissive ? "high" : "medium",
    why: permissive
      ? "An administrator policy used as a boundary caps nothing: it is as good as removing the boundary."
      : "Boundaries cap what an identity can do; changing one changes that cap.",
    reasons: [permissive ? `boundary set to ${quoted(boundary)}, which caps nothing` : `boundary set to ${boundary ? quoted(boundary) : "(not recorded)"}`],
    signals: permissive ? ["boundary-removed"] : [],
  };
}
