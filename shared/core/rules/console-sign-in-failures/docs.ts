import type { RuleDocs } from "../rule-docs.js";

/** What people read about console-sign-in-failures: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Medium when failed console sign-ins pile up within 10 minutes: 5 for one IAM user (password guessing; names compared case-insensitively), 5 with user names the account does not have from one address (CloudTrail hides those names, so they are counted by address), or 10 from one address whatever the names (password spraying); an IPv6 address counts as its /64, so a new address per attempt does not split a spray. Each count then stays quiet for an hour. Fewer failures, successes and root's failures (root-console-login reports each one) raise nothing; where nothing keeps counts (replay of a single event without state) it says nothing.",
  firesOn:
    "failed `ConsoleLogin` (CIS CloudWatch.6), counted over 10 minutes: 5 for one IAM user, or 10 from one source address across users; root's are `root-console-login`'s",
  severity: "medium",
};
