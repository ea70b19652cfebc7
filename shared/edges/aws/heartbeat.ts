import { type IAMClient, TagRoleCommand } from "@aws-sdk/client-iam";
import { isIamName } from "../../core/arn/arn.js";
import { quoted } from "../../core/model/untrusted.js";
import { HEARTBEAT_TAG_KEY } from "../../core/self/self-knowledge.js";

/**
 * The heartbeat canary: tags its own role with the current time. That is a harmless, recognisable
 * management write: CloudTrail records it, EventBridge routes it to the tamper monitor (as a call
 * by trailguard's identity), which logs a heartbeat finding; an alarm pages when none arrived in
 * time. The role may tag only itself, and only with this key.
 */
export async function beat(iam: IAMClient, roleName: string | undefined, now: () => Date): Promise<{ roleName: string; time: string }> {
  if (!isIamName(roleName)) throw new Error(`heartbeat role name ${quoted(roleName)} is not an IAM role name (TRAILGUARD_HEARTBEAT_ROLE)`);
  const time = now().toISOString();
  await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: [{ Key: HEARTBEAT_TAG_KEY, Value: time }] }));
  return { roleName, time };
}
