import { isPlainObject } from "../cloudtrail/record.js";

/**
 * One parser for every IAM policy document CloudTrail shows: identity policies and trust
 * policies, as a JSON string, a URL-encoded JSON string (responseElements), or an object;
 * Statement as one object or a list; Action/NotAction/Resource/NotResource/Principal values as a
 * string or a list. Statements are normalised so the analysers never branch on shape.
 */
export interface PrincipalSet {
  /** Principal "*" or {"AWS": "*"}: anyone. */
  readonly anyone: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[];
  readonly notResources: readonly string[] | undefined;
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: PrincipalSet | undefined;
  /** operator -> condition key (lower-cased, IAM keys are case-insensitive) -> values. */
  readonly conditions: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

export interface PolicyDocument {
  readonly statements: readonly PolicyStatement[];
  /** Length of the document as recorded (characters), for reports. */
  readonly size: number;
  /** The decoded JSON, for showing the on-call exactly what was granted. */
  readonly json: Record<string, unknown>;
}

export type PolicyParseResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly reason: string };

export function parsePolicyDocument(input: unknown): PolicyParseResult {
  let value: unknown = input;
  let size = 0;
  if (typeof input === "string") {
    size = input.length;
    const text = decodeIfUrlEncoded(input.trim());
    if (text === undefined) return { ok: false, reason: "policy document has invalid URL encoding" };
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, reason: "policy document is not valid JSON" };
    }
    // JSON.parse keeps the last of two equal keys; another reader may keep the first. A document
    // that says "Effect": "Allow" and "Effect": "Deny" must not be read one way here and another
    // way by IAM.
    const repeated = repeatedKey(text);
    if (repeated !== undefined) return { ok: false, reason: `policy document repeats the key ${JSON.stringify(repeated.slice(0, 64))} in one object, so readers may disagree on it` };
  } else {
    size = safeLength(input);
  }
  if (!isPlainObject(value)) return { ok: false, reason: "policy document is not a JSON object" };
  const rawStatements = value.Statement;
  if (rawStatements === undefined) return { ok: false, reason: "policy document has no Statement" };
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements: PolicyStatement[] = [];
  for (const [index, raw] of list.entries()) {
    const statement = parseStatement(raw);
    if (typeof statement === "string") return { ok: false, reason: `Statement[${index}]: ${statement}` };
    statements.push(statement);
  }
  return { ok: true, document: { statements, size, json: value } };
}

/**
 * The first key that occurs twice in one object of a valid JSON text, or undefined. One linear
 * pass over the text (strings skipped with their escapes), a key set per open object.
 */
export function repeatedKey(text: string): string | undefined {
  const objects: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const keys = objects[objects.length - 1];
        if (keys?.has(key)) return key;
        keys?.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === "{") {
      objects.push(new Set());
      expectKey = true;
    } else if (c === "[") {
      objects.push(undefined);
    } else if (c === "}" || c === "]") {
      objects.pop();
    } else if (c === ",") {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return undefined;
}

function decodeIfUrlEncoded(text: string): string | undefined {
  if (text.startsWith("{") || !/%[0-9A-Fa-f]{2}/.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    return undefined;
  }
}

function safeLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

function parseStatement(raw: unknown): PolicyStatement | string {
  if (!isPlainObject(raw)) return "statement is not an object";
  const effect = raw.Effect;
  if (effect !== "Allow" && effect !== "Deny") return `Effect must be "Allow" or "Deny"`;
  const actions = stringList(raw.Action);
  const notActions = raw.NotAction === undefined ? undefined : stringList(raw.NotAction);
  const resources = stringList(raw.Resource);
  const notResources = raw.NotResource === undefined ? undefined : stringList(raw.NotResource);
  if (actions === null || notActions === null) return "Action/NotAction must be a string or a list of strings";
  if (resources === null || notResources === null) return "Resource/NotResource must be a string or a list of strings";
  const principal = raw.Principal === undefined ? undefined : principalSet(raw.Principal);
  const notPrincipal = raw.NotPrincipal === undefined ? undefined : principalSet(raw.NotPrincipal);
  if (principal === null || notPrincipal === null) return "Principal must be \"*\" or an object of strings or lists";
  const conditions = conditionMap(raw.Condition);
  if (conditions === null) return "Condition must be an object of objects, each condition key once (keys are case-insensitive)";
  return {
    sid: typeof raw.Sid === "string" ? raw.Sid : undefined,
    effect,
    actions,
    notActions,
    resources,
    notResources,
    principal,
    notPrincipal,
    conditions,
  };
}

/** undefined -> [], string -> [string], list of strings -> list; anything else -> null (invalid). */
function stringList(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  return null;
}

function principalSet(value: unknown): PrincipalSet | null {
  if (value === "*") return { anyone: true, aws: [], service: [], federated: [], canonicalUser: [] };
  if (!isPlainObject(value)) return null;
  const aws = stringList(value.AWS);
  const service = stringList(value.Service);
  const federated = stringList(value.Federated);
  const canonicalUser = stringList(value.CanonicalUser);
  if (aws === null || service === null || federated === null || canonicalUser === null) return null;
  return { anyone: aws.includes("*"), aws, service, federated, canonicalUser };
}

function conditionMap(value: unknown): Map<string, Map<string, string[]>> | null {
  const result = new Map<string, Map<string, string[]>>();
  if (value === undefined) return result;
  if (!isPlainObject(value)) return null;
  for (const [operator, block] of Object.entries(value)) {
    if (!isPlainObject(block)) return null;
    const keys = new Map<string, string[]>();
    for (const [key, raw] of Object.entries(block)) {
      // Condition keys are ASCII; lower-casing a look-alike (the Kelvin sign) must not turn it into a real key.
      if (!/^[\x21-\x7e]+$/.test(key)) return null;
      const list = Array.isArray(raw) ? raw : [raw];
      if (!list.every((value) => typeof value === "string" || typeof value === "number" || typeof value === "boolean")) return null;
      const values = list.map(String);
      // Condition keys are case-insensitive: "aws:TokenIssueTime" and "AWS:TokenIssueTime" are one
      // key tested twice, which this map could not represent. Refuse rather than keep one.
      if (keys.has(key.toLowerCase())) return null;
      keys.set(key.toLowerCase(), values);
    }
    result.set(operator, keys);
  }
  return result;
}

/** Every condition key used by a statement, lower-cased, across operators. */
export function conditionKeys(statement: PolicyStatement): Set<string> {
  const keys = new Set<string>();
  for (const block of statement.conditions.values()) for (const key of block.keys()) keys.add(key);
  return keys;
}

/** Values of a condition key under any operator (StringEquals, StringLike, ForAnyValue:…). */
export function conditionValues(statement: PolicyStatement, key: string): string[] {
  const wanted = key.toLowerCase();
  const values: string[] = [];
  for (const block of statement.conditions.values()) values.push(...(block.get(wanted) ?? []));
  return values;
}

/**
 * IAM wildcard match: `*` any run, `?` one character. Patterns come from attacker-written policy
 * documents, so this is the classic two-pointer matcher (O(pattern × value) at worst) rather
 * than a regular expression that a pattern like "*a*a*a*a*…" could make backtrack for ever.
 * Action names compare case-insensitively, as IAM evaluates them; ARNs case-sensitively.
 */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = true): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      starAt = pi++;
      resumeAt = vi;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      vi = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
