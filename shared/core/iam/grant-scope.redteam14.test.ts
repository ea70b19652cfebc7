import { describe, expect, it } from "vitest";
import { eventBridge, findingOf, iamCall, policyJson } from "../../../test/support/records.js";
import { actionScope, grantScope } from "./grant-scope.js";
import { parsePolicyDocument } from "./policy-document.js";

/** Red team (round 14): grants an attacker would like rated low ("narrow", not paged). */

function scope(statements: Record<string, unknown>[]) {
  const parsed = parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
  if (!parsed.ok) throw new Error(parsed.reason);
  return grantScope(parsed.document);
}

describe("red team 14: narrow grants", () => {
  it("held: dangerous actions hidden in patterns, case, service wildcards and NotAction are never narrow", () => {
    const wide = [
      "iam:PassRole",
      "IAM:passrole",
      "iam:Pass*",
      "iam:*Role",
      "iam:?assRole",
      "ssm:StartSession",
      "ssm:SendCommand",
      "lambda:InvokeFunction",
      "sts:AssumeRole",
      "sts:Get*",
      "sts:GetSession*",
      "ec2:Get*",
      "ec2:GetP*",
      "ec2:Describe?*",
      "ec2:DescribeInstanceAttr*",
      "ssm:Get*",
      "ssm:GetParam?ter",
      "s3:Get*",
      "s3:List*",
      "lambda:Get*",
      "lambda:GetFunction*",
      "secretsmanager:Get*",
      "*:Describe*",
      "ec?:Describe*",
      "ec2 :Describe*",
      " ec2:Describe*",
      "ec2:Describe*\u0000",
      "logs:Create*",
      "logs:FilterLogEvents",
      "cloudtrail:LookupEvents",
      "dynamodb:Get*",
      "dynamodb:Scan",
      "kms:Decrypt",
      "ecr:Get*",
      "ecr:BatchGetImage",
      `ec2:Describe${"*".repeat(300)}`,
    ];
    for (const pattern of wide) expect(actionScope(pattern).kind, pattern).toBe("wide");
    expect(scope([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]).narrow).toBe(false);
    expect(scope([{ Effect: "Allow", Action: ["ec2:DescribeInstances", "iam:PassRole"], Resource: "*" }]).narrow).toBe(false);
    // A narrow statement with a wide one hidden in a second statement.
    expect(scope([{ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }, { Effect: "Allow", Action: "ssm:SendCommand", Resource: "*" }]).narrow).toBe(false);
  });

  it("attaching the SSM agent's policy to a role nobody shows is an instance's role is not rated low", () => {
    // AmazonSSMManagedInstanceCore reads every SSM parameter (SecureString values decrypted with
    // the aws/ssm key) and opens the agent's message channels. The rule rates it low on any role
    // (rolesOnly only looks at the event name), so attaching it to a role the attacker can
    // assume (a break-glass or cross-account role) hands them every parameter without a page.
    const finding = findingOf(
      eventBridge(iamCall("AttachRolePolicy", { roleName: "OrganizationAccountAccessRole", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" })),
      "managed-policy-attached",
    );
    expect(finding.severity).not.toBe("low");
  });

  it("held: the narrow policies' names in another case, path or account are not vouched for", () => {
    for (const policyArn of [
      "arn:aws:iam::aws:policy/service-role/awslambdabasicexecutionrole",
      "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
      "arn:aws:iam::111122223333:policy/service-role/AWSLambdaBasicExecutionRole",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole/../../AdministratorAccess",
    ]) {
      const finding = findingOf(eventBridge(iamCall("AttachRolePolicy", { roleName: "app", policyArn })), "managed-policy-attached");
      expect(finding.severity, policyArn).not.toBe("low");
    }
  });

  it("held: an inline grant that reads every SSM parameter is not low", () => {
    const finding = findingOf(
      eventBridge(iamCall("PutRolePolicy", { roleName: "app", policyName: "p", policyDocument: policyJson({ Effect: "Allow", Action: ["ssm:DescribeParameters", "ssm:GetParametersByPath"], Resource: "*" }) })),
      "policy-document-grant",
    );
    expect(finding.severity).not.toBe("low");
  });
});
