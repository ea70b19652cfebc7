import { isAccountId, parseArn } from "../../arn/arn.js";
import type { CloudTrailRecord } from "../../cloudtrail/record.js";
import { isPlainObject } from "../../cloudtrail/record.js";
import { parsePolicyDocument } from "../../iam/policy-document.js";
import { type TrustSignal, analyseTrust } from "../../iam/trust-analysis.js";
import { type Severity, atLeast } from "../../model/severity.js";
import { accountText, quoted } from "../../model/untrusted.js";
import { type RuleInput, type RuleMatch, defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, documentEvidence, outcome, requestString, responseObject, stringField } from "../rule-helpers.js";

const ROLES_ANYWHERE_SOURCE = "rolesanywhere.amazonaws.com";
const TRUST_POLICY_EVENTS: ReadonlySet<string> = new Set(["UpdateAssumeRolePolicy", "CreateRole"]);
const TRUST_ANCHOR_EVENTS: ReadonlySet<string> = new Set(["CreateTrustAnchor", "UpdateTrustAnchor"]);

/**
 * Who may become a role. UpdateAssumeRolePolicy and CreateRole: the trust policy (opening a
 * role to an outside account or to everyone is the cloud equivalent of adding a backdoor login).
 * CreateTrustAnchor and UpdateTrustAnchor (IAM Roles Anywhere): the certificate authorities
 * whose certificates are exchanged for the credentials of roles that trust Roles Anywhere, a
 * backdoor that needs no IAM user, key or password and survives their rotation.
 */
export const roleTrustUpdate = defineRule({
  id: "role-trust-update",
  title: "Role trust policy changed",
  category: "trust-update",
  technique: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  runbook:
    "Read the new trust policy in the alert. If it opens the role to everyone or to an account you do not know, the role is a backdoor: shut it (its sessions revoked, AWSDenyAll attached until released) and contain the actor; the actions in the alert say what trailguard did and what is left to do by hand. Restore the previous trust policy (CloudTrail has it in the earlier UpdateAssumeRolePolicy or CreateRole event), then check for AssumeRole calls from the outside account since the change (CloudTrail in this account records them). Add legitimate partner accounts to the trusted accounts setting. For an IAM Roles Anywhere trust anchor nobody planned: disable it at once (aws rolesanywhere disable-trust-anchor), list the profiles and the roles that trust rolesanywhere.amazonaws.com, look in CloudTrail for sessions issued through it (rolesanywhere CreateSession) since it was added, and treat the actor as compromised.",
  eventNames: [...TRUST_POLICY_EVENTS, ...TRUST_ANCHOR_EVENTS],
  eventSources: [IAM_SOURCE, ROLES_ANYWHERE_SOURCE],
  // A failed attempt to add a CA is still someone trying to plant a way in; a failed trust policy
  // change lets nobody in and stays low (judgeTrustPolicy caps it itself).
  failedCallCap: "medium",
  signals: ["trust-public", "trust-untrusted-account", "trust-oidc-unscoped"],
  evaluate(input) {
    const { event } = input;
    if (event.eventSource === IAM_SOURCE && TRUST_POLICY_EVENTS.has(event.eventName)) return judgeTrustPolicy(input);
    if (event.eventSource === ROLES_ANYWHERE_SOURCE && TRUST_ANCHOR_EVENTS.has(event.eventName)) return judgeTrustAnchor(input);
    return undefined;
  },
});

function judgeTrustPolicy({ record, actor, event, settings }: RuleInput): RuleMatch<TrustSignal> {
  const roleName = requestString(record, "roleName");
  const target = { kind: "role" as const, name: roleName, arn: roleArn(record) };
  const summary = `${describeActor(actor)} ${event.eventName === "CreateRole" ? "created role" : "changed the trust policy of role"} ${quoted(roleName)}: ${outcome(event.failed, event.errorCode)}`;
  const match = trustPolicyMatch(record, event.eventName, event.account, settings.trustedAccounts, summary, target);
  // A trust policy IAM refused lets nobody in: low, as the engine caps other rules' failed calls
  // (root's calls are never capped there either).
  if (!event.failed || actor.type === "Root" || !atLeast(match.severity, "medium")) return match;
  return { ...match, severity: "low", reasons: [...match.reasons, "capped at low: the call failed"] };
}

function trustPolicyMatch(
  record: CloudTrailRecord,
  eventName: string,
  account: string | undefined,
  trustedAccounts: ReadonlySet<string>,
  summary: string,
  target: { kind: "role"; name: string | undefined; arn: string | undefined },
): RuleMatch<TrustSignal> {
  const raw = trustDocument(record, eventName);
  if (raw === undefined) {
    return {
      // A whitespace-padded document is how an attacker keeps it out of the record: as high as unreadable.
      severity: "high",
      summary,
      whyItMatters: "The trust policy decides who can become this role, and this event does not show it: read the role's current trust policy by hand (aws iam get-role).",
      reasons: ["trust policy not recorded (CloudTrail omits request parameters over 100 KB; IAM accepts whitespace-padded documents that size)"],
      signals: [],
      target,
    };
  }
  const parsed = parsePolicyDocument(raw);
  if (!parsed.ok) {
    return {
      severity: "high",
      summary,
      whyItMatters: "The trust policy could not be analysed, so trailguard cannot rule out that it opens the role to outsiders: read it by hand.",
      reasons: [parsed.reason],
      signals: [],
      target,
      evidence: documentEvidence(raw, parsed),
    };
  }
  const verdict = analyseTrust(parsed.document, account, trustedAccounts);
  const opened = verdict.signals.includes("trust-public") || verdict.signals.includes("trust-untrusted-account");
  return {
    severity: verdict.severity,
    ...(opened ? { title: "Role opened to principals outside the organization" } : {}),
    summary,
    whyItMatters: opened
      ? "Anyone allowed by this trust policy can become the role and use all of its permissions, from their own account, without any credential from yours."
      : "The trust policy decides who can become this role; changes to it change who holds the role's permissions.",
    reasons: verdict.findings.map((finding) => finding.reason),
    signals: verdict.signals,
    target,
    evidence: documentEvidence(raw, parsed),
  };
}

