import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/**/*.test.ts", "test/**/*.test.ts", "functions/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/integration/moto-global-setup.ts"],
    // Child processes (test/support/bounded-process.ts) are killed when the test that started them ends.
    setupFiles: ["test/support/stop-children.ts"],
    env: {
      // The AWS SDK warns once per process that its releases after January 2027 need Node 22
      // (aws/aws-sdk-js-v3#7983 documents this switch). The Lambda functions run on nodejs22.x
      // (test/deploy/stack.test.ts holds them to it), so for the tests, run on the Node of the
      // machine, it is noise. Set here, it reaches the workers and the processes they start.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    // Powertools Idempotency is transformed like our own code, so a test can stand in for what
    // it imports (test/integration/idempotency-without-jmespath.int.test.ts replaces its JMESPath
    // engine by the Lambda bundles' stub and proves it is never called).
    server: { deps: { inline: [/@aws-lambda-powertools[\\/]idempotency/] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
