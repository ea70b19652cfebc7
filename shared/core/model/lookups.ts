/**
 * Facts an edge looked up for one event before it is judged: read-only calls the event itself
 * does not record (what a group grants, say). Rules ask for them by metadata (`lookups`), the
 * Lambda runtime fetches them, and the rules stay pure: in replay, or when a read fails, a rule
 * sees `undefined` or the failure and says what is unknown.
 */
export interface GroupGrants {
  /** ARNs of the managed policies attached to the group. */
  readonly managedPolicyArns: readonly string[];
  /** The inline policies and the default versions of attached customer-managed policies, as IAM returns them. */
  readonly documents: readonly { readonly name: string; readonly document: string }[];
  /** Set when not every policy could be read (too many to read within the time an event may take): why. */
  readonly incomplete?: string;
}

export type Lookup<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /**
       * Where the answer comes from: "iam", read when the event was judged (it may have changed
       * since the call); "replay", the state as of the call itself, rebuilt from the events
       * replay read before it (a policy version created and made default earlier in the input).
       */
      readonly source?: "iam" | "replay";
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /**
       * The fact existed but cannot be known, and nothing rules out the worst (CloudTrail did
       * not record the document in force; replay's memory was full): rated as an unreadable
       * document is, not as a read that merely failed.
       */
      readonly unseen?: true;
    };

export type LookupRequest =
  | { readonly kind: "group-grants"; readonly account: string; readonly groupName: string }
  /** A customer-managed policy's document: the given version, or the default one. */
  | { readonly kind: "policy-document"; readonly account: string; readonly policyArn: string; readonly versionId?: string };

export interface EventLookups {
  /** undefined: not looked up (replay, an alert-only function, an account trailguard does not manage). */
  groupGrants(account: string, groupName: string): Lookup<GroupGrants> | undefined;
  /** The policy document as IAM returns it (URL-encoded JSON); undefined: not looked up. */
  policyDocument(account: string, policyArn: string, versionId?: string): Lookup<string> | undefined;
}

export const NO_LOOKUPS: EventLookups = { groupGrants: () => undefined, policyDocument: () => undefined };

export type LookupResult = Lookup<GroupGrants> | Lookup<string>;

export const lookupKey = (request: LookupRequest): string =>
  request.kind === "group-grants" ? `group-grants|${request.account}|${request.groupName}` : `policy-document|${request.account}|${request.policyArn}|${request.versionId ?? ""}`;

/** Lookups answered from a map of results keyed by `lookupKey`. */
export function lookupsFrom(results: ReadonlyMap<string, LookupResult>): EventLookups {
  return {
    groupGrants: (account, groupName) => results.get(lookupKey({ kind: "group-grants", account, groupName })) as Lookup<GroupGrants> | undefined,
    policyDocument: (account, policyArn, versionId) =>
      results.get(lookupKey({ kind: "policy-document", account, policyArn, ...(versionId !== undefined ? { versionId } : {}) })) as Lookup<string> | undefined,
  };
}
