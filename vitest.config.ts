import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/**/*.test.ts", "test/**/*.test.ts", "functions/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/integration/moto-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
