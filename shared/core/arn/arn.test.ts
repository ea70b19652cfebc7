import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assumedRoleArnPrefix,
  iamPrincipalArn,
  isAccessKeyId,
  isAccountId,
  isFederatedUserName,
  isIamName,
  isIamPath,
  isLongTermAccessKeyId,
  isPartition,
  isRegion,
  isRoleSessionName,
  isSqsQueueName,
  parseArn,
  parseAssumedRoleArn,
  parseFederatedUserArn,
  parseIamPrincipalArn,
  parseIamRoleArn,
  parseIamUserArn,
  parseRootArn,
  parseSnsTopicArn,
  parseSqsQueueArn,
  parseSqsQueueUrl,
  roleArnOfSession,
} from "./arn.js";

const ACCOUNT = "111122223333";

describe("identifier formats", () => {
  it("account ids are exactly 12 digits", () => {
    expect(isAccountId(ACCOUNT)).toBe(true);
    for (const bad of [undefined, "", "11112222333", "1111222233334", "11112222333x", "111122223333\n", " 111122223333", "１１１１２２２２３３３３"]) expect(isAccountId(bad)).toBe(false);
  });

  it("IAM names are 1-64 of letters, digits and +=,.@_-", () => {
    for (const good of ["a", "alice", "Deploy+Ci=1,x.y@z_w-v", "a".repeat(64)]) expect(isIamName(good)).toBe(true);
    for (const bad of [undefined, "", "a".repeat(65), "bob/admin", "bob smith", "bøb", "bob\n", "*"]) expect(isIamName(bad)).toBe(false);
  });

  it("IAM paths are / or /…/ of printable ASCII, 512 at most", () => {
    for (const good of ["/", "/admins/", "/a/b/", "/a//b/", "/aws-reserved/sso.amazonaws.com/", "/!~/", `/${"a".repeat(510)}/`]) expect(isIamPath(good)).toBe(true);
    for (const bad of [undefined, "", "admins/", "/admins", "/a b/", "/ä/", "/a\n/", `/${"a".repeat(511)}/`]) expect(isIamPath(bad)).toBe(false);
  });

  it("session names are 1-64 and federated user names 2-32 of the IAM name characters", () => {
    expect(isRoleSessionName("i-0abc")).toBe(true);
    expect(isRoleSessionName("alice@example.com")).toBe(true);
    expect(isRoleSessionName("a".repeat(64))).toBe(true);
    expect(isRoleSessionName("s")).toBe(true);
    for (const bad of ["", "a".repeat(65), "a/b", "a b"]) expect(isRoleSessionName(bad)).toBe(false);
    expect(isFederatedUserName("bob")).toBe(true);
    for (const bad of ["b", "b".repeat(33), "b/c"]) expect(isFederatedUserName(bad)).toBe(false);
  });

  it("long-term access key ids are AKIA and 12-124 upper-case letters or digits", () => {
    expect(isLongTermAccessKeyId("AKIAIOSFODNN7EXAMPLE")).toBe(true);
    for (const bad of [undefined, "ASIAIOSFODNN7EXAMPLE", "AKIAiosfodnn7example", "AKIA12345678901", `AKIA${"A".repeat(125)}`]) expect(isLongTermAccessKeyId(bad)).toBe(false);
  });

  it("access key ids are AKIA or ASIA and 12-124 upper-case letters or digits", () => {
    for (const good of ["AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"]) expect(isAccessKeyId(good)).toBe(true);
    for (const bad of [undefined, "", "ABIAIOSFODNN7EXAMPLE", "ASIAiosfodnn7example", "ASIA12345678901", "ASIAIOSFODNN7EXAMPLE;id", `ASIA${"A".repeat(125)}`]) expect(isAccessKeyId(bad)).toBe(false);
  });

  it("partitions are aws or aws- and lowercase words (every partition AWS has, and the next)", () => {
    for (const good of ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]) expect(isPartition(good)).toBe(true);
    for (const bad of [undefined, "", "AWS", "aws-", "aws--cn", "awsx", "aws_cn", "aws-CN", "aws-1", "azure"]) expect(isPartition(bad)).toBe(false);
  });

  it("regions are lowercase words, letters first and a number last", () => {
    for (const good of ["us-east-1", "eu-west-3", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "eusc-de-east-1", "il-central-1"]) expect(isRegion(good)).toBe(true);
    for (const bad of [undefined, "", "us-east", "us", "US-EAST-1", "us_east_1", "us-east-1-", "1-east-1", "us--1"]) expect(isRegion(bad)).toBe(false);
  });

  it("SQS queue names are 80 characters of [\\w-], .fifo included", () => {
    expect(isSqsQueueName("a".repeat(80))).toBe(true);
    expect(isSqsQueueName(`${"a".repeat(75)}.fifo`)).toBe(true);
    for (const bad of [undefined, "", ".fifo", "a".repeat(81), `${"a".repeat(76)}.fifo`, "a.b", "a/b"]) expect(isSqsQueueName(bad)).toBe(false);
  });
});

