import * as z from "zod/mini";
import "../util/zod.js";
import { CATEGORIES, type Finding } from "../model/finding.js";
import { atLeast, severitySchema } from "../model/severity.js";

/**
 * What to do about which finding, as data (Cloud Custodian style). A statement matches a finding
 * when every criterion it names matches; `signals` matches when the finding has any of them.
 * Its actions are templates the planner turns into concrete actions:
 *  - "deactivate-target-key": deactivate the access key the finding is about (a created or
 *    reactivated key);
 *  - "contain-actor": stop the principal that made the call: revoke its role sessions, or for
 *    an IAM user deactivate the long-term key it used and revoke the user's sessions.
 */
export const ACTION_TEMPLATES = ["deactivate-target-key", "contain-actor"] as const;
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
  ],
};

type MatchableFinding = Pick<Finding, "ruleId" | "category" | "signals" | "severity">;

export function statementMatches(statement: ResponseStatement, finding: MatchableFinding): boolean {
  const { rules, categories, signals, minSeverity } = statement.match;
  if (rules && !rules.includes(finding.ruleId)) return false;
  if (categories && !categories.includes(finding.category)) return false;
  if (signals && !signals.some((signal) => finding.signals.includes(signal))) return false;
  if (minSeverity && !atLeast(finding.severity, minSeverity)) return false;
  return true;
}