/**
 * CreateTrustAnchor, or UpdateTrustAnchor with a new source: a certificate authority whose
 * certificates IAM Roles Anywhere now exchanges for role credentials. An update that leaves the
 * source alone (a rename) changes nobody's way in and raises nothing.
 */
function judgeTrustAnchor({ record, actor, event, settings }: RuleInput): RuleMatch<TrustSignal> | undefined {
  const created = event.eventName === "CreateTrustAnchor";
  const request = record.requestParameters ?? undefined;
  const response = responseObject(record, "trustAnchor");
  if (!created && request !== undefined && (request.source === undefined || request.source === null)) return undefined;
  // The request says what was asked; the response echoes the anchor as it stands (the only copy
  // when CloudTrail cut the request).
  const source = isPlainObject(request?.source) ? request.source : response?.source;
  const name = requestString(record, "name") ?? stringField(response, "name");
  const anchorId = requestString(record, "trustAnchorId") ?? stringField(response, "trustAnchorId");
  const judged = judgeAnchorSource(source, event.account, settings.trustedAccounts);
  const disabled = created && (request?.enabled === false || (request === undefined && response?.enabled === false));
  return {
    severity: judged.severity,
    title: created ? "IAM Roles Anywhere trust anchor created" : "IAM Roles Anywhere trust anchor's CA replaced",
    technique: { id: "T1098.001", name: "Account Manipulation: Additional Cloud Credentials" },
    summary: `${describeActor(actor)} ${created ? "created" : "replaced the certificate authority of"} IAM Roles Anywhere trust anchor ${quoted(name ?? anchorId)}: ${outcome(event.failed, event.errorCode)}`,
    whyItMatters:
      "IAM Roles Anywhere exchanges any certificate issued by a trust anchor's CA for temporary credentials of the roles that trust rolesanywhere.amazonaws.com (through a profile naming them): whoever holds that CA's key can become those roles from anywhere, with no IAM user, key or password to revoke.",
    reasons: [judged.reason, ...(disabled ? ["created disabled: it takes effect with one EnableTrustAnchor call"] : [])],
    signals: [],
    target: { kind: "trust-anchor", name: name ?? anchorId, arn: stringField(response, "trustAnchorArn") },
  };
}

function judgeAnchorSource(source: unknown, account: string | undefined, trusted: ReadonlySet<string>): { severity: Severity; reason: string } {
  if (!isPlainObject(source)) {
    return { severity: "high", reason: "the trust anchor's certificate authority is not recorded (CloudTrail omits request parameters over 100 KB): treat it as a CA outside your control until you have read it (aws rolesanywhere get-trust-anchor)" };
  }
  const type = typeof source.sourceType === "string" ? source.sourceType : undefined;
  const data = isPlainObject(source.sourceData) ? source.sourceData : {};
  // An uploaded certificate wins over whatever sourceType claims: its key is wherever the uploader keeps it.
  if (type === "CERTIFICATE_BUNDLE" || data.x509CertificateData !== undefined) {
    return { severity: "high", reason: `a CA certificate uploaded with the call (${quoted(type ?? "no source type")}): whoever holds that CA's private key, inside or outside the organization, can issue certificates that IAM Roles Anywhere exchanges for role credentials` };
  }
  if (type === "AWS_ACM_PCA") {
    const pca = typeof data.acmPcaArn === "string" ? data.acmPcaArn : undefined;
    const arn = parseArn(pca);
    if (arn?.service === "acm-pca" && isAccountId(arn.account) && (arn.account === account || trusted.has(arn.account))) {
      const where = arn.account === account ? "this account" : "a trusted account";
      return { severity: "medium", reason: `AWS Private CA ${quoted(pca)} in ${where}: whoever may issue certificates from it can become the roles that trust IAM Roles Anywhere` };
    }
    const where = arn ? `in account ${accountText(arn.account)}, outside this account and the trusted accounts` : "that trailguard cannot place in an account";
    return { severity: "high", reason: `AWS Private CA ${quoted(pca)} ${where}: its owner can issue certificates that IAM Roles Anywhere exchanges for role credentials` };
  }
  return { severity: "high", reason: `source type ${quoted(type)} trailguard cannot judge: treat the CA as outside your control until you have read it` };
}

function trustDocument(record: CloudTrailRecord, eventName: string): unknown {
  const requested = eventName === "CreateRole" ? record.requestParameters?.assumeRolePolicyDocument : record.requestParameters?.policyDocument;
  if (requested !== undefined && requested !== null) return requested;
  // CreateRole echoes the document (URL-encoded) in the response when the request was cut.
  return responseObject(record, "role")?.assumeRolePolicyDocument ?? undefined;
}

function roleArn(record: CloudTrailRecord): string | undefined {
  const arn = responseObject(record, "role")?.arn;
  return typeof arn === "string" ? arn : undefined;
}
