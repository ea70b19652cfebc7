/**
 * The rehearsal's one safety check (`npm run rehearse`, scripts/rehearse.ts): it seeds IAM
 * principals and runs the responder in enforce mode, so it must only ever talk to a local AWS
 * API (moto_server). Everything the AWS SDK would use to choose an endpoint is checked here,
 * before any client is built: the global `AWS_ENDPOINT_URL`, the per-service
 * `AWS_ENDPOINT_URL_<SERVICE>` variables (they win over the global one), and
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (which would send every call to real AWS).
 */
export type RehearsalEndpoint = { readonly endpoint: string } | { readonly problem: string };

const HINT = "start moto_server and point AWS_ENDPOINT_URL at it (see README: Rehearse against a local AWS API)";

export function rehearsalEndpoint(env: NodeJS.ProcessEnv): RehearsalEndpoint {
  const global = env.AWS_ENDPOINT_URL?.trim();
  if (!global) return { problem: `AWS_ENDPOINT_URL is not set: the rehearsal changes IAM and runs only against a local AWS API, never real AWS; ${HINT}` };
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase();
  if (ignore !== undefined && ignore !== "" && ignore !== "false") {
    return { problem: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=${env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} makes the AWS SDK ignore AWS_ENDPOINT_URL and call real AWS: unset it` };
  }
  const named = Object.keys(env)
    .filter((key) => key === "AWS_ENDPOINT_URL" || (key.startsWith("AWS_ENDPOINT_URL_") && env[key]?.trim()))
    .sort();
  for (const key of named) {
    const problem = notLocal(env[key]?.trim() ?? "");
    if (problem) return { problem: `${key}=${env[key]} ${problem}: the rehearsal changes IAM and runs only against a local AWS API, never real AWS; ${HINT}` };
  }
  return { endpoint: new URL(global).origin };
}

/** Why a URL is not a loopback http(s) endpoint, or undefined when it is. */
function notLocal(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "is not an http(s) URL";
  if (!isLoopback(url.hostname)) return `points at ${url.hostname}, not this machine (localhost, 127.0.0.1 or ::1)`;
  return undefined;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host === "[::1]") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}
