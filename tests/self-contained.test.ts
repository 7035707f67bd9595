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
 * Lines of `text`, a file in `dir`, that name a path leaving the repository towards a `shared`
 * folder. A relative path that stays inside the repository (a folder of its own named so) is not one.
 */
export function pathsOutsideRepository(text: string, dir = ROOT): string[] {
  const leaves = (ups: string) => path.relative(ROOT, path.resolve(dir, ups.replace(/\\/g, "/"), "shared")).startsWith("..");
  return text.split("\n").filter((line) => [...line.matchAll(/((?:\.\.[/\\])+)shared\b/g)].some((match) => leaves(match[1])));
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
    // Resolved from the file that names it: two steps up from local/services/sqs stay inside the repository.
    const inside = ["..", "..", "shared", "xml"].join("/");
    expect(pathsOutsideRepository(`import { escapeXml } from "${inside}";`, path.join(ROOT, "local", "services", "sqs"))).toHaveLength(0);
    expect(pathsOutsideRepository(`import { escapeXml } from "${inside}";`, path.join(ROOT, "local"))).toHaveLength(1);
  });

  test("no code, test, script or config file refers to the shared folder beside the repository", () => {
    const offenders = codeFiles(ROOT).flatMap((file) => pathsOutsideRepository(fs.readFileSync(file, "utf8"), path.dirname(file)).map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });
});
