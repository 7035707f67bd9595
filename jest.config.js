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
  // The handlers' logger reads its environment when a handler module loads (tests/support/handler-env.ts).
  setupFiles: ["<rootDir>/tests/support/handler-env.ts"],
  // A test fails when a local cloud recorded a fault of its own during it (an emulator bug).
  setupFilesAfterEnv: ["<rootDir>/tests/support/emulator-faults.ts"],
  // Every test stops the local clouds it starts (worker threads, endpoint sockets), but on 2 cores
  // jest runs the files in its own process, and now and then a finished run was kept waiting by
  // esbuild's service process (seen locally and in a fresh clone, never reproduced alone). The
  // results are complete when jest would exit: a run that passed must not hang a user's terminal.
  forceExit: true,
};
