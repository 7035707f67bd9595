// Lint: the recommended rules of ESLint and typescript-eslint, without type information (fast;
// `tsc --strict` checks the types). `npm run lint`; `npm test` runs it after the type check.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const node = { require: "readonly", module: "writable", process: "readonly", Buffer: "readonly", __dirname: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly" };

export default tseslint.config(
  { ignores: ["node_modules/", "**/dist/", ".build/", "scratch/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks what a destructuring leaves out on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // Tests build untyped JSON (wire requests, resource inputs) to send. The local cloud types
    // what it reads: requests are checked against their shapes (local/shared/operation.ts).
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests load programs and modules afresh with require() (jest.isolateModules, Pulumi mocks).
    files: ["tests/**/*.ts", "examples/**/*.test.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.cjs", "**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
