import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
} from "@aws-sdk/client-iam";
import { parseArn } from "../../core/arn/arn.js";
import { type EventLookups, type GroupGrants, type Lookup, type LookupRequest, type LookupResult, lookupKey, lookupsFrom } from "../../core/model/lookups.js";

/**
 * Answers the rules' lookups with read-only IAM calls, in the responder's own account or a
 * managed member account only (never one an event merely names). Only immutable answers (a
 * given policy version's document) are cached, for a while, per container. A failed read is an
 * answer too ("could not be read: …"), so the rule says what is unknown instead of guessing.
 */
export interface IamLookupOptions {
  readonly iamFor: (account: string) => Promise<IAMClient>;
  /** The responder's own account and the managed ones: the only accounts it reads. */
  readonly mayRead: (account: string) => Promise<boolean>;
  readonly now: () => Date;
  readonly cacheMs?: number;
  /** At most this many policies are read per group (IAM allows 10 attached, inline ones by size). */
  readonly maxPolicies?: number;
}

export type LookupFetcher = (requests: readonly LookupRequest[]) => Promise<EventLookups>;

export function iamLookups(options: IamLookupOptions): LookupFetcher {
  const cacheMs = options.cacheMs ?? 60_000;
  const maxPolicies = options.maxPolicies ?? 25;
  const cache = new Map<string, { at: number; value: LookupResult }>();

  async function readGroup(account: string, groupName: string): Promise<Lookup<GroupGrants>> {
    try {
      if (!(await options.mayRead(account))) return { ok: false, reason: `account ${account} is not one trailguard manages, so it does not read there` };
      const iam = await options.iamFor(account);
      const attached = (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName, MaxItems: maxPolicies }))).AttachedPolicies ?? [];
      const inline = (await iam.send(new ListGroupPoliciesCommand({ GroupName: groupName, MaxItems: maxPolicies }))).PolicyNames ?? [];
      const documents: Array<{ name: string; document: string }> = [];
      for (const name of inline) {
        const answer = await iam.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: name }));
        if (answer.PolicyDocument) documents.push({ name, document: answer.PolicyDocument });
      }
      const managedPolicyArns = attached.flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : []));
      // Customer-managed policies are judged by their default version's document; AWS managed
      // ones by name (classifyManagedPolicyArn), which is what their names are for.
      for (const arn of managedPolicyArns.filter((candidate) => parseArn(candidate)?.account !== "aws")) {
        const version = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
        if (!version) continue;
        const document = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }))).PolicyVersion?.Document;
        if (document) documents.push({ name: arn, document });
      }
      return { ok: true, value: { managedPolicyArns, documents } };
    } catch (error) {
      return { ok: false, reason: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) };
    }
  }

  async function readPolicy(account: string, policyArn: string, versionId: string | undefined): Promise<Lookup<string>> {
    try {
      if (!(await options.mayRead(account))) return { ok: false, reason: `account ${account} is not one trailguard manages, so it does not read there` };
      if (parseArn(policyArn)?.account !== account) return { ok: false, reason: "not a customer-managed policy of this account" };
      const iam = await options.iamFor(account);
      const version = versionId ?? (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.DefaultVersionId;
      if (!version) return { ok: false, reason: "the policy has no default version" };
      const document = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: version }))).PolicyVersion?.Document;
      return document ? { ok: true, value: document } : { ok: false, reason: `version ${version} has no document` };
    } catch (error) {
      return { ok: false, reason: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) };
    }
  }

  return async (requests) => {
    const results = new Map<string, LookupResult>();
    for (const request of requests) {
      const key = lookupKey(request);
      const cached = cache.get(key);
      const now = options.now().getTime();
      if (cached && now - cached.at < cacheMs) {
        results.set(key, cached.value);
        continue;
      }
      const value = request.kind === "group-grants" ? await readGroup(request.account, request.groupName) : await readPolicy(request.account, request.policyArn, request.versionId);
      // Only what cannot change is cached: a policy version's document. A group's policies or a
      // policy's default version can change between two events (an attacker would make them), and
      // failures are retried with the next delivery.
      if (value.ok && request.kind === "policy-document" && request.versionId !== undefined) cache.set(key, { at: now, value });
      results.set(key, value);
    }
    return lookupsFrom(results);
  };
}
