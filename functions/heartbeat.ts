import { IAMClient } from "@aws-sdk/client-iam";
import { beat } from "../shared/edges/aws/heartbeat.js";

/** Scheduled: the end-to-end canary (see shared/edges/aws/heartbeat.ts). A failure fails the invocation, visibly. */
const iam = new IAMClient({ region: process.env.AWS_REGION ?? "us-east-1", maxAttempts: 5 });

export const handler = async () => beat(iam, process.env.TRAILGUARD_HEARTBEAT_ROLE, () => new Date());
