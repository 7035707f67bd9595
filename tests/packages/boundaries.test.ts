import * as fs from "fs";
import * as path from "path";

/**
 * The packages of this repository (npm workspaces) meet only by package name: no module reaches
 * into another package's folder by a relative path, each package declares the packages it imports,
 * and the packages do not depend on each other in a cycle. tests/ is the packages' shared test
 * suite and may reach their internals.
 */
const ROOT = path.resolve(__dirname, "../..");
const WORKSPACES: string[] = require(path.join(ROOT, "package.json")).workspaces;
const SKIPPED = new Set(["node_modules", "dist", ".git", "tests", "coverage", ".build", "scratch"]);

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The package folder (relative to the root; "" for the root package) a file belongs to. */
export function owner(file: string, workspaces: string[]): string {
  const relative = path.relative(ROOT, file);
  return workspaces.filter((w) => relative === w || relative.startsWith(w + path.sep)).sort((a, b) => b.length - a.length)[0] ?? "";
}

/** Import specifiers of a module: `from "x"`, `require("x")`, `import("x")`. */
export function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
}

/** Problems of one file: relative imports into another package, package imports it does not declare. */
export function boundaryProblems(file: string, text: string, workspaces: string[], manifests: Map<string, Manifest>): string[] {
  const from = owner(file, workspaces);
  const declared = manifests.get(from)!;
  const known = new Set([...manifests.values()].map((m) => m.name));
  const problems: string[] = [];
  for (const specifier of specifiers(text)) {
    if (specifier.startsWith(".")) {
      const to = owner(path.resolve(path.dirname(file), specifier), workspaces);
      if (to !== from) problems.push(`${path.relative(ROOT, file)}: imports ${specifier}, inside ${to || "the root package"}: import ${manifests.get(to)!.name} by name`);
    } else {
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
      if (known.has(name) && name !== declared.name && !declared.dependencies?.[name] && !declared.peerDependencies?.[name] && !declared.devDependencies?.[name]) {
        problems.push(`${path.relative(ROOT, file)}: imports ${name}, which ${declared.name} does not declare`);
      }
    }
  }
  return problems;
}

/** A cycle among the packages' dependencies on each other, or undefined. */
export function dependencyCycle(manifests: Manifest[]): string[] | undefined {
  const byName = new Map(manifests.map((m) => [m.name, m]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (state.get(name) === "visiting") return [...trail.slice(trail.indexOf(name)), name];
    if (state.get(name) === "done") return undefined;
    state.set(name, "visiting");
    const m = byName.get(name)!;
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies }).filter((d) => byName.has(d))) {
      const cycle = visit(dep, [...trail, name]);
      if (cycle) return cycle;
    }
    state.set(name, "done");
    return undefined;
  };
  for (const m of manifests) {
    const cycle = visit(m.name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|cjs|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

const readManifest = (folder: string): Manifest => JSON.parse(fs.readFileSync(path.join(ROOT, folder, "package.json"), "utf8"));
const MANIFESTS = new Map<string, Manifest>([["", readManifest("")], ...WORKSPACES.map((w) => [w, readManifest(w)] as [string, Manifest])]);

describe("package boundaries", () => {
  test("the checks fire: a relative import into another package, an undeclared package, a cycle", () => {
    const manifests = new Map<string, Manifest>([
      ["", { name: "root" }],
      ["components", { name: "@x/components", dependencies: { "@x/event-pattern": "1" } }],
      ["event-pattern", { name: "@x/event-pattern" }],
    ]);
    const file = path.join(ROOT, "components", "route.ts");
    expect(boundaryProblems(file, 'import { a } from "../event-pattern/match";', ["components", "event-pattern"], manifests)).toEqual([
      "components/route.ts: imports ../event-pattern/match, inside event-pattern: import @x/event-pattern by name",
    ]);
    expect(boundaryProblems(path.join(ROOT, "event-pattern", "a.ts"), 'const c = require("@x/components");', ["components", "event-pattern"], manifests)).toEqual([
      "event-pattern/a.ts: imports @x/components, which @x/event-pattern does not declare",
    ]);
    expect(boundaryProblems(file, 'import { a } from "./bus"; import { b } from "@x/event-pattern";', ["components", "event-pattern"], manifests)).toEqual([]);
    expect(dependencyCycle([{ name: "a", dependencies: { b: "1" } }, { name: "b", peerDependencies: { a: "1" } }])).toEqual(["a", "b", "a"]);
    expect(dependencyCycle([{ name: "a", dependencies: { b: "1" } }, { name: "b" }])).toBeUndefined();
  });

  test("every package's modules import other packages by name, and only packages they declare", () => {
    const problems = sourceFiles(ROOT).flatMap((file) => boundaryProblems(file, fs.readFileSync(file, "utf8"), WORKSPACES, MANIFESTS));
    expect(problems).toEqual([]);
  });

  test("the packages depend on each other without a cycle", () => {
    expect(dependencyCycle([...MANIFESTS.values()])).toBeUndefined();
  });

  test("aws-model, what AWS decides (IAM, limits), is shared by the library, the checks and the local cloud, and depends on none of them", () => {
    const awsModel = MANIFESTS.get("aws-model");
    expect(awsModel?.name).toBe("@event-routes/aws-model");
    const ours = new Set([...MANIFESTS.values()].map((m) => m.name));
    expect(Object.keys({ ...awsModel?.dependencies, ...awsModel?.peerDependencies }).filter((d) => ours.has(d))).toEqual([]);
    for (const user of ["components", "policy", "local"]) expect(MANIFESTS.get(user)?.dependencies?.["@event-routes/aws-model"]).toBeDefined();
  });
});
