// Lambda bundles only: replaces @aws-sdk/credential-provider-node (the full chain of profiles,
// SSO, web identity and instance metadata, ~80 KB with its nested clients) by the one source a
// Lambda function ever has: the execution role's credentials in its environment variables.
// Wired by `alias` in serverless.yml; local runs and tests use the full chain.
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init) => fromEnv(init);