describe("parseArn", () => {
  it("splits the six fields, the resource keeping its colons and slashes", () => {
    expect(parseArn("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/x:*")).toEqual({
      partition: "aws",
      service: "logs",
      region: "us-east-1",
      account: ACCOUNT,
      resource: "log-group:/aws/lambda/x:*",
    });
    expect(parseArn("arn:aws:s3:::bucket/key")).toMatchObject({ region: "", account: "", resource: "bucket/key" });
    expect(parseArn("arn:aws-us-gov:iam::aws:policy/AWSDenyAll")).toMatchObject({ partition: "aws-us-gov", account: "aws" });
  });

  it.each([
    ["no arn: prefix", "aws:iam::111122223333:root"],
    ["too few fields", "arn:aws:iam::111122223333"],
    ["an empty resource", "arn:aws:iam::111122223333:"],
    ["a partition AWS does not have", "arn:azure:iam::111122223333:root"],
    ["an account of 11 digits", "arn:aws:iam::11112222333:root"],
    ["a malformed region", "arn:aws:sqs:US-EAST-1:111122223333:q"],
    ["an upper-case service", "arn:aws:IAM::111122223333:root"],
  ])("refuses %s", (_label, text) => {
    expect(parseArn(text)).toBeUndefined();
  });
});

describe("IAM and STS principals", () => {
  it("users and roles, with their paths", () => {
    expect(parseIamPrincipalArn("arn:aws:iam::111122223333:user/alice")).toEqual({ partition: "aws", account: ACCOUNT, kind: "user", path: "/", name: "alice" });
    expect(parseIamPrincipalArn("arn:aws-cn:iam::111122223333:role/ci/deploy/Deployer")).toEqual({ partition: "aws-cn", account: ACCOUNT, kind: "role", path: "/ci/deploy/", name: "Deployer" });
    expect(parseIamRoleArn("arn:aws:iam::111122223333:user/alice")).toBeUndefined();
    expect(parseIamUserArn("arn:aws:iam::111122223333:role/deployer")).toBeUndefined();
    expect(parseIamUserArn("arn:aws:iam::111122223333:user/team/alice")?.name).toBe("alice");
  });

  it.each([
    ["no name", "arn:aws:iam::111122223333:role/deployer/"],
    ["a name of 65 characters", `arn:aws:iam::111122223333:role/${"a".repeat(65)}`],
    ["a name IAM does not allow", "arn:aws:iam::111122223333:user/bøb"],
    ["a path of 513 characters", `arn:aws:iam::111122223333:role/${"p".repeat(511)}/deployer`],
    ["a path with a space", "arn:aws:iam::111122223333:role/my path/deployer"],
    ["another kind", "arn:aws:iam::111122223333:group/admins"],
    ["a region", "arn:aws:iam:us-east-1:111122223333:user/alice"],
    ["the AWS account", "arn:aws:iam::aws:role/x"],
    ["a session", "arn:aws:sts::111122223333:assumed-role/deployer/sam"],
  ])("refuses a user or role ARN with %s", (_label, text) => {
    expect(parseIamPrincipalArn(text)).toBeUndefined();
  });

  it("root", () => {
    expect(parseRootArn("arn:aws:iam::111122223333:root")).toEqual({ partition: "aws", account: ACCOUNT });
    for (const bad of ["arn:aws:iam::111122223333:root/x", "arn:aws:iam::111122223333:user/root", "arn:aws:sts::111122223333:root", "arn:aws:iam::1111:root"]) expect(parseRootArn(bad)).toBeUndefined();
  });

  it("assumed-role sessions: role name and session name", () => {
    expect(parseAssumedRoleArn("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123abcd/alice@example.com")).toEqual({
      partition: "aws",
      account: ACCOUNT,
      roleName: "AWSReservedSSO_Admin_0123abcd",
      sessionName: "alice@example.com",
    });
    for (const bad of [
      "arn:aws:sts::111122223333:assumed-role/deployer",
      "arn:aws:sts::111122223333:assumed-role/deployer/",
      "arn:aws:sts::111122223333:assumed-role//sam",
      "arn:aws:iam::111122223333:assumed-role/deployer/sam",
    ]) {
      expect(parseAssumedRoleArn(bad)).toBeUndefined();
    }
  });

  it("changed: the session name must be of STS's characters, 64 at most (before, anything after the role name)", () => {
    // Before: /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/ took "sam/extra" as a session name.
    expect(parseAssumedRoleArn("arn:aws:sts::111122223333:assumed-role/deployer/s")?.sessionName).toBe("s");
    for (const session of ["sam/extra", "a".repeat(65), "sam smith", "sam\u2028"]) {
      expect(parseAssumedRoleArn(`arn:aws:sts::111122223333:assumed-role/deployer/${session}`)).toBeUndefined();
    }
  });

  it("federated users", () => {
    expect(parseFederatedUserArn("arn:aws:sts::111122223333:federated-user/bob")).toEqual({ partition: "aws", account: ACCOUNT, name: "bob" });
    // Changed: the name must be GetFederationToken's (2-32 of [\w+=,.@-]); before, anything.
    for (const bad of ["arn:aws:sts::111122223333:federated-user/b", "arn:aws:sts::111122223333:federated-user/bob/x", `arn:aws:sts::111122223333:federated-user/${"b".repeat(33)}`]) {
      expect(parseFederatedUserArn(bad)).toBeUndefined();
    }
  });

  it("changed: partitions are aws or aws-<words> (before, aws followed by any of [\\w-])", () => {
    for (const partition of ["awsX", "aws_1", "aws-", "aws-GOV"]) {
      expect(parseIamPrincipalArn(`arn:${partition}:iam::111122223333:user/alice`)).toBeUndefined();
      expect(parseRootArn(`arn:${partition}:iam::111122223333:root`)).toBeUndefined();
    }
    expect(parseRootArn("arn:aws-eusc:iam::111122223333:root")?.partition).toBe("aws-eusc");
  });
});

