import { quoted } from "../../model/untrusted.js";
import { defineRule } from "../rule.js";
import { IAM_SOURCE, describeActor, outcome, requestString, responseObject, sameUserName, stringField } from "../rule-helpers.js";

/**
 * CreateAccessKey. A key for oneself is routine rotation; a key for someone else is the classic
 * persistence move (T1098.001): the attacker walks away with long-term credentials of a user
 * they do not own. "Someone else" compares user names, never ARN suffixes, because user ARNs
 * carry paths (arn:…:user/team/alice); IAM user names are unique case-insensitively.
 */
export const accessKeyCreated = defineRule({
  id: "access-key-created",
  title: "Access key created",
  category: "access-key",
  technique: { id: "T1098.001", name: "Account Manipulation: Additional Cloud Credentials" },
  runbook:
    "Find out who asked for this key. If the creator is not the user's owner or an approved automation, the key is a backdoor: make sure it is inactive (the actions in the alert say whether trailguard deactivated it; if not, aws iam update-access-key --status Inactive with the user name and key id), then investigate the creator's session (what else did it do?), and delete the key once the evidence is captured. Never delete first: the key id ties later activity to this event.",
  eventNames: ["CreateAccessKey"],
  eventSources: [IAM_SOURCE],
  signals: ["key-for-self", "key-for-other-user", "key-by-root"],
  evaluate({ record, actor, event }) {
    if (event.eventSource !== IAM_SOURCE || event.eventName !== "CreateAccessKey") return undefined;
    const created = responseObject(record, "accessKey");
    const requestedUser = requestString(record, "userName");
    const keyUser = requestedUser ?? stringField(created, "userName") ?? (actor.type === "IAMUser" ? actor.principalName : undefined);
    const accessKeyId = stringField(created, "accessKeyId");
    const byRoot = actor.type === "Root";
    const rootOwnKey = byRoot && requestedUser === undefined;
    const forSelf =
      !byRoot && actor.type === "IAMUser" && (requestedUser === undefined || sameUserName(requestedUser, actor.principalName));
    const who = describeActor(actor);
    const whose = rootOwnKey ? "the root user" : `user ${quoted(keyUser)}`;
    const summary = `${who} created access key ${accessKeyId ? quoted(accessKeyId) : "(id not recorded)"} for ${whose}: ${outcome(event.failed, event.errorCode)}`;
    const target = rootOwnKey
      ? { kind: "account" as const, name: event.account, accessKeyId }
      : { kind: "access-key" as const, name: accessKeyId, userName: keyUser, accessKeyId };
    if (byRoot) {
      return {
        severity: "critical",
        title: rootOwnKey ? "Root access key created" : "Root created an access key",
        summary,
        whyItMatters: rootOwnKey
          ? "A root access key is permanent, unrestricted API access to the whole account; AWS recommends root has none."
          : "The root user minted long-term credentials for an IAM user: root use is rare, and a new key is a way to keep access.",
        reasons: ["created by the root user", rootOwnKey ? "key belongs to root" : `key belongs to user ${quoted(keyUser)}`],
        signals: ["key-by-root"],
        target,
      };
    }
    if (forSelf) {
      return {
        severity: "low",
        summary,
        whyItMatters: "Users creating their own keys is routine rotation, but every new long-term key widens exposure.",
        reasons: ["key created by the user for itself"],
        signals: ["key-for-self"],
        target,
      };
    }
    return {
      severity: "high",
      title: "Access key created for another user",
      summary,
      whyItMatters:
        "Creating long-term credentials for a different user is a classic persistence technique: whoever holds the new key acts as that user, long after the creator's own session ends.",
      reasons: [
        `creator ${quoted(actor.principalName ?? actor.arn)} (${actor.type ?? "unknown type"}) is not the key's user ${quoted(keyUser)}`,
      ],
      signals: ["key-for-other-user"],
      target,
    };
  },
});
