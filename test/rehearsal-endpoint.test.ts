import { describe, expect, it } from "vitest";
import { rehearsalEndpoint } from "../scripts/rehearsal-endpoint.js";

/** `npm run rehearse` seeds IAM and enforces: it must never reach real AWS, whatever the environment says. */
describe("the rehearsal's endpoint check", () => {
  it("accepts a local endpoint (moto_server on this machine)", () => {
    expect(rehearsalEndpoint({ AWS_ENDPOINT_URL: "http://127.0.0.1:5000" })).toEqual({ endpoint: "http://127.0.0.1:5000" });
    expect(rehearsalEndpoint({ AWS_ENDPOINT_URL: "http://localhost:5000/" })).toEqual({ endpoint: "http://localhost:5000" });
    expect(rehearsalEndpoint({ AWS_ENDPOINT_URL: "https://[::1]:4566" })).toEqual({ endpoint: "https://[::1]:4566" });
    expect(rehearsalEndpoint({ AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:5001", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" })).toEqual({
      endpoint: "http://127.0.0.1:5000",
    });
  });

  it.each([
    ["no endpoint: the SDK would call real AWS", {}, /AWS_ENDPOINT_URL is not set/],
    ["an empty endpoint", { AWS_ENDPOINT_URL: " " }, /AWS_ENDPOINT_URL is not set/],
    ["real AWS", { AWS_ENDPOINT_URL: "https://iam.amazonaws.com" }, /points at iam\.amazonaws\.com, not this machine/],
    ["another machine", { AWS_ENDPOINT_URL: "http://10.0.0.5:5000" }, /points at 10\.0\.0\.5/],
    ["a look-alike name", { AWS_ENDPOINT_URL: "http://127.0.0.1.example.com:5000" }, /not this machine/],
    ["a name under localhost (resolved by DNS, not always to this machine)", { AWS_ENDPOINT_URL: "http://moto.localhost:5000" }, /not this machine/],
    ["not a URL", { AWS_ENDPOINT_URL: "127.0.0.1:5000" }, /not (a URL|an http)/],
    ["a service endpoint elsewhere (it wins over the global one)", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_IAM: "https://iam.amazonaws.com" }, /AWS_ENDPOINT_URL_IAM=.* not this machine/],
    ["configured endpoints ignored", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, /AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true .* real AWS/],
  ])("refuses %s", (_label, env: NodeJS.ProcessEnv, problem) => {
    const checked = rehearsalEndpoint(env);
    expect(checked).toEqual({ problem: expect.stringMatching(problem) });
  });
});
