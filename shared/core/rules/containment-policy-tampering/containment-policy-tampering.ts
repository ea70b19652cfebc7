import { type PermissionVerdict, analysePermissions } from "../../iam/permission-analysis.js";
import { checkRevokeDocument } from "../../iam/revoke-sessions-policy.js";
import { quoted } from "../../model/untrusted.js";
import { type RuleInput, defineRule } from "../rule.js";
import { IAM_SOURCE, requestString } from "../rule-helpers.js";
import {
  DETACH_EVENTS,
  INLINE_DELETE_EVENTS,
  type PolicyAssessment,
  REVOKE_WRITE_EVENTS,
  detachesQuarantinePolicy,
  escalationReasons,
  isIamCall,
  policyMatch,
  recordedDocument,
  touchesContainment,
} from "../policy-change.js";

const CONTAINMENT_EVENTS = [...INLINE_DELETE_EVENTS, ...REVOKE_WRITE_EVENTS, ...DETACH_EVENTS];

type ContainmentSignal = "admin-grant" | "escalation-grant" | "revoke-policy-removed" | "revoke-policy-applied" | "quarantine-removed";

/** What an admin grant is, when one hides under the containment name: a backdoor more than an impaired defence. */
const ADMIN_GRANT_TECHNIQUE = { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" } as const;

/**
 * The revoke-sessions inline policy (TrailguardRevokeOlderSessions, or the IAM console's
 * AWSRevokeOlderSessions) is containment: it denies every session issued before the incident.
 * Deleting it, or writing anything under its name but the exact revoking deny, undoes or fakes
 * containment. The exact deny itself is reported as info, so the record shows containment applied.
 * Detaching a quarantine policy (AWSDenyAll, AWSCompromisedKeyQuarantine*) lifts containment the
 * other way: the principal can sign in and act again. This rule alone judges these calls; the
 * document and removal rules do not see them.
 */
export const containmentPolicyTampering = defineRule({
  id: "containment-policy-tampering",
  title: "Containment policy tampered with",
  category: "policy-change",
  technique: { id: "T1562", name: "Impair Defenses" },
  runbook:
    "If a quarantine policy was detached outside `npm run release`, the quarantined principal can act again. The default response policy does not act on a detach: it names its target, so an automatic response could be aimed at an innocent principal, and AWS itself tells customers to detach AWSCompromisedKeyQuarantine once a key is rotated. Ask who detached it and why; if unplanned, re-attach it (`aws iam attach-user-policy --user-name <user> --policy-arn arn:aws:iam::aws:policy/AWSDenyAll`), treat the actor as compromised, and review what the principal did since. A team that wants the actor contained adds a statement matching the signal quarantine-removed. If the revoke-sessions policy was deleted or overwritten, containment was undone: sessions issued before it work again. Re-apply it (for a role, the IAM console's Revoke active sessions; for a user, the TrailguardRevokeOlderSessions deny with the current time as its cut-off) and treat the principal that made the call as compromised: contain it (a user: every key deactivated, AWSDenyAll attached, sessions revoked; a role: sessions revoked); the actions in the alert say what trailguard did and what is left to do by hand. If the document granted permissions under the containment name, remove it and review what the grantee did since. An info finding is containment being applied: check it matches a containment you expect.",
  eventNames: CONTAINMENT_EVENTS,
  eventSources: [IAM_SOURCE],
  signals: ["admin-grant", "escalation-grant", "revoke-policy-removed", "revoke-policy-applied", "quarantine-removed"],
  evaluate(input) {
    if (!isIamCall(input, CONTAINMENT_EVENTS) || !touchesContainment(input.record, input.event.eventName)) return undefined;
    if (detachesQuarantinePolicy(input.record, input.event.eventName)) return policyMatch(input, quarantineLifted(input));
    return policyMatch(input, INLINE_DELETE_EVENTS.includes(input.event.eventName) ? removed(input) : written(input));
  },
});

function quarantineLifted({ record }: RuleInput): PolicyAssessment<ContainmentSignal> {
  return {
    severity: "critical",
    title: "Quarantine policy detached",
    why: "A quarantine policy denies everything the principal does, console sign-in included. Detaching it lets the principal act again: someone is undoing incident containment.",
    reasons: [`detached ${quoted(requestString(record, "policyArn"))}, a quarantine policy`],
    signals: ["quarantine-removed"],
  };
}

function removed({ record }: RuleInput): PolicyAssessment<ContainmentSignal> {
  return {
    severity: "critical",
    title: "Containment policy removed",
    why: "This inline policy is the deny that revokes stolen sessions. Deleting it lets those sessions work again: someone is undoing incident containment.",
    reasons: [`deleted inline policy ${quoted(requestString(record, "policyName"))}, the revoke-sessions containment policy`],
    signals: ["revoke-policy-removed"],
  };
}

function written({ record, event }: RuleInput): PolicyAssessment<ContainmentSignal> {
  const policyName = requestString(record, "policyName");
  const document = recordedDocument(record);
  if (document.kind === "not-recorded") return tampering(policyName, ["the document was not recorded, so it cannot be shown to be the revoking deny"], undefined);
  if (document.kind === "unparseable") return { ...tampering(policyName, [document.reason], undefined), evidence: document.evidence };
  // Every document is read in full, whatever its name: a name proves nothing.
  const verdict = analysePermissions(document.document);
  const check = checkRevokeDocument(document.document, event.eventTime);
  if (!check.canonical) return { ...tampering(policyName, [check.why], verdict), evidence: document.evidence };
  return {
    severity: "info",
    title: "Revoke-sessions policy applied",
    why: "Sessions issued before the policy's time are denied: this is the containment trailguard (or the IAM console) applies.",
    reasons: [`inline policy ${quoted(policyName)} is exactly the revoking deny, cut-off ${check.cutoff}`],
    signals: ["revoke-policy-applied"],
    evidence: document.evidence,
  };
}

/**
 * Anything but the exact revoking deny written under a containment name: either containment is
 * being weakened (an old cut-off, a narrower deny) or the name is cover for a grant. Critical
 * either way, and the grant's own verdict rides along so the on-call sees both.
 */
function tampering(policyName: string | undefined, why: readonly string[], verdict: PermissionVerdict | undefined): PolicyAssessment<ContainmentSignal> {
  const grants = verdict?.adminEquivalent ? verdict.adminReasons : [];
  const escalation = verdict && !verdict.adminEquivalent ? escalationReasons(verdict) : [];
  return {
    severity: "critical",
    title: grants.length > 0 ? "Admin grant hidden under the containment policy's name" : "Containment policy tampered with",
    why:
      grants.length > 0
        ? "A document named like the revoke-sessions containment policy grants administrator-equivalent power: the name is cover for a backdoor."
        : "A policy under the revoke-sessions containment name is not the exact revoking deny: containment may be weakened (an older cut-off revives stolen sessions) or the name is cover for something else.",
    reasons: [`inline policy ${quoted(policyName)} is not the exact revoking deny: ${why.join("; ")}`, ...grants, ...escalation],
    signals: [...(grants.length > 0 ? (["admin-grant"] as const) : []), ...(escalation.length > 0 ? (["escalation-grant"] as const) : []), "revoke-policy-removed"],
    ...(grants.length > 0 ? { technique: ADMIN_GRANT_TECHNIQUE } : {}),
  };
}
