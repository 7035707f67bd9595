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
 * Lines of `text` (in `file`) that name a relative path leaving the repository towards a `shared`
 * folder. The local cloud's own shared folder (local/shared/) is inside, so paths to it are fine.
 */
export function pathsOutsideRepository(text: string, file = path.join(ROOT, "tests", "fixture.ts")): string[] {
  return text.split("\n").filter((line) => [...line.matchAll(/((?:\.\.[/\\])+)shared\b/g)].some((match) => !insideRepository(path.resolve(path.dirname(file), match[1].replace(/\\/g, "/"), "shared"))));
}

function insideRepository(target: string): boolean {
  const relative = path.relative(ROOT, target);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
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
    const inside = ["..", "..", "shared", "timers"].join("/");
    expect(pathsOutsideRepository(`import { TimerHeap } from "${inside}";`, path.join(ROOT, "local", "services", "sqs", "queue.ts"))).toHaveLength(0);
    expect(pathsOutsideRepository(`import { TimerHeap } from "${inside}";`, path.join(ROOT, "local", "clock.ts"))).toHaveLength(1);
  });

  test("no code, test, script or config file refers to the shared folder beside the repository", () => {
    const offenders = codeFiles(ROOT).flatMap((file) => pathsOutsideRepository(fs.readFileSync(file, "utf8"), file).map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });
});
