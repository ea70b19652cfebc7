import { type IAMClient, ListAccountAliasesCommand } from "@aws-sdk/client-iam";
import { isAccountId } from "../../core/arn/arn.js";

/**
 * An account's IAM alias, for the alert's subject when configuration names no account: read
 * with `iam:ListAccountAliases` in the responder's own account and the managed ones (through the
 * member role), kept for an hour; a failure (no permission, throttled) is remembered for five
 * minutes and the subject shows the account id alone. Never throws.
 */
export interface AccountAliasOptions {
  readonly iamFor: (account: string) => Promise<IAMClient>;
  readonly mayRead: (account: string) => Promise<boolean>;
  readonly now: () => Date;
}

const KEEP_MS = 60 * 60 * 1000;
const KEEP_FAILURE_MS = 5 * 60 * 1000;
/** IAM's alias format: what is shown must be what IAM could hold, not whatever an answer said. */
const ALIAS = /^[a-z0-9](([a-z0-9]|-(?!-)){1,61}[a-z0-9])?$/;

export function accountAliases(options: AccountAliasOptions): (account: string) => Promise<string | undefined> {
  const known = new Map<string, { alias: string | undefined; until: number }>();
  return async (account) => {
    if (!isAccountId(account)) return undefined;
    const now = options.now().getTime();
    const cached = known.get(account);
    if (cached && cached.until > now) return cached.alias;
    let alias: string | undefined;
    let keep = KEEP_MS;
    try {
      if (await options.mayRead(account)) {
        const answer = await (await options.iamFor(account)).send(new ListAccountAliasesCommand({}));
        const first = answer.AccountAliases?.[0];
        alias = first !== undefined && ALIAS.test(first) ? first : undefined;
      }
    } catch {
      keep = KEEP_FAILURE_MS;
    }
    known.set(account, { alias, until: now + keep });
    return alias;
  };
}
