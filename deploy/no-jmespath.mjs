// Lambda bundles only: replaces @aws-lambda-powertools/jmespath (~22 KiB), which Powertools
// Idempotency imports but trailguard never asks to evaluate: the idempotency key is the payload
// itself (shared/edges/aws/idempotency.ts sets no eventKeyJmesPath and no payload validation).
// Wired by `alias` in serverless.yml; local runs and tests use the real package. Should a future
// Powertools call it anyway, it fails loudly rather than keying a step on nothing.
export function search(expression) {
  throw new Error(`JMESPath is not bundled into trailguard's functions (asked to evaluate ${JSON.stringify(String(expression))})`);
}

/** IdempotencyConfig builds one as its default custom functions; it is never called. */
export class PowertoolsFunctions {}
export class Functions {}
