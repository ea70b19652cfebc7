import * as z from "zod/mini";
import "../model/zod.js";
import { CATEGORIES, type Finding } from "../model/finding.js";
import { atLeast, severitySchema } from "../model/severity.js";

/**
 * What to do about which finding, as data (Cloud Custodian style). A statement matches a finding
 * when every criterion it names matches; `signals` matches when the finding has any of them.
 * Its actions are templates the planner turns into concrete actions:
 *  - "deactivate-target-key": deactivate the access key the finding is about (a created or
 *    reactivated key);
 *  - "contain-actor": stop the principal that made the call, as a compromised one: a role's
 *    sessions are revoked; an IAM user is quarantined (every active key deactivated, the deny
 *    policy attached, sessions revoked); a federated user's issuing user likewise;
 *  - "contain-target": the same for the principal the finding is about (a user or role just
 *    granted admin-equivalent rights, a role whose trust was opened);
 *  - "deny-target": attach the deny policy to that principal, so nobody can use it until a
 *    person releases it (a role opened to everyone: its door, not only its sessions).
 * `invokedByService` narrows a statement to calls a service made on someone's behalf (true) or
 * to direct calls (false). Whatever the policy says, a person is never contained for what a
 * service did for them: that guardrail is the planner's.
 */
export const ACTION_TEMPLATES = ["deactivate-target-key", "contain-actor", "contain-target", "deny-target"] as const;
export type ActionTemplate = (typeof ACTION_TEMPLATES)[number];

const nonEmpty = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));

export const responseStatementSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  description: z._default(z.string(), ""),
  match: z.strictObject({
    rules: z.optional(nonEmpty(z.string())),
    categories: z.optional(nonEmpty(z.enum(CATEGORIES))),
    signals: z.optional(nonEmpty(z.string())),
    minSeverity: z.optional(severitySchema),
    invokedByService: z.optional(z.boolean()),
  }),
  actions: nonEmpty(z.enum(ACTION_TEMPLATES)),
});

export const responsePolicySchema = z.strictObject({
  version: z.literal(1),
  statements: z.array(responseStatementSchema),
});

export type ResponsePolicy = z.output<typeof responsePolicySchema>;
export type ResponseStatement = z.output<typeof responseStatementSchema>;

export const DEFAULT_RESPONSE_POLICY: ResponsePolicy = {
  version: 1,
  statements: [
    {
      id: "backdoor-access-key",
      description: "An access key created for another user is deactivated (not deleted: it is evidence).",
      match: { rules: ["access-key-created"], signals: ["key-for-other-user"] },
      actions: ["deactivate-target-key"],
    },
    {
      id: "reactivated-access-key",
      description: "A reactivated access key is deactivated again until a human decides.",
      match: { rules: ["access-key-reactivated"] },
      actions: ["deactivate-target-key"],
    },
    {
      id: "contain-privilege-escalation",
      description:
        "Critical privilege changes (admin-equivalent grant, role opened to everyone or an untrusted account, containment undone) contain the actor.",
      match: {
        signals: ["admin-grant", "trust-public", "trust-untrusted-account", "revoke-policy-removed"],
        minSeverity: "critical",
      },
      actions: ["contain-actor"],
    },
    {
      id: "close-public-role",
      description:
        "A role opened to everyone is a door, whoever opened it (a stack too): its sessions are revoked and the deny policy keeps it shut until a person releases it.",
      match: { signals: ["trust-public"], minSeverity: "critical" },
      actions: ["contain-target", "deny-target"],
    },
    {
      id: "close-role-opened-to-untrusted-account",
      description:
        "A role opened to an untrusted account without an external id is closed the same way, a stack's too (a stack is a way round containment): list partner accounts in trustedAccounts, give vendor roles an external id.",
      match: { signals: ["trust-untrusted-account"], minSeverity: "critical" },
      actions: ["contain-target", "deny-target"],
    },
    {
      id: "contain-new-admin",
      description:
        "A principal just granted admin-equivalent rights is contained like a compromised actor; not when a service (CloudFormation, Service Catalog) made the grant as part of a deployment.",
      match: { signals: ["admin-grant"], minSeverity: "critical", invokedByService: false },
      actions: ["contain-target"],
    },
  ],
};

type MatchableFinding = Pick<Finding, "ruleId" | "category" | "signals" | "severity"> & { readonly actor: Pick<Finding["actor"], "invokedBy"> };

/**
 * A service acting for a principal (CloudFormation deploying a stack, Service Catalog, …):
 * CloudTrail names it in `invokedBy`. "AWS Internal" is AWS acting for itself, also not a person.
 */
export function invokedByService(actor: Pick<Finding["actor"], "invokedBy">): string | undefined {
  const by = actor.invokedBy;
  return by !== undefined && (by.endsWith(".amazonaws.com") || by === "AWS Internal") ? by : undefined;
}

export function statementMatches(statement: ResponseStatement, finding: MatchableFinding): boolean {
  const { rules, categories, signals, minSeverity, invokedByService: byService } = statement.match;
  if (byService !== undefined && (invokedByService(finding.actor) !== undefined) !== byService) return false;
  if (rules && !rules.includes(finding.ruleId)) return false;
  if (categories && !categories.includes(finding.category)) return false;
  if (signals && !signals.some((signal) => finding.signals.includes(signal))) return false;
  if (minSeverity && !atLeast(finding.severity, minSeverity)) return false;
  return true;
}
