/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Every test stops the local clouds it starts (worker threads, endpoint sockets). In CI, a stray
  // handle must still not keep a finished run waiting until the job's time limit.
  forceExit: process.env.CI === "true",
};
