import { describe, expect, it } from "vitest";
import type { Severity } from "../model/severity.js";
import { ACCOUNT, OTHER_ACCOUNT, assumedRole, eventBridge, findingOf, iamCall, iamUser, root } from "../../../test/support/records.js";
import { type IncidentEvent, type IncidentPolicy, type IncidentState, TIMELINE_MAX, advanceIncident, incidentKeyFor } from "./incident.js";

/**
 * Red team (round 14): an attacker who has read incident.ts and wants their findings to become
 * "updates" (filtered out of the e-mail subscription) rather than pages.
 */

const POLICY: IncidentPolicy = { windowSeconds: 3600, maxSeconds: 86_400, timelineMax: TIMELINE_MAX };
const T0 = Date.parse("2026-05-01T12:00:00Z");
const SECOND = 1000;
const KEY = `user|aws|${ACCOUNT}|mallory`;

function event(eventId: string, at: number, severity: Severity, ruleId = "rule-a"): IncidentEvent {
  return {
    at,
    entry: {
      at: new Date(at).toISOString(),
      eventId,
      eventKey: `${eventId}#digest-${eventId}`,
      eventName: "AttachUserPolicy",
      findingIds: [`${eventId}/${ruleId}`],
      ruleIds: [ruleId],
      severity,
      headline: `mallory did ${eventId}`,
    },
  };
}

function run(events: readonly IncidentEvent[], start?: IncidentState) {
  let state = start;
  const outcomes = [];
  for (const item of events) {
    const next = advanceIncident(state, KEY, item, POLICY);
    state = next.state;
    outcomes.push(next.outcome);
  }
  return { state: state as IncidentState, outcomes };
}

