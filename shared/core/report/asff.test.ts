import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { describe, expect, it } from "vitest";
import type { Finding } from "../model/finding.js";
import { SEVERITIES } from "../model/severity.js";
import { alertDocumentOf } from "../../../test/support/alert-documents.js";
import { ACCOUNT, OTHER_ACCOUNT, type Json, assumedRole, cloudTrailRecord, eventBridge, findingOf, iamCall, iamUser, policyJson, root } from "../../../test/support/records.js";
import { ASFF_LIMITS, type AsffContext, type AsffFinding, isIpv4, toAsff } from "./asff.js";

const EXPORTER_ACCOUNT = ACCOUNT;
const CONTEXT: AsffContext = {
  productArn: `arn:aws:securityhub:us-east-1:${EXPORTER_ACCOUNT}:product/${EXPORTER_ACCOUNT}/default`,
  region: "us-east-1",
  partition: "aws",
  updatedAt: "2024-05-01T12:05:00.000Z",
};
const EVENT_ID = "0c1d2e3f-0000-4000-8000-000000000001";
const ACTOR_KEY = "AKIAALICEKEYEXAMPLE1";
const NEW_KEY = "AKIANEWKEYEXAMPLE001";
// C0/C1 controls, DEL, line/paragraph separators: none may reach Security Hub raw.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const RAW_CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** alice (MFA, key AKIA…) puts an admin-equivalent inline policy on role "app", from 203.0.113.9 in eu-west-2. */
function adminGrant(overrides: Json = {}): Finding {
  const record = iamCall(
    "PutRolePolicy",
    { roleName: "app", policyName: "inline-admin", policyDocument: policyJson({ Effect: "Allow", Action: "*", Resource: "*" }) },
    { userIdentity: iamUser("alice", { accessKeyId: ACTOR_KEY }), sourceIPAddress: "203.0.113.9", awsRegion: "eu-west-2", ...overrides },
  );
  return findingOf(eventBridge(record), "policy-document-grant");
}

function keyForOther(overrides: Json = {}): Finding {
  const record = iamCall("CreateAccessKey", { userName: "bob" }, {
    responseElements: { accessKey: { accessKeyId: NEW_KEY, status: "Active", userName: "bob", createDate: "May 1, 2024 12:00:00 PM" } },
    ...overrides,
  });
  return findingOf(eventBridge(record), "access-key-created");
}

function asffOf(finding: AsffFinding, context: AsffContext = CONTEXT): AwsSecurityFinding {
  return toAsff(alertDocumentOf([finding as Finding], { accountName: "prod" }), finding, context);
}

/** Every string in a value, with its path. */
function strings(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => [[`${path}.${key}(key)`, key] as [string, string], ...strings(item, `${path}.${key}`)]);
  return [];
}

