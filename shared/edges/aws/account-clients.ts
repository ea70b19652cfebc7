import { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { iamPrincipalArn, parseArn } from "../../core/arn/arn.js";
import { MEMBER_SESSION_NAME } from "../../core/self/self-knowledge.js";

/**
 * IAM clients per account. The responder's own account uses its own credentials; a managed
 * member account is reached through `memberRoleName`, assumed with STS and cached until shortly
 * before the credentials expire. Endpoints follow AWS_ENDPOINT_URL (moto_server in tests).
 * Throttling and 5xx are retried by the SDK's standard strategy (up to `maxAttempts`).
 */
export interface AccountClients {
  /** The account and role the responder runs as (GetCallerIdentity, asked once). */
  self(): Promise<{ account: string; arn: string }>;
  iamFor(account: string): Promise<IAMClient>;
}

export interface AccountClientsOptions {
  readonly region: string;
  readonly memberRoleName: string;
  readonly maxAttempts?: number;
  readonly now?: () => Date;
  /** For tests: build clients around a fake transport. */
  readonly clientConfig?: Record<string, unknown>;
}

const SESSION_NAME = MEMBER_SESSION_NAME;

export function createAccountClients(options: AccountClientsOptions): AccountClients {
  const now = options.now ?? (() => new Date());
  const base = { region: options.region, maxAttempts: options.maxAttempts ?? 5, ...options.clientConfig };
  const ownIam = new IAMClient(base);
  const sts = new STSClient(base);
  let identity: Promise<{ account: string; arn: string }> | undefined;
  const members = new Map<string, { client: IAMClient; expires: number }>();

  async function self() {
    identity ??= sts.send(new GetCallerIdentityCommand({})).then((answer) => {
      if (!answer.Account || !answer.Arn) throw new Error("GetCallerIdentity returned no account");
      return { account: answer.Account, arn: answer.Arn };
    });
    try {
      return await identity;
    } catch (error) {
      identity = undefined; // let the next call try again
      throw error;
    }
  }

  return {
    self,
    async iamFor(account) {
      const me = await self();
      if (account === me.account) return ownIam;
      const cached = members.get(account);
      if (cached && cached.expires > now().getTime() + 60_000) return cached.client;
      const partition = parseArn(me.arn)?.partition ?? "aws";
      const answer = await sts.send(
        new AssumeRoleCommand({
          RoleArn: iamPrincipalArn({ partition, account, kind: "role", name: options.memberRoleName }),
          RoleSessionName: SESSION_NAME,
          DurationSeconds: 900,
        }),
      );
      const credentials = answer.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error("AssumeRole returned no credentials");
      const client = new IAMClient({
        ...base,
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
        },
      });
      members.set(account, { client, expires: credentials.Expiration?.getTime() ?? now().getTime() + 900_000 });
      return client;
    },
  };
}
