import { parseAssumedRoleArn, parseFederatedUserArn, parseIamUserArn, parseRootArn } from "../arn/arn.js";
import type { Actor } from "../model/finding.js";
import type { CloudTrailRecord } from "./record.js";

/**
 * CloudTrail omits userIdentity.type on some records; the ARN still says what the caller was.
 * Only well-formed ARNs are used, so a crafted ARN cannot make a caller look like root.
 */
function inferTypeFromArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  if (isRootArn(arn)) return "Root";
  if (parseAssumedRoleArn(arn)) return "AssumedRole";
  if (parseIamUserArn(arn)) return "IAMUser";
  if (parseFederatedUserArn(arn)) return "FederatedUser";
  return undefined;
}

export function isRootArn(arn: string): boolean {
  return parseRootArn(arn) !== undefined;
}

function parseMfa(value: string | boolean | null | undefined): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

export function actorFromRecord(record: CloudTrailRecord): Actor {
  const identity = record.userIdentity ?? undefined;
  const arn = identity?.arn ?? undefined;
  const type = identity?.type ?? inferTypeFromArn(arn);
  const issuer = identity?.sessionContext?.sessionIssuer ?? undefined;
  const assumed = parseAssumedRoleArn(arn);

  let principalName: string | undefined;
  let sessionName: string | undefined;
  if (type === "Root") principalName = "root";
  else if (type === "IAMUser") principalName = identity?.userName ?? parseIamUserArn(arn)?.name;
  else if (type === "AssumedRole") {
    principalName = issuer?.userName ?? assumed?.roleName;
    sessionName = assumed?.sessionName;
  } else if (type === "FederatedUser") {
    principalName = issuer?.userName ?? undefined;
    sessionName = parseFederatedUserArn(arn)?.name;
  } else principalName = identity?.userName ?? undefined;

  let mfa = parseMfa(identity?.sessionContext?.attributes?.mfaAuthenticated);
  const mfaUsed = record.additionalEventData?.MFAUsed;
  if (mfa === undefined && typeof mfaUsed === "string") mfa = mfaUsed === "Yes";

  return {
    type: type ?? undefined,
    arn,
    accountId: identity?.accountId ?? assumed?.account ?? undefined,
    principalName,
    sessionIssuerArn: issuer?.arn ?? undefined,
    sessionIssuerType: issuer?.type ?? undefined,
    sessionName,
    accessKeyId: identity?.accessKeyId || undefined,
    mfaAuthenticated: mfa,
    invokedBy: identity?.invokedBy ?? undefined,
  };
}

export function isServiceLinkedRoleArn(arn: string | undefined): boolean {
  return arn !== undefined && arn.includes(":role/aws-service-role/");
}
