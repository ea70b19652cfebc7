import type { RuleDocs } from "../rule-docs.js";

/** What people read about cloudtrail-tampering: how it rates, and its row in the README's rule table. Not bundled into the functions. */
export const docs: RuleDocs = {
  severityLogic:
    "Nothing when management write events are still fully recorded. Critical: StopLogging, DeleteTrail, event selectors that stop recording management write events, a trail made single-region or without global service events (IAM). High: management event sources excluded (e.g. KMS), log file validation turned off, logs redirected to another bucket, CloudTrail Lake ingestion stopped or a data store deleted, selectors trailguard cannot read. Medium: other trail updates. A failed attempt is medium.",
  firesOn:
    "`StopLogging`, `DeleteTrail`, `UpdateTrail`, `PutEventSelectors`, CloudTrail Lake `StopEventDataStoreIngestion`/`DeleteEventDataStore`",
  severity: "critical for logging stopped, a trail deleted, selectors that no longer record management writes, a trail made single-region or without global (IAM) events; high for excluded event sources, log validation off, logs sent to another bucket, Lake stopped; nothing when every management write is still recorded; a failed attempt is medium",
};
