/** Two tiers: unit specs without I/O, integration specs against real Postgres (and Kafka). */
const transform = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }],
};
module.exports = {
  // Jest reads testTimeout only at the top level (a project's own is ignored): int tests get 120 s, not 5 s.
  testTimeout: 120000,
  // An integration test file holds up to about 30 Postgres connections at its peak (its services' pools): two
  // files at a time stay within a server's default max_connections (100), whatever the machine's core count.
  // A server that allows more can take more: `npx jest --maxWorkers=N`.
  maxWorkers: Math.max(1, Math.min(require("node:os").availableParallelism() - 1, 2)),
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/**/*.unit.test.ts"],
      transform,
      testEnvironment: "node",
    },
    {
      displayName: "int",
      testMatch: ["<rootDir>/test/**/*.int.test.ts"],
      transform,
      testEnvironment: "node",
      testTimeout: 120000,
      // Only when integration tests run: the Postgres server they use, started (embedded) if none is running.
      globalSetup: "<rootDir>/test/support/globalSetup.ts",
      globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
    },
  ],
};
