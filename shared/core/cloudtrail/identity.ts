import type { Actor } from "../model/finding.js";
import type { CloudTrailRecord } from "./record.js";

const ASSUMED_ROLE_ARN = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ROOT_ARN = /^arn:aws[\w-]*:iam::(\d{12}):root$/;
const USER_ARN = /^arn:aws[\w-]*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;
const FEDERATED_USER_ARN = /^arn:aws[\w-]*:sts::(\d{12}):federated-user\/(.+)$/;

/**
 * CloudTrail omits userIdentity.type on some records; the ARN still says what the caller was.
 * Only well-formed ARNs are used, so a crafted ARN cannot make a caller look like root.
 */
function inferTypeFromArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  if (isRootArn(arn)) return "Root";
  if (ASSUMED_ROLE_ARN.test(arn)) return "AssumedRole";
  if (USER_ARN.test(arn)) return "IAMUser";
  if (FEDERATED_USER_ARN.test(arn)) return "FederatedUser";
  return undefined;
}

export function isRootArn(arn: string): boolean {
  return ROOT_ARN.test(arn);
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
  const assumed = arn ? ASSUMED_ROLE_ARN.exec(arn) : null;

  let principalName: string | undefined;
  let sessionName: string | undefined;
  if (type === "Root") principalName = "root";
  else if (type === "IAMUser") principalName = identity?.userName ?? (arn ? USER_ARN.exec(arn)?.[2] : undefined);
  else if (type === "AssumedRole") {
    principalName = issuer?.userName ?? assumed?.[2];
    sessionName = assumed?.[3];
  } else if (type === "FederatedUser") {
    principalName = issuer?.userName ?? undefined;
    sessionName = arn ? FEDERATED_USER_ARN.exec(arn)?.[2] : undefined;
  } else principalName = identity?.userName ?? undefined;

  let mfa = parseMfa(identity?.sessionContext?.attributes?.mfaAuthenticated);
  const mfaUsed = record.additionalEventData?.MFAUsed;
  if (mfa === undefined && typeof mfaUsed === "string") mfa = mfaUsed === "Yes";

  return {
    type: type ?? undefined,
    arn,
    accountId: identity?.accountId ?? assumed?.[1] ?? undefined,
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