/** AdministratorAccess attached to `target` by `actor`: a critical managed-policy-attached finding. */
function adminAttach(actor: unknown, eventId: string, target = "newadmin") {
  return findingOf(
    eventBridge(iamCall("AttachUserPolicy", { userName: target, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { userIdentity: actor, eventID: eventId })),
    "managed-policy-attached",
  );
}

describe("red team 14: incident key confusion", () => {
  it("two different people signed in through IAM Identity Center with the same permission set are not one incident", () => {
    // AWSReservedSSO_* roles are shared by every person given the permission set; the session
    // name is set by Identity Center (the person's user name), not by the caller. headline.ts
    // already treats such a session as a person. Merging them lets Bob's critical land as an
    // update of the page Alice's (expected, acknowledged) change opened an hour earlier.
    const role = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";
    const alice = adminAttach(assumedRole(role, "alice@example.com", { path: "aws-reserved/sso.amazonaws.com/" }), "11111111-0000-4000-8000-000000000001");
    const bob = adminAttach(assumedRole(role, "bob@example.com", { path: "aws-reserved/sso.amazonaws.com/" }), "11111111-0000-4000-8000-000000000002", "backdoor");
    expect(incidentKeyFor(bob)).not.toBe(incidentKeyFor(alice));
  });

  it("held: a user's name in another case or path, and its federated sessions, are the same incident; other accounts and root are not", () => {
    const lower = adminAttach(iamUser("mallory"), "22222222-0000-4000-8000-000000000001");
    const upper = adminAttach(iamUser("MALLORY", { path: "x/y/" }), "22222222-0000-4000-8000-000000000002");
    expect(incidentKeyFor(upper)).toBe(incidentKeyFor(lower));
    const elsewhere = adminAttach(iamUser("mallory", { account: OTHER_ACCOUNT }), "22222222-0000-4000-8000-000000000003");
    expect(incidentKeyFor(elsewhere)).not.toBe(incidentKeyFor(lower));
    // An IAM user named "root" is not the account's root.
    const fakeRoot = adminAttach(iamUser("root"), "22222222-0000-4000-8000-000000000004");
    const realRoot = adminAttach(root(), "22222222-0000-4000-8000-000000000005");
    expect(incidentKeyFor(fakeRoot)).not.toBe(incidentKeyFor(realRoot));
    // A role named like a user is another principal.
    const roleMallory = adminAttach(assumedRole("mallory", "s"), "22222222-0000-4000-8000-000000000006");
    expect(incidentKeyFor(roleMallory)).not.toBe(incidentKeyFor(lower));
    // A session whose record lacks its issuer is still its role's incident (not a fresh one per session, nor someone else's).
    const withIssuer = adminAttach(assumedRole("deployer", "a"), "22222222-0000-4000-8000-000000000007");
    const withoutIssuer = adminAttach(assumedRole("deployer", "b", { issuer: false }), "22222222-0000-4000-8000-000000000008");
    expect(incidentKeyFor(withoutIssuer)).toBe(incidentKeyFor(withIssuer));
  });
});

describe("red team 14: making a page an update", () => {
  it("a re-page whose delivery failed is still a page when retried after the timeline overflowed", () => {
    // E1 raises the incident to critical (a page); its publish fails (SNS/KMS error) and the
    // message is retried after the visibility timeout. Meanwhile the attacker makes 30 more
    // cheap findings: E1's entry is dropped from the middle of the bounded timeline, so the retry
    // is not recognised as the same event and, its severity no longer above the paged one, it
    // becomes an update: the only critical page of the incident is never delivered by e-mail.
    const opening = event("e0", T0, "medium");
    const raise = event("e1", T0 + SECOND, "critical");
    const flood = Array.from({ length: TIMELINE_MAX }, (_, index) => event(`f${index}`, T0 + (index + 2) * SECOND, "medium"));
    const { state, outcomes } = run([opening, raise, ...flood]);
    expect(outcomes[1]?.kind).toBe("page");
    const retry = advanceIncident(state, KEY, raise, POLICY);
    expect(retry.outcome.kind).toBe("page");
  });

  it("held: a retry of the opening page is a page even after the timeline overflowed (the first entry is kept)", () => {
    const opening = event("e0", T0, "critical");
    const flood = Array.from({ length: TIMELINE_MAX * 2 }, (_, index) => event(`f${index}`, T0 + (index + 1) * SECOND, "high"));
    const { state } = run([opening, ...flood]);
    const retry = advanceIncident(state, KEY, opening, POLICY);
    expect(retry.outcome).toMatchObject({ kind: "page", repeated: true });
  });

  it("held: a forged record that reuses a paged event's id (other content) is not taken for its retry", () => {
    const opening = event("e0", T0, "high");
    const { state } = run([opening]);
    const forged: IncidentEvent = { ...opening, entry: { ...opening.entry, eventKey: "e0#other-digest" } };
    const outcome = advanceIncident(state, KEY, forged, POLICY).outcome;
    expect(outcome.repeated).toBe(false);
  });

  it("tampering with trailguard after a critical page is a new kind of attack and pages, not an update", () => {
    // The attacker's first move pages at critical (the on-call may well judge it a planned
    // change, or trailguard contains it and the on-call releases it). Within the next 24 hours,
    // acting at least once an hour, every later critical of any rule (deleting the alert
    // subscription, stopping CloudTrail, disabling GuardDuty) is an "update" the e-mail
    // subscription filters out.
    const first = event("e0", T0, "critical", "managed-policy-attached");
    const tamper = event("e1", T0 + 30 * 60 * SECOND, "critical", "trailguard-tampering");
    const { outcomes } = run([first, tamper]);
    expect(outcomes[1]?.kind).toBe("page");
  });

  it("held: an incident cannot be kept open past maxSeconds by events an hour apart", () => {
    const events = Array.from({ length: 30 }, (_, index) => event(`k${index}`, T0 + index * 3500 * SECOND, "high"));
    const { outcomes } = run(events);
    // 86,400 s / 3,500 s: the 25th event (index 24, 84,000 s) is still within, the 26th (87,500 s) opens a new incident.
    expect(outcomes[25]?.kind).toBe("page");
  });

  it("held: an event far in the past does not drag the incident open, it opens its own (pages)", () => {
    const { state } = run([event("e0", T0, "critical")]);
    const old = advanceIncident(state, KEY, event("old", T0 - 10 * 86_400 * SECOND, "critical"), POLICY);
    expect(old.outcome.kind).toBe("page");
  });
});
