import { iamPrincipalArn, parseIamRoleArn } from "../arn/arn.js";
import type { OwnResources } from "./own-resources.js";

/**
 * What trailguard knows about itself: the roles it runs as (exact ARNs from the stack), the role
 * it assumes in member accounts, and its resources. Rules read this to tell trailguard's own
 * containment from someone using its identity or tampering with it.
 */
export interface SelfKnowledge {
  /** trailguard's roles in its own account (the stack's function roles). */
  readonly roleArns: readonly string[];
  /** The role trailguard assumes in each managed account. */
  readonly memberRoleName: string;
  readonly managedAccounts: readonly string[];
  readonly resources: OwnResources;
  /** The roles whose duty is containment (the responder); empty: any of trailguard's roles. */
  readonly containmentRoleArns: readonly string[];
  /** The roles whose duty is the heartbeat; empty: any of trailguard's roles. */
  readonly heartbeatRoleArns: readonly string[];
}

/** May this role make this kind of own move? The member role's only duty is containment. */
export function dutyAllows(self: SelfKnowledge, roleArn: string, move: "containment" | "heartbeat"): boolean {
  if (roleNameOf(roleArn) === self.memberRoleName && !self.roleArns.includes(roleArn)) return move === "containment";
  const duty = move === "containment" ? self.containmentRoleArns : self.heartbeatRoleArns;
  return duty.length === 0 || duty.includes(roleArn);
}

/** Every role ARN that is trailguard: its own roles plus the member role in each managed account. */
export function trailguardRoleArns(self: Pick<SelfKnowledge, "roleArns" | "memberRoleName" | "managedAccounts">): string[] {
  // Member accounts live in the partition trailguard runs in (GovCloud, China, ISO…): the one its own roles name.
  const partitions = [...new Set(self.roleArns.flatMap((arn) => parseIamRoleArn(arn)?.partition ?? []))];
  const memberPartitions = partitions.length > 0 ? partitions : ["aws"];
  const memberRoles = self.managedAccounts.flatMap((account) => memberPartitions.map((partition) => iamPrincipalArn({ partition, account, kind: "role", name: self.memberRoleName })));
  return [...self.roleArns, ...memberRoles];
}

/** The role name of a role ARN (without its path). */
export function roleNameOf(roleArn: string): string | undefined {
  return parseIamRoleArn(roleArn)?.name;
}

/**
 * The session name trailguard's own code runs under: Lambda names an execution role's session
 * after the function (and the stack names each role after its function); the responder assumes
 * the member role as MEMBER_SESSION_NAME. A session of the same role under another name is not
 * trailguard's code (the role passed to other compute, or assumed through a loosened trust).
 */
export const MEMBER_SESSION_NAME = "trailguard-response";

export function expectedSessionName(roleName: string, self: Pick<SelfKnowledge, "memberRoleName">): string {
  return roleName === self.memberRoleName ? MEMBER_SESSION_NAME : roleName;
}

/** The tag the heartbeat canary writes on its own role: the one change trailguard makes to itself. */
export const HEARTBEAT_TAG_KEY = "trailguard-heartbeat";