describe("SQS and SNS", () => {
  it("queue ARNs", () => {
    expect(parseSqsQueueArn("arn:aws:sqs:us-east-1:111122223333:trailguard-input")).toEqual({ partition: "aws", region: "us-east-1", account: ACCOUNT, name: "trailguard-input", fifo: false });
    expect(parseSqsQueueArn("arn:aws-us-gov:sqs:us-gov-west-1:111122223333:input.fifo")).toMatchObject({ name: "input.fifo", fifo: true });
    for (const bad of [
      "arn:aws:sqs::111122223333:q",
      "arn:aws:sqs:us-east-1::q",
      "arn:aws:sqs:us-east-1:111122223333:q/x",
      "arn:aws:sqs:us-east-1:111122223333:q.fif0",
      "arn:aws:sns:us-east-1:111122223333:q",
    ]) {
      expect(parseSqsQueueArn(bad)).toBeUndefined();
    }
  });

  it("changed: a standard queue name may have 80 characters, as SQS allows (before, 75)", () => {
    expect(parseSqsQueueArn(`arn:aws:sqs:us-east-1:111122223333:${"q".repeat(80)}`)?.name).toHaveLength(80);
    expect(parseSqsQueueArn(`arn:aws:sqs:us-east-1:111122223333:${"q".repeat(81)}`)).toBeUndefined();
    expect(parseSqsQueueArn(`arn:aws:sqs:us-east-1:111122223333:${"q".repeat(76)}.fifo`)).toBeUndefined();
  });

  it("changed: regions such as eusc-de-east-1 (before, two letters first) and not us-east (before accepted)", () => {
    expect(parseSqsQueueArn("arn:aws-eusc:sqs:eusc-de-east-1:111122223333:q")?.region).toBe("eusc-de-east-1");
    expect(parseSqsQueueArn("arn:aws:sqs:us-east:111122223333:q")).toBeUndefined();
  });

  it("topic ARNs, FIFO ones marked", () => {
    expect(parseSnsTopicArn("arn:aws:sns:us-east-1:111122223333:trailguard-alerts")).toMatchObject({ name: "trailguard-alerts", fifo: false });
    expect(parseSnsTopicArn("arn:aws:sns:us-east-1:111122223333:alerts.fifo")?.fifo).toBe(true);
    expect(parseSnsTopicArn(`arn:aws:sns:us-east-1:111122223333:${"t".repeat(256)}`)?.name).toHaveLength(256);
    expect(parseSnsTopicArn(`arn:aws:sns:us-east-1:111122223333:${"t".repeat(257)}`)).toBeUndefined();
    expect(parseSnsTopicArn("arn:aws:sns:us-east-1:111122223333:alerts:sub-id")).toBeUndefined();
  });

  it.each([
    ["https://sqs.us-east-1.amazonaws.com/111122223333/trailguard-input", "trailguard-input"],
    ["http://sqs.us-east-1.amazonaws.com/111122223333/trailguard-input", "trailguard-input"],
    ["sqs.us-east-1.amazonaws.com/111122223333/trailguard-input", "trailguard-input"],
    ["https://queue.amazonaws.com/111122223333/input.fifo/", "input.fifo"],
    ["https://localhost:4566/111122223333/trailguard-input?Action=x/y", "trailguard-input"],
    ["https://sqs.us-east-1.amazonaws.com/111122223333/trailguard-input/#frag", "trailguard-input"],
  ])("queue URL %s", (url, name) => {
    expect(parseSqsQueueUrl(url)).toEqual({ account: ACCOUNT, name });
  });

  it.each([
    "https://sqs.us-east-1.amazonaws.com/11112222333/q",
    "https://sqs.us-east-1.amazonaws.com/111122223333/",
    "https://sqs.us-east-1.amazonaws.com/111122223333/q//",
    "https://sqs.us-east-1.amazonaws.com/111122223333/q/x",
    "https:///111122223333/q",
    "/111122223333/q",
    "arn:aws:sqs:us-east-1:111122223333:q",
    "https://sqs.us-east-1.amazonaws.com/extra/111122223333/q",
  ])("not a queue URL: %s", (url) => {
    expect(parseSqsQueueUrl(url)).toBeUndefined();
  });
});

