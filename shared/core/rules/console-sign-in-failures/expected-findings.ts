import type { SampleExpectations } from "../rule-pack.js";

/**
 * Each sample in samples/ and exactly the findings it yields with the samples' configuration
 * ("action:status"). Every sample here is a sequence (a JSON array of events judged in order):
 * `event` is the index of the event that yields the finding.
 */
export const expectations: SampleExpectations = {
  // Five wrong passwords for one user in four minutes: raised once, on the fifth. Alert only.
  "console-sign-in-failures-password-guessing": [{ rule: "console-sign-in-failures", severity: "medium", actions: [], event: 4 }],
  // Ten users tried once each from one address in under three minutes: raised on the tenth.
  "console-sign-in-failures-password-spraying": [{ rule: "console-sign-in-failures", severity: "medium", actions: [], event: 9 }],
  // Four failures, then the right password (with MFA): a person who remembered.
  "benign-console-sign-in-four-failures-then-success": [],
  // Six failures spread over an hour: never five in ten minutes.
  "benign-console-sign-in-failures-spread-over-an-hour": [],
  // Twelve mistyped user names (CloudTrail hides them) from twelve addresses: nothing to count together.
  "benign-console-sign-in-unknown-user-names-from-many-addresses": [],
  // Six successful sign-ins with MFA: successes are not failures.
  "benign-console-sign-in-successes": [],
  // Root's failures are root-console-login's, each one: this rule does not report them again.
  "root-console-sign-in-failures-reported-once-each": [0, 1, 2, 3, 4].map((event) => ({ rule: "root-console-login", severity: "medium", actions: [], event })),
};
