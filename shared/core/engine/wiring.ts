import { ConfigError, type TrailguardConfig } from "../config/config.js";
import { wildcardMatches } from "../iam/policy-document.js";
import type { DetectionSettings, RuleIdentity } from "../rules/rule.js";

/**
 * Where configuration meets the rules. Configuration is a leaf (it knows no rule), so what it
 * names is checked here, when an analyser is built: a response-policy statement or a rule mode
 * naming a rule or signal that does not exist would be a policy that silently never applies.
 */
export function checkConfigAgainstRules(config: TrailguardConfig, rules: readonly RuleIdentity[]): void {
  const ruleIds = new Set(rules.map((rule) => rule.id));
  const signals = new Set(rules.flatMap((rule) => rule.signals));
  const problems: string[] = [];
  for (const id of Object.keys(config.ruleModes)) {
    if (!ruleIds.has(id)) problems.push(`ruleModes.${id}: unknown rule id`);
  }
  config.responsePolicy.statements.forEach((statement, index) => {
    const where = `responsePolicy.statements.${index} (${statement.id})`;
    const { rules: named, categories, signals: wanted } = statement.match;
    for (const id of named ?? []) if (!ruleIds.has(id)) problems.push(`${where}: names an unknown rule "${id}"`);
    // A signal must be one the statement's own rules (and categories) can emit, or the statement never applies.
    const eligible = rules.filter((rule) => (named === undefined || named.includes(rule.id)) && (categories === undefined || categories.includes(rule.category)));
    for (const signal of wanted ?? []) {
      if (!signals.has(signal)) problems.push(`${where}: matches a signal no rule emits "${signal}"`);
      else if (!eligible.some((rule) => rule.signals.includes(signal))) problems.push(`${where}: matches signal "${signal}", which none of the rules it names emits`);
    }
  });
  config.suppressions.forEach((suppression, index) => {
    const where = `suppressions.${index} (${suppression.id})`;
    for (const id of suppression.rules ?? []) if (!ruleIds.has(id)) problems.push(`${where}: names an unknown rule "${id}"`);
    for (const pattern of suppression.signals ?? []) {
      if (![...signals].some((signal) => wildcardMatches(pattern, signal, false))) problems.push(`${where}: matches no signal any rule emits "${pattern}"`);
    }
  });
  if (problems.length === 0) return;
  const known = `known rules: ${[...ruleIds].join(", ")}; known signals: ${[...signals].sort().join(", ")}`;
  throw new ConfigError(`invalid trailguard configuration: ${problems.join("; ")} (${known})`);
}

/** What rules read from configuration. */
export function detectionSettings(config: TrailguardConfig): DetectionSettings {
  return {
    trustedAccounts: new Set(config.trustedAccounts),
    self: {
      roleArns: config.responderRoleArns,
      memberRoleName: config.memberRoleName,
      managedAccounts: config.managedAccounts,
      resources: config.ownResources,
      containmentRoleArns: config.containmentRoleArns,
      heartbeatRoleArns: config.heartbeatRoleArns,
    },
  };
}
