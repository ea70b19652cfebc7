import * as z from "zod/mini";
import { parseSqsQueueUrl } from "../arn/arn.js";
import "../model/zod.js";

/**
 * trailguard's own resources, named by the stack that created them (TRAILGUARD_OWN_RESOURCES),
 * never guessed from a naming convention: a change to any of them is tampering with the watcher.
 * Roles are not listed here: they are the identities in `responderRoleArns` (and the member role).
 */
const names = z._default(z.array(z.string().check(z.minLength(1), z.maxLength(2048))), []);

const listedSchema = z.strictObject({
  /**
   * The stack's resource prefix (`<service>-<stage>`). When set, function, rule, table and alarm
   * names are given without it and log groups as function names: the stack writes them that way
   * to fit every name into Lambda's 4 KB of environment variables. Expanded when parsed.
   */
  prefix: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, "must be a stack resource prefix such as trailguard-prod"))),
  /** The CloudFormation stack. */
  stacks: names,
  /** Lambda function names. */
  functions: names,
  /** EventBridge rule names. */
  rules: names,
  /** SNS topic ARNs. */
  topics: names,
  /** KMS key ARNs. */
  keys: names,
  /** DynamoDB table names. */
  tables: names,
  /** SQS queue ARNs. */
  queues: names,
  /** CloudWatch alarm names. */
  alarms: names,
  /** CloudWatch Logs log group names. */
  logGroups: names,
});

type Listed = z.output<typeof listedSchema>;
export type OwnResources = Omit<Listed, "prefix">;

/** With a prefix, names are expanded to what AWS calls them; without one they are taken as given. */
function expand({ prefix, ...listed }: Listed): OwnResources {
  if (prefix === undefined) return listed;
  const named = (values: readonly string[]) => values.map((value) => `${prefix}-${value}`);
  return {
    ...listed,
    functions: named(listed.functions),
    rules: named(listed.rules),
    tables: named(listed.tables),
    alarms: named(listed.alarms),
    logGroups: listed.logGroups.map((value) => `/aws/lambda/${prefix}-${value}`),
  };
}

export const ownResourcesSchema = z.pipe(listedSchema, z.transform(expand));
export type OwnResourceKind = keyof OwnResources;

export const NO_OWN_RESOURCES: OwnResources = ownResourcesSchema.parse({});

/**
 * Does an identifier from an event name one of our resources? Events name resources in several
 * forms (a name, an ARN, a partial ARN, a queue URL, a key id): each kind is reduced to the
 * form the stack gives, compared exactly (case-sensitively, as AWS does for these names).
 */
export function namesOwnResource(resources: OwnResources, kind: OwnResourceKind, identifier: string): boolean {
  const listed = resources[kind];
  if (listed.length === 0) return false;
  switch (kind) {
    case "functions": {
      // "name", "name:qualifier", "account:function:name[:qualifier]", "arn:...:function:name[:qualifier]"
      const afterFunction = /(?:^|:)function:([^:]+)/.exec(identifier)?.[1];
      const name = afterFunction ?? identifier.split(":")[0] ?? identifier;
      return listed.includes(name);
    }
    case "rules": {
      // A rule name or ARN (arn:aws:events:region:account:rule/[bus/]name).
      const name = identifier.startsWith("arn:") ? identifier.slice(identifier.lastIndexOf("/") + 1) : identifier;
      return listed.includes(name);
    }
    case "topics":
      // A topic ARN, or a subscription ARN (the topic ARN followed by ":<id>").
      return listed.some((topic) => identifier === topic || identifier.startsWith(`${topic}:`));
    case "keys": {
      // A key ARN or a bare key id; an alias name ("alias/x") or alias ARN for the listed aliases.
      return listed.some((key) => identifier === key || key.endsWith(`:key/${identifier}`) || (key.startsWith("alias/") && identifier.endsWith(`:${key}`)));
    }
    case "tables": {
      const name = identifier.startsWith("arn:") ? identifier.slice(identifier.indexOf(":table/") + 7).split("/")[0] ?? "" : identifier;
      return listed.includes(name);
    }
    case "queues": {
      // A queue ARN or URL (https://sqs.<region>.amazonaws.com/<account>/<name>, or a legacy host).
      const url = parseSqsQueueUrl(identifier);
      return listed.some((arn) => {
        if (identifier === arn) return true;
        const parts = arn.split(":");
        return url !== undefined && parts[4] === url.account && parts[5] === url.name;
      });
    }
    case "stacks": {
      // A stack name or ARN (arn:aws:cloudformation:region:account:stack/name/id).
      const name = identifier.startsWith("arn:") ? identifier.split("/")[1] ?? "" : identifier;
      return listed.includes(name);
    }
    case "logGroups": {
      // A name or ARN (arn:aws:logs:<region>:<account>:log-group:<name>[:*]).
      const name = identifier.startsWith("arn:") ? (/:log-group:([^:]+)(?::\*)?$/.exec(identifier)?.[1] ?? "") : identifier;
      return listed.includes(name);
    }
    case "alarms":
      return listed.includes(identifier);
  }
}