describe("builders", () => {
  it("principal ARNs, role ARNs of sessions and session ARN prefixes", () => {
    expect(iamPrincipalArn({ partition: "aws", account: ACCOUNT, kind: "role", name: "deployer" })).toBe("arn:aws:iam::111122223333:role/deployer");
    expect(iamPrincipalArn({ partition: "aws-cn", account: ACCOUNT, kind: "user", path: "/team/", name: "alice" })).toBe("arn:aws-cn:iam::111122223333:user/team/alice");
    const session = parseAssumedRoleArn("arn:aws:sts::111122223333:assumed-role/deployer/sam");
    expect(session && roleArnOfSession(session)).toBe("arn:aws:iam::111122223333:role/deployer");
    const role = parseIamRoleArn("arn:aws:iam::111122223333:role/ci/deployer");
    expect(role && assumedRoleArnPrefix(role)).toBe("arn:aws:sts::111122223333:assumed-role/deployer/");
  });
});

describe("properties", () => {
  const nameChar = fc.constantFrom(..."abcXYZ019+=,.@_-");
  const iamName = fc.string({ unit: nameChar, minLength: 1, maxLength: 64 });
  const pathSegment = fc.string({ unit: fc.constantFrom(..."abz09-_.!~"), minLength: 1, maxLength: 12 });
  const path = fc.array(pathSegment, { maxLength: 4 }).map((segments) => (segments.length === 0 ? "/" : `/${segments.join("/")}/`));
  const partition = fc.constantFrom("aws", "aws-cn", "aws-us-gov", "aws-iso-b");
  const account = fc.stringMatching(/^\d{12}$/);

  it("a built principal ARN parses back to its parts", () => {
    fc.assert(
      fc.property(partition, account, fc.constantFrom("user" as const, "role" as const), path, iamName, (p, a, kind, pth, name) => {
        const principal = { partition: p, account: a, kind, path: pth, name };
        expect(parseIamPrincipalArn(iamPrincipalArn(principal))).toEqual(principal);
      }),
    );
  });

  it("whatever the text, the parsers never throw and a parsed principal rebuilds to exactly that text", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(..."arn:aws-iam/sts1234567890:user/role/x.fifo?#"), maxLength: 120 }),
      fc.tuple(partition, account, fc.string({ maxLength: 80 })).map(([p, a, rest]) => `arn:${p}:iam::${a}:${rest}`),
    );
    fc.assert(
      fc.property(text, (value) => {
        const principal = parseIamPrincipalArn(value);
        if (principal) expect(iamPrincipalArn(principal)).toBe(value);
        const root = parseRootArn(value);
        if (root) expect(value).toBe(`arn:${root.partition}:iam::${root.account}:root`);
        const session = parseAssumedRoleArn(value);
        if (session) expect(value).toBe(`${assumedRoleArnPrefix({ partition: session.partition, account: session.account, name: session.roleName })}${session.sessionName}`);
        for (const parse of [parseArn, parseFederatedUserArn, parseSqsQueueArn, parseSnsTopicArn, parseSqsQueueUrl]) parse(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with the regular expressions it replaced on real-format ARNs", () => {
    const legacyUser = /^arn:aws[\w-]*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;
    const legacyPrincipal = /^arn:(aws[\w-]*):iam::(\d{12}):(user|role)(\/(?:[^/]+\/)*)([^/]+)$/;
    const legacySession = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
    fc.assert(
      fc.property(partition, account, fc.constantFrom("user" as const, "role" as const), path, iamName, iamName, (p, a, kind, pth, name, sessionName) => {
        const arn = iamPrincipalArn({ partition: p, account: a, kind, path: pth, name });
        const legacy = legacyPrincipal.exec(arn);
        expect(parseIamPrincipalArn(arn)).toEqual({ partition: legacy?.[1], account: legacy?.[2], kind: legacy?.[3], path: legacy?.[4], name: legacy?.[5] });
        if (kind === "user") expect(parseIamUserArn(arn)?.name).toBe(legacyUser.exec(arn)?.[2]);
        const session = `arn:${p}:sts::${a}:assumed-role/${name}/${sessionName}`;
        const legacyMatch = legacySession.exec(session);
        expect(parseAssumedRoleArn(session)).toEqual({ partition: p, account: legacyMatch?.[1], roleName: legacyMatch?.[2], sessionName: legacyMatch?.[3] });
      }),
    );
  });
});

