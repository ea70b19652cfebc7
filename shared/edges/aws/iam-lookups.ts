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
 * managed member account only (never one an event merely names). A failed read is an answer
 * too ("could not be read: …"), so the rule says what is unknown instead of guessing.
 */
export interface IamLookupOptions {
  readonly iamFor: (account: string) => Promise<IAMClient>;
  /** The responder's own account and the managed ones: the only accounts it reads. */
  readonly mayRead: (account: string) => Promise<boolean>;
  /**
   * At most this many IAM calls per looked-up group or policy: an attacker who fills a group with
   * policies must not push a batch past the function's timeout. Past it, the answer says it is
   * incomplete and the rule rates it as unknown.
   */
  readonly maxCalls?: number;
}

export type LookupFetcher = (requests: readonly LookupRequest[]) => Promise<EventLookups>;

/**
 * Nothing is cached: a group's policies and a policy's default version change (an attacker would
 * change them), and even a version id is reused when a policy is deleted and made again. Reads
 * of documents run in parallel; the SDK retries throttling and 5xx (maxAttempts); what still
 * fails is an answer ("could not be read: …"), never a lost event.
 */
export function iamLookups(options: IamLookupOptions): LookupFetcher {
  const maxCalls = options.maxCalls ?? 40;
  const failure = (error: unknown): Lookup<never> => ({ ok: false, reason: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) });

  async function readGroup(account: string, groupName: string): Promise<Lookup<GroupGrants>> {
    try {
      if (!(await options.mayRead(account))) return { ok: false, reason: `account ${account} is not one trailguard manages, so it does not read there` };
      const iam = await options.iamFor(account);
      let calls = 0;
      let incomplete: string | undefined;
      const managedPolicyArns: string[] = [];
      const inline: string[] = [];
      // Both lists are paged (IAM allows 10 attached policies by default, inline ones up to 5,120 characters in all).
      for (let marker: string | undefined, first = true; first || marker !== undefined; first = false) {
        if (++calls > maxCalls) break;
        const page = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName, ...(marker ? { Marker: marker } : {}) }));
        managedPolicyArns.push(...(page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])));
        marker = page.IsTruncated ? page.Marker : undefined;
      }
      for (let marker: string | undefined, first = true; first || marker !== undefined; first = false) {
        if (++calls > maxCalls) break;
        const page = await iam.send(new ListGroupPoliciesCommand({ GroupName: groupName, ...(marker ? { Marker: marker } : {}) }));
        inline.push(...(page.PolicyNames ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      }
      // Customer-managed policies are judged by their default version's document; AWS managed
      // ones by name (classifyManagedPolicyArn), which is what their names are for.
      const customer = managedPolicyArns.filter((arn) => parseArn(arn)?.account !== "aws");
      const budget = Math.max(0, maxCalls - calls);
      const inlineRead = inline.slice(0, budget);
      const customerRead = customer.slice(0, Math.max(0, Math.floor((budget - inlineRead.length) / 2)));
      if (inlineRead.length < inline.length || customerRead.length < customer.length || calls > maxCalls) {
        incomplete = `${inline.length} inline and ${customer.length} customer-managed policies, more than ${maxCalls} IAM calls may read for one event`;
      }
      const documents = (
        await Promise.all([
          ...inlineRead.map(async (name) => {
            const answer = await iam.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: name }));
            return answer.PolicyDocument ? [{ name, document: answer.PolicyDocument }] : [];
          }),
          ...customerRead.map(async (arn) => {
            const version = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
            if (!version) return [];
            const document = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }))).PolicyVersion?.Document;
            return document ? [{ name: arn, document }] : [];
          }),
        ])
      ).flat();
      return { ok: true, value: { managedPolicyArns, documents, ...(incomplete ? { incomplete } : {}) } };
    } catch (error) {
      return failure(error);
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
      return failure(error);
    }
  }

  return async (requests) => {
    const answers = await Promise.all(
      requests.map(async (request): Promise<[string, LookupResult]> => [
        lookupKey(request),
        request.kind === "group-grants" ? await readGroup(request.account, request.groupName) : await readPolicy(request.account, request.policyArn, request.versionId),
      ]),
    );
    return lookupsFrom(new Map(answers));
  };
}
