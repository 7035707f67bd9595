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
 * Lines of `text`, the content of `file`, that name a relative path leaving the repository towards
 * a `shared` folder. A path to a `shared` folder inside the repository (local/shared) is fine.
 */
export function pathsOutsideRepository(text: string, file: string): string[] {
  const leaves = (up: string) => {
    const relative = path.relative(ROOT, path.resolve(path.dirname(file), up, "shared"));
    return relative.startsWith("..") || path.isAbsolute(relative);
  };
  return text.split("\n").filter((line) => [...line.matchAll(/((?:\.\.[\\/])+)shared\b/g)].some((match) => leaves(match[1]!)));
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
    const script = path.join(ROOT, "scripts", "bench.ts");
    expect(pathsOutsideRepository(`const DATA = path.resolve(__dirname, "${outside}");`, script)).toHaveLength(1);
    expect(pathsOutsideRepository('import { x } from "../components/shared-grants";', script)).toHaveLength(0);
    // The same relative path from inside the local cloud reaches its own shared folder, in the repository.
    const xml = `import { escapeXml } from "${["..", "..", "shared", "xml"].join("/")}";`;
    expect(pathsOutsideRepository(xml, path.join(ROOT, "local", "services", "sqs", "query.ts"))).toHaveLength(0);
    expect(pathsOutsideRepository(xml, script)).toHaveLength(1);
  });

  test("no code, test, script or config file refers to the shared folder beside the repository", () => {
    const offenders = codeFiles(ROOT).flatMap((file) => pathsOutsideRepository(fs.readFileSync(file, "utf8"), file).map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });
});
