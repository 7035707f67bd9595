import * as fs from "fs";
import * as path from "path";

/**
 * A clone on a user's machine has only the repository: code, tests and scripts must not reach
 * into a folder beside it (the team's shared reference folder above all).
 */
const ROOT = path.resolve(__dirname, "..");
// .ci/run names the shared folder only to prove the copy it tests has none beside it.
const SKIPPED_DIRS = new Set(["node_modules", ".git", ".ci", "dist", "coverage"]);
const CODE = /\.(ts|tsx|js|cjs|mjs|json|ya?ml|sh)$/;

/**
 * Lines of `text` (the file `file`) that name a path leaving the repository towards a `shared`
 * folder. A relative path is resolved from the file's folder: the local cloud's own `shared`
 * module folder (local/shared, two folders up from a service) is inside the repository.
 */
export function pathsOutsideRepository(text: string, file = path.join(ROOT, "tests", "example.ts")): string[] {
  const outside = (climb: string) => {
    const relative = path.relative(ROOT, path.resolve(path.dirname(file), climb));
    return relative.startsWith("..") || path.isAbsolute(relative);
  };
  return text.split("\n").filter((line) => [...line.matchAll(/((?:\.\.[\\/])+)shared\b/g)].some((match) => outside(match[1].replace(/\\/g, "/"))));
}

function codeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : codeFiles(full);
    return CODE.test(entry.name) ? [full] : [];
  });
}

describe("the repository is self-contained", () => {
  test("the check fires on a path that leaves the repository", () => {
    // Assembled, so that this file's own text holds no such path for the repository's other guards.
    const outside = ["..", "..", "shared", "eventbridge-patterns"].join("/");
    expect(pathsOutsideRepository(`const DATA = path.resolve(__dirname, "${outside}");`)).toHaveLength(1);
    expect(pathsOutsideRepository('import { x } from "../components/shared-grants";')).toHaveLength(0);
    // The local cloud's shared modules are inside the repository; a climb past its root is not.
    const service = path.join(ROOT, "local", "services", "lambda", "operations.ts");
    expect(pathsOutsideRepository('import { operation } from "' + ["..", "..", "shared", "operation"].join("/") + '";', service)).toHaveLength(0);
    expect(pathsOutsideRepository('const DATA = "' + ["..", "..", "..", "..", "shared"].join("/") + '/x";', service)).toHaveLength(1);
  });

  test("no code, test, script or config file refers to the shared folder beside the repository", () => {
    const offenders = codeFiles(ROOT).flatMap((file) => pathsOutsideRepository(fs.readFileSync(file, "utf8"), file).map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });
});