/** ASFF's documented limits, asserted on one finding. */
function expectWithinLimits(asff: AwsSecurityFinding): void {
  expect(asff.Id?.length).toBeGreaterThan(0);
  expect(asff.Id?.length).toBeLessThanOrEqual(ASFF_LIMITS.id);
  expect(asff.GeneratorId?.length).toBeLessThanOrEqual(ASFF_LIMITS.generatorId);
  expect(asff.AwsAccountId).toMatch(/^\d{12}$/);
  expect(asff.Title?.length).toBeGreaterThan(0);
  expect(asff.Title?.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
  expect(asff.Description?.length).toBeGreaterThan(0);
  expect(asff.Description?.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
  expect(asff.Remediation?.Recommendation?.Text?.length).toBeLessThanOrEqual(ASFF_LIMITS.recommendation);
  expect(asff.Types?.length).toBeLessThanOrEqual(ASFF_LIMITS.types);
  for (const type of asff.Types ?? []) expect(type).toMatch(/^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)\/[A-Za-z ]+$/);
  const fields = Object.entries(asff.ProductFields ?? {});
  expect(fields.length).toBeLessThanOrEqual(40);
  for (const [key, value] of fields) {
    expect(key.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldKey);
    expect(value.length, key).toBeGreaterThan(0);
    expect(value.length, key).toBeLessThanOrEqual(ASFF_LIMITS.productFieldValue);
  }
  expect(asff.Resources?.length).toBeGreaterThan(0);
  expect(asff.Resources?.length).toBeLessThanOrEqual(ASFF_LIMITS.resources);
  for (const resource of asff.Resources ?? []) {
    expect(resource.Id?.length).toBeGreaterThan(0);
    expect(resource.Id?.length).toBeLessThanOrEqual(ASFF_LIMITS.resourceId);
    expect(resource.Region?.length ?? 0).toBeLessThanOrEqual(ASFF_LIMITS.resourceRegion);
    if (resource.Partition) expect(["aws", "aws-cn", "aws-us-gov", "aws-us-iso", "aws-us-iso-b"]).toContain(resource.Partition);
  }
  const api = asff.Action?.AwsApiCallAction;
  expect(api?.Api?.length ?? 0).toBeLessThanOrEqual(ASFF_LIMITS.apiName);
  expect(api?.ServiceName?.length ?? 0).toBeLessThanOrEqual(ASFF_LIMITS.apiName);
  if (api?.RemoteIpDetails) expect(isIpv4(api.RemoteIpDetails.IpAddressV4)).toBe(true);
  for (const [path, text] of strings(asff)) {
    const multiline = path === ".Description" || path === ".Remediation.Recommendation.Text";
    expect(multiline ? RAW_CONTROL_BUT_NEWLINE.test(text) : RAW_CONTROL.test(text), `${path}: ${JSON.stringify(text.slice(0, 80))}`).toBe(false);
    expect(LONE_SURROGATE.test(text), path).toBe(false);
  }
  // Security Hub refuses a finding over 240 KB.
  expect(Buffer.byteLength(JSON.stringify(asff))).toBeLessThan(240_000);
}

describe("toAsff: a finding in the AWS Security Finding Format", () => {
  it("maps an admin-equivalent grant: id, product, account, times, severity, text, resources, product fields, API call", () => {
    const finding = adminGrant();
    const asff = asffOf(finding);
    expect(asff).toMatchObject({
      SchemaVersion: "2018-10-08",
      Id: `${EVENT_ID}/policy-document-grant`,
      ProductArn: CONTEXT.productArn,
      GeneratorId: "trailguard/policy-document-grant",
      AwsAccountId: ACCOUNT,
      CreatedAt: "2024-05-01T12:00:00Z",
      FirstObservedAt: "2024-05-01T12:00:00Z",
      UpdatedAt: CONTEXT.updatedAt,
      Severity: { Label: "CRITICAL", Original: "critical" },
      FindingProviderFields: { Severity: { Label: "CRITICAL", Original: "critical" } },
      Title: finding.title,
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
      SourceUrl: `https://eu-west-2.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-2#/events/${EVENT_ID}`,
      Action: {
        ActionType: "AWS_API_CALL",
        AwsApiCallAction: { Api: "PutRolePolicy", ServiceName: "iam.amazonaws.com", CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: "203.0.113.9" }, FirstSeen: "2024-05-01T12:00:00Z" },
      },
    });
    expect(asff.Types).toEqual(expect.arrayContaining(["TTPs/Privilege Escalation"]));
    expect(asff.FindingProviderFields?.Types).toEqual(asff.Types);
    expect(asff.Description).toContain(finding.summary);
    expect(asff.Description).toContain(`Why it matters: ${finding.whyItMatters}`.slice(0, 200));
    expect(asff.Remediation?.Recommendation?.Text).toEqual(finding.runbook.length <= 512 ? finding.runbook : expect.stringMatching(/…$/));
    expect(asff.Resources).toEqual([
      { Type: "AwsIamUser", Id: `arn:aws:iam::${ACCOUNT}:user/alice`, Partition: "aws", Region: "eu-west-2", ResourceRole: "Actor" },
      { Type: "AwsIamAccessKey", Id: `AWS::IAM::AccessKey:${ACTOR_KEY}`, Partition: "aws", Region: "eu-west-2", ResourceRole: "Actor" },
      { Type: "AwsIamRole", Id: `arn:aws:iam::${ACCOUNT}:role/app`, Partition: "aws", Region: "eu-west-2", ResourceRole: "Target" },
      { Type: "AwsAccount", Id: `AWS::::Account:${ACCOUNT}`, Partition: "aws", Region: "eu-west-2" },
    ]);
    expect(asff.ProductFields).toMatchObject({
      "trailguard/FindingId": finding.findingId,
      "trailguard/IncidentId": "TG-5f3a9c1e0a1b",
      "trailguard/AlertKind": "page",
      "trailguard/RuleId": "policy-document-grant",
      "trailguard/Severity": "critical",
      "trailguard/EventId": EVENT_ID,
      "trailguard/EventName": "PutRolePolicy",
      "trailguard/EventAccount": ACCOUNT,
      "trailguard/AccountName": "prod",
      "trailguard/Actor": `arn:aws:iam::${ACCOUNT}:user/alice`,
      "trailguard/SourceIp": "203.0.113.9",
      "trailguard/ActionStatuses": finding.actions.map((action) => `${action.type}=${action.status}`).join(","),
    });
    expectWithinLimits(asff);
  });

  it("is stable: the same finding gives the same Id whenever it is exported (a re-import updates, never duplicates)", () => {
    const first = asffOf(adminGrant());
    const again = asffOf(adminGrant(), { ...CONTEXT, updatedAt: "2024-05-02T00:00:00Z" });
    expect(again.Id).toBe(first.Id);
    expect(again.UpdatedAt).toBe("2024-05-02T00:00:00Z");
    expect(again.CreatedAt).toBe(first.CreatedAt);
  });

  it("labels every trailguard severity with Security Hub's", () => {
    const labels = SEVERITIES.map((severity) => asffOf({ ...adminGrant(), severity }).Severity);
    expect(labels).toEqual([
      { Label: "INFORMATIONAL", Original: "info" },
      { Label: "LOW", Original: "low" },
      { Label: "MEDIUM", Original: "medium" },
      { Label: "HIGH", Original: "high" },
      { Label: "CRITICAL", Original: "critical" },
    ]);
  });

  it("classifies by category and ATT&CK technique in ASFF's namespaces", () => {
    const base = adminGrant();
    const typesOf = (category: Finding["category"], id: string) => asffOf({ ...base, category, technique: { id, name: "x" } }).Types;
    expect(typesOf("access-key", "T1098.001")).toEqual(["TTPs/Persistence", "TTPs/Privilege Escalation"]);
    expect(typesOf("resource-exposure", "T1537")).toEqual(["Effects/Data Exposure", "Effects/Data Exfiltration"]);
    expect(typesOf("tampering", "T1562.008")).toEqual(["TTPs/Defense Evasion"]);
    expect(typesOf("repeated-failures", "T1110")).toEqual(["Unusual Behaviors/User", "TTPs/Credential Access"]);
    expect(typesOf("root-activity", "T1078.004")).toEqual(["Unusual Behaviors/User", "TTPs/Initial Access"]);
    expect(typesOf("policy-change", "T9999")).toEqual(["TTPs/Privilege Escalation"]);
  });

  it("an access key created for another user: the key and its owner are the targets", () => {
    const asff = asffOf(keyForOther());
    expect(asff.Resources?.filter((resource) => resource.ResourceRole === "Target")).toEqual([
      expect.objectContaining({ Type: "AwsIamAccessKey", Id: `AWS::IAM::AccessKey:${NEW_KEY}` }),
      expect.objectContaining({ Type: "AwsIamUser", Id: `arn:aws:iam::${ACCOUNT}:user/bob` }),
    ]);
    expectWithinLimits(asff);
  });

  it("root acts as the account; a role session as its role (not the session)", () => {
    const rootCall = findingOf(eventBridge(cloudTrailRecord({ userIdentity: root(), eventSource: "ec2.amazonaws.com", eventName: "RunInstances", requestParameters: {} })), "root-activity");
    expect(asffOf(rootCall).Resources?.[0]).toMatchObject({ Type: "AwsAccount", Id: `AWS::::Account:${ACCOUNT}`, ResourceRole: "Actor" });
    const sessionGrant = adminGrant({ userIdentity: assumedRole("deployer", "ci-run-42", { path: "ci/" }) });
    expect(asffOf(sessionGrant).Resources?.slice(0, 2)).toEqual([
      expect.objectContaining({ Type: "AwsIamRole", Id: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`, ResourceRole: "Actor" }),
      expect.objectContaining({ Type: "AwsIamAccessKey", Id: "AWS::IAM::AccessKey:ASIAEXAMPLESESSION01", ResourceRole: "Actor" }),
    ]);
    const bare = adminGrant({ userIdentity: assumedRole("deployer", "s", { issuer: false }) });
    expect(asffOf(bare).Resources?.[0]).toMatchObject({ Type: "AwsIamRole", Id: `arn:aws:iam::${ACCOUNT}:role/deployer` });
  });

  it("imports into the exporter's own account; the event's account, when another, is a resource and a product field", () => {
    const member = adminGrant({ recipientAccountId: OTHER_ACCOUNT });
    const asff = asffOf(member);
    // Security Hub accepts a finding with the default product ARN only for the caller's own account.
    expect(asff.AwsAccountId).toBe(EXPORTER_ACCOUNT);
    expect(asff.ProductFields?.["trailguard/EventAccount"]).toBe(OTHER_ACCOUNT);
    expect(asff.Resources?.map((resource) => resource.Id)).toEqual(expect.arrayContaining([`AWS::::Account:${OTHER_ACCOUNT}`, `AWS::::Account:${EXPORTER_ACCOUNT}`]));
    // A forged account id is no resource, and is shown escaped.
    const forged = asffOf({ ...adminGrant(), event: { ...adminGrant().event, account: "1234\u001b[31m" } });
    expect(forged.AwsAccountId).toBe(EXPORTER_ACCOUNT);
    expect(forged.Resources?.filter((resource) => resource.Type === "AwsAccount").map((resource) => resource.Id)).toEqual([`AWS::::Account:${EXPORTER_ACCOUNT}`]);
    expect(forged.ProductFields?.["trailguard/EventAccount"]).toBe("1234\\u001b[31m");
  });

  it("gives RemoteIpDetails only for a valid IPv4 address; an AWS service caller is a domain", () => {
    const callerOf = (sourceIp: string | undefined) => asffOf({ ...adminGrant(), event: { ...adminGrant().event, sourceIp } }).Action?.AwsApiCallAction;
    for (const bad of ["999.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "2001:db8::1", "1.2.3.4 ", " 1.2.3.4", "AWS Internal", "", "x".repeat(5000)]) {
      const caller = callerOf(bad);
      expect(caller?.RemoteIpDetails, bad).toBeUndefined();
      expect(caller?.CallerType === undefined || caller.CallerType === "domain", bad).toBe(true);
    }
    expect(callerOf(undefined)).toEqual(expect.not.objectContaining({ CallerType: expect.anything() }));
    expect(callerOf("0.0.0.0")?.RemoteIpDetails).toEqual({ IpAddressV4: "0.0.0.0" });
    expect(callerOf("255.255.255.255")?.RemoteIpDetails).toEqual({ IpAddressV4: "255.255.255.255" });
    expect(callerOf("cloudformation.amazonaws.com")).toMatchObject({ CallerType: "domain", DomainDetails: { Domain: "cloudformation.amazonaws.com" } });
  });

  it("never dates a finding after its update: a missing, malformed or future event time becomes the export time", () => {
    const at = (eventTime: string | undefined) => asffOf({ ...adminGrant(), event: { ...adminGrant().event, eventTime } });
    for (const eventTime of [undefined, "", "yesterday", "2024-05-01 12:00:00", "2024-13-45T99:99:99Z", "2099-01-01T00:00:00Z"]) {
      const asff = at(eventTime);
      expect(asff.CreatedAt, String(eventTime)).toBe(CONTEXT.updatedAt);
      expect(asff.FirstObservedAt).toBe(CONTEXT.updatedAt);
      expect(asff.Action?.AwsApiCallAction?.FirstSeen === undefined || eventTime === "2099-01-01T00:00:00Z").toBe(true);
    }
    expect(at("2024-05-01T11:59:59.123456789+01:00").CreatedAt).toBe("2024-05-01T11:59:59.123456789+01:00");
  });

  it("links to the CloudTrail console only for an AWS-looking region and event id, in the partition's console", () => {
    const linkOf = (event: Partial<Finding["event"]>, partition = "aws") => asffOf({ ...adminGrant(), event: { ...adminGrant().event, ...event } }, { ...CONTEXT, partition }).SourceUrl;
    expect(linkOf({ eventIdIsSynthetic: true })).toBeUndefined();
    expect(linkOf({ region: "evil.example.com/#" })).toBeUndefined();
    expect(linkOf({ eventId: "x/../../phish?" })).toBeUndefined();
    expect(linkOf({ region: "cn-north-1" }, "aws-cn")).toBe(`https://cn-north-1.console.amazonaws.cn/cloudtrailv2/home?region=cn-north-1#/events/${EVENT_ID}`);
    expect(linkOf({}, "aws-iso")).toBeUndefined();
  });

  it("refuses a product ARN that is not Security Hub's, and an export time that is not one", () => {
    expect(() => asffOf(adminGrant(), { ...CONTEXT, productArn: "arn:aws:sns:us-east-1:111122223333:x" })).toThrow(/not a Security Hub product ARN/);
    expect(() => asffOf(adminGrant(), { ...CONTEXT, updatedAt: "now" })).toThrow(/not an ISO 8601 time/);
  });
});

describe("toAsff on hostile input: every attacker-controlled string clipped to ASFF's limits and escaped", () => {
  const HUGE = 100_000;
  const nasty = (seed: string) => `${seed}\u0000\u001b[2J\r\n\u2028\u0085"}{<script>\ud800${"é😀".repeat(HUGE / 3)}\udfff`;

  it("holds every field to its limit, whatever the lengths and characters", () => {
    const finding = adminGrant();
    const hostile: AsffFinding = {
      ...finding,
      findingId: nasty("id"),
      eventId: nasty("event"),
      ruleId: nasty("rule"),
      title: nasty("title"),
      summary: nasty("summary"),
      whyItMatters: nasty("why"),
      runbook: nasty("runbook"),
      signals: Array.from({ length: 5_000 }, (_, index) => `signal-${index}-${"s".repeat(100)}`),
      technique: { id: nasty("T"), name: nasty("technique") },
      actor: { ...finding.actor, arn: nasty("arn:aws:iam::111122223333:user/"), principalName: nasty("p"), accessKeyId: nasty("AKIA"), invokedBy: nasty("svc"), sessionIssuerArn: nasty("i") },
      target: { kind: "policy", name: nasty("t"), policyName: nasty("pn"), policyArn: `arn:aws:iam::${ACCOUNT}:policy/${"p".repeat(HUGE)}` },
      event: {
        ...finding.event,
        eventId: nasty("e"),
        eventName: nasty("PutRolePolicy"),
        eventSource: nasty("iam.amazonaws.com"),
        eventTime: nasty("2024"),
        account: nasty("1111"),
        region: nasty("us-east-1"),
        sourceIp: nasty("1.2.3.4"),
        userAgent: nasty("agent"),
        errorCode: nasty("AccessDenied"),
      },
      exemption: { kind: "allowlist", matched: nasty("m") },
      actions: Array.from({ length: 2_000 }, (_, index) => ({ type: index % 2 ? "revoke-sessions" : "attach-deny-policy", status: "skipped" })),
    };
    const document = { ...alertDocumentOf([finding]), incident: { ...alertDocumentOf([finding]).incident, id: nasty("TG") }, account: { id: nasty("a"), name: nasty("name") } };
    const asff = toAsff(document, hostile, CONTEXT);
    expectWithinLimits(asff);
    expect(asff.Title).toMatch(/^title\\u0000\\u001b\[2J\\u000d\\u000a\\u2028\\u0085"\}\{<script>\ufffd/);
    expect(asff.Title?.endsWith("…")).toBe(true);
    // Newlines are kept in the description (its own layout), every other control escaped.
    expect(asff.Description).toMatch(/^summary\\u0000\\u001b\[2J\\u000d\n\\u2028/);
    expect(asff.Description).toContain("\n\nWhy it matters: why\\u0000");
    expect(asff.AwsAccountId).toBe(ACCOUNT);
    expect(asff.Action?.AwsApiCallAction?.RemoteIpDetails).toBeUndefined();
    expect(asff.SourceUrl).toBeUndefined();
  });

  it("keeps ids of any length unique and stable: a long id is clipped with a hash of the whole", () => {
    const base = adminGrant();
    const long = (suffix: string) => asffOf({ ...base, findingId: `${"e".repeat(2_000)}/${suffix}` }).Id ?? "";
    expect(long("rule-a")).toHaveLength(ASFF_LIMITS.id);
    expect(long("rule-a")).not.toBe(long("rule-b"));
    expect(long("rule-a")).toBe(long("rule-a"));
    expect(asffOf({ ...base, findingId: "a\u0000b" }).Id).toBe("a\\u0000b");
  });

  it("caps resources at 32, whatever is named", () => {
    const finding = adminGrant();
    const asff = asffOf({ ...finding, target: { kind: "trust-anchor", name: "x".repeat(10_000), arn: undefined } });
    expectWithinLimits(asff);
    expect(asff.Resources?.find((resource) => resource.ResourceRole === "Target")?.Id).toMatch(/^x{511}…$/);
  });

  it("never emits an empty required text: a blank title falls back to the rule id, a blank runbook to a pointer", () => {
    const asff = asffOf({ ...adminGrant(), title: " \t ", runbook: "" });
    expect(asff.Title).toBe("policy-document-grant");
    expect(asff.Remediation?.Recommendation?.Text?.length).toBeGreaterThan(0);
  });
});
