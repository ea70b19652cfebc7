/**
 * Small builders for CloudTrail records and EventBridge events, shared by the unit tests that
 * live beside the code. Records are plain objects (what arrives on the wire), never typed
 * CloudTrailRecord values, so the tests go through the same parsing as production input.
 */
import { type Analysis, createAnalyser } from "../../shared/core/engine/analyse.js";
import { type ConfigInput, parseConfig } from "../../shared/core/config/config.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { RULES } from "../../shared/core/rules/registry.js";

export const ACCOUNT = "111122223333";
export const OTHER_ACCOUNT = "444455556666";

export type Json = Record<string, unknown>;

export function iamUser(name: string, options: { path?: string; accessKeyId?: string; account?: string } = {}): Json {
  const account = options.account ?? ACCOUNT;
  return {
    type: "IAMUser",
    principalId: "AIDAEXAMPLEPRINCIPAL1",
    arn: `arn:aws:iam::${account}:user/${options.path ?? ""}${name}`,
    accountId: account,
    accessKeyId: options.accessKeyId ?? "AKIAEXAMPLEUSERKEY01",
    userName: name,
  };
}

export function assumedRole(
  role: string,
  session: string,
  options: { path?: string; account?: string; accessKeyId?: string; issuer?: boolean } = {},
): Json {
  const account = options.account ?? ACCOUNT;
  return {
    type: "AssumedRole",
    principalId: `AROAEXAMPLEROLEID01:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: options.accessKeyId ?? "ASIAEXAMPLESESSION01",
    ...(options.issuer === false
      ? {}
      : {
          sessionContext: {
            sessionIssuer: {
              type: "Role",
              principalId: "AROAEXAMPLEROLEID01",
              arn: `arn:aws:iam::${account}:role/${options.path ?? ""}${role}`,
              accountId: account,
              userName: role,
            },
            attributes: { creationDate: "2024-05-01T11:00:00Z", mfaAuthenticated: "false" },
          },
        }),
  };
}

export function root(options: { invokedBy?: string; account?: string; accessKeyId?: string } = {}): Json {
  const account = options.account ?? ACCOUNT;
  return {
    type: "Root",
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
    accessKeyId: options.accessKeyId ?? "",
    ...(options.invokedBy ? { invokedBy: options.invokedBy } : {}),
  };
}

/** A successful IAM API call by IAM user alice; overrides replace top-level fields, `undefined` removes one. */
export function cloudTrailRecord(overrides: Json = {}): Json {
  const record: Json = {
    eventVersion: "1.09",
    userIdentity: iamUser("alice"),
    eventTime: "2024-05-01T12:00:00Z",
    eventSource: "iam.amazonaws.com",
    eventName: "ListUsers",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters: null,
    responseElements: null,
    requestID: "5f6a7b8c-0000-4000-8000-000000000000",
    eventID: "0c1d2e3f-0000-4000-8000-000000000001",
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete record[key];
    else record[key] = value;
  }
  return record;
}

/** An IAM API call with the given request parameters. */
export function iamCall(eventName: string, requestParameters: Json | null, overrides: Json = {}): Json {
  return cloudTrailRecord({ eventName, requestParameters, ...overrides });
}

export function eventBridge(record: unknown, detailType = "AWS API Call via CloudTrail"): Json {
  return {
    version: "0",
    id: "7e8f9a0b-0000-4000-8000-000000000002",
    "detail-type": detailType,
    source: "aws.iam",
    account: ACCOUNT,
    time: "2024-05-01T12:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: record,
  };
}

/** Runs the real pipeline with a configuration parsed like production's. */
export function analyse(input: unknown, config: ConfigInput = {}): Analysis {
  return createAnalyser(parseConfig(config, "test"), RULES).analyse(input);
}

export function findingsOf(analysis: Analysis): readonly Finding[] {
  if (analysis.kind !== "analysed") throw new Error(`expected an analysed event, got ${analysis.kind}: ${analysis.reason}`);
  // Every finding any test produces is held to its rule's declared signals (what policies match on).
  for (const finding of analysis.findings) {
    const declared = RULES.find((rule) => rule.id === finding.ruleId)?.signals ?? [];
    const undeclared = finding.signals.filter((signal) => !declared.includes(signal));
    if (undeclared.length > 0) throw new Error(`rule ${finding.ruleId} emitted undeclared signal(s): ${undeclared.join(", ")}`);
  }
  return analysis.findings;
}

/** The one finding of `ruleId` for this input; throws when there is none. */
export function findingOf(input: unknown, ruleId: string, config: ConfigInput = {}): Finding {
  const found = findingsOf(analyse(input, config)).filter((finding) => finding.ruleId === ruleId);
  if (found.length !== 1) throw new Error(`expected one ${ruleId} finding, got ${found.length}`);
  return found[0] as Finding;
}

export function ruleIds(input: unknown, config: ConfigInput = {}): string[] {
  return findingsOf(analyse(input, config)).map((finding) => finding.ruleId);
}

/** A policy document as CloudTrail records it in requestParameters: a JSON string. */
export function policyJson(...statements: Json[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