describe("linear time on hostile input", () => {
  const K100 = 100_000;
  const hostile = [
    "a".repeat(K100),
    "/".repeat(K100),
    ":".repeat(K100),
    `arn:${"aws-".repeat(K100 / 4)}`,
    `arn:aws:iam::111122223333:user/${"a/".repeat(K100 / 2)}`,
    `arn:aws:iam::111122223333:role/${"/".repeat(K100)}x`,
    `arn:aws:iam::111122223333:user/${"a".repeat(K100)}`,
    `arn:aws:sts::111122223333:assumed-role/${"r".repeat(K100 / 2)}/${"s/".repeat(K100 / 4)}`,
    `arn:aws:sqs:${"us-".repeat(K100 / 3)}1:111122223333:q`,
    `arn:aws:sqs:us-east-1:111122223333:${"q".repeat(K100)}.fifo`,
    `arn:aws:sns:us-east-1:111122223333:${"t-".repeat(K100 / 2)}!`,
    `https://${"h".repeat(K100)}`,
    `https://h/111122223333/${"q".repeat(K100)}?`,
    `https://h/111122223333/q/${"?#".repeat(K100 / 2)}`,
    `${"111122223333/".repeat(K100 / 13)}`,
  ];
  const parsers: readonly ((text: string) => unknown)[] = [
    parseArn,
    parseIamPrincipalArn,
    parseIamUserArn,
    parseIamRoleArn,
    parseRootArn,
    parseAssumedRoleArn,
    parseFederatedUserArn,
    parseSqsQueueArn,
    parseSnsTopicArn,
    parseSqsQueueUrl,
    isAccountId,
    isIamName,
    isIamPath,
    isRoleSessionName,
    isFederatedUserName,
    isLongTermAccessKeyId,
    isAccessKeyId,
    isPartition,
    isRegion,
    isSqsQueueName,
  ];

  it("every parser and predicate takes well under 50 ms on a 100 KB hostile string", () => {
    let slowest = 0;
    for (const text of hostile) {
      expect(text.length).toBeGreaterThanOrEqual(K100 - 20);
      for (const parse of parsers) {
        const started = performance.now();
        parse(text);
        slowest = Math.max(slowest, performance.now() - started);
      }
    }
    expect(slowest).toBeLessThan(50);
  });

  it("and on generated long strings built from the characters ARNs are made of", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."arn:aws-iam/sts1:2.fifo?#@"), minLength: K100, maxLength: K100 }), (text) => {
        const started = performance.now();
        for (const parse of parsers) parse(`arn:aws:iam::111122223333:${text}`);
        expect(performance.now() - started).toBeLessThan(50);
      }),
      { numRuns: 10 },
    );
  });
});
