/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // The local cloud's own tests import its modules from source: the package name must load the same
  // copies (one LocalCloud class, one set of services). The other packages load from dist/, built by
  // \`npm test\` (\`npm run build:packages\`) before jest starts.
  moduleNameMapper: { "^@event-routes/local-cloud$": "<rootDir>/local/index.ts" },
  testTimeout: 60000,
  // Every test stops the local clouds it starts (worker threads, endpoint sockets). In CI, a stray
  // handle must still not keep a finished run waiting until the job's time limit.
  forceExit: process.env.CI === "true",
};
