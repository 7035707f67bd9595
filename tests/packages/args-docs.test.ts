import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Every property of a public `*Args` / `*Options` interface (exported from a package's entry point)
 * has a doc comment that says what happens when it is left out: an optional property states its
 * default (`Default: …`, `defaults to …`, an `@default` tag, or `No default.`), a required one says
 * `Required.`. A user reading the hover text of an argument must not have to read the component.
 */
const ROOT = path.resolve(__dirname, "../..");
/** The packages whose public arguments are documented, by entry point (their package.json "main"). */
const ENTRIES = ["components/index.ts", "local/index.ts", "policy/checks.ts", "event-pattern/index.ts"];
const PUBLIC_INTERFACE = /(Args|Options)$/;
const STATES_DEFAULT = /\bdefault:|\bdefaults to\b|\bno default\b/i;
const STATES_REQUIRED = /\bRequired\./;

/** What is wrong with one property's documentation, or undefined. */
export function propertyDocProblem(property: ts.Symbol, checker: ts.TypeChecker): string | undefined {
  const text = ts.displayPartsToString(property.getDocumentationComment(checker)).trim();
  const tags = property.getJsDocTags(checker);
  if (!text && tags.length === 0) return "has no doc comment";
  const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
  if (optional) {
    const hasDefault = STATES_DEFAULT.test(text) || tags.some((tag) => tag.name === "default" || tag.name === "defaultValue");
    return hasDefault ? undefined : "is optional but its doc comment states no default (`Default: …` or `No default.`)";
  }
  return STATES_REQUIRED.test(text) ? undefined : "is required but its doc comment does not say `Required.`";
}

/**
 * Problems of the `*Args` / `*Options` interfaces exported by `entries`: one line per property,
 * `<Interface>.<property> (<file>): <problem>`. Inherited properties are checked where declared,
 * if that is one of the program's own files (not a dependency's).
 */
export function argsDocProblems(program: ts.Program, entries: string[]): string[] {
  const checker = program.getTypeChecker();
  const problems = new Set<string>();
  for (const entry of entries) {
    const source = program.getSourceFile(entry);
    if (!source) throw new Error(`${entry} is not part of the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!PUBLIC_INTERFACE.test(exported.name) || !(symbol.flags & ts.SymbolFlags.Interface)) continue;
      for (const property of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
        const declaration = property.declarations?.[0];
        if (!declaration || declaration.getSourceFile().fileName.includes("/node_modules/")) continue;
        const problem = propertyDocProblem(property, checker);
        const file = path.relative(ROOT, declaration.getSourceFile().fileName);
        if (problem) problems.add(`${exported.name}.${property.name} (${file}): ${problem}`);
      }
    }
  }
  return [...problems].sort();
}

/** A program over in-memory files, for the fixtures. */
function programOf(files: Record<string, string>): ts.Program {
  const options: ts.CompilerOptions = { noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = (name: string) => files[name];
  return ts.createProgram(Object.keys(files), options, {
    ...host,
    fileExists: (name) => name in files,
    directoryExists: () => true,
    realpath: (name) => name,
    getCurrentDirectory: () => ROOT,
    readFile: read,
    getSourceFile: (name, language) => {
      const text = read(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, language);
    },
  });
}

/** The packages' own sources: every module of the entry points' folders, dependencies unresolved. */
function packagesProgram(): ts.Program {
  const files = ENTRIES.flatMap((entry) => {
    const folder = path.join(ROOT, path.dirname(entry));
    return fs
      .readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.split(path.sep).some((part) => part === "node_modules" || part === "dist"))
      .map((file) => path.join(folder, file));
  });
  // Only the packages' own declarations matter: not following imports into dependencies keeps this fast.
  return ts.createProgram(files, { noResolve: true, noLib: true, types: [], skipLibCheck: true });
}

describe("public argument documentation", () => {
  it("names a property without a doc comment, without a default, and a required one not marked required", () => {
    const fixture = programOf({
      [path.join(ROOT, "fixture/widget.ts")]: `
        export interface WidgetArgs {
          /** The widget's name. Required. */
          name: string;
          /** Colour of the widget (default: blue). */
          colour?: string;
          size?: number;
          /** Number of wheels. */
          wheels?: number;
          /** Label printed on the widget. */
          label: string;
        }
        export interface GadgetOptions extends WidgetArgs {
          /** @default 3 */
          knobs?: number;
        }
        /** Not an argument interface: not checked. */
        export interface Widget { size?: number }
      `,
      [path.join(ROOT, "fixture/index.ts")]: `export * from "./widget";`,
    });
    expect(argsDocProblems(fixture, [path.join(ROOT, "fixture/index.ts")])).toEqual([
      "GadgetOptions.label (fixture/widget.ts): is required but its doc comment does not say `Required.`",
      "GadgetOptions.size (fixture/widget.ts): has no doc comment",
      "GadgetOptions.wheels (fixture/widget.ts): is optional but its doc comment states no default (`Default: …` or `No default.`)",
      "WidgetArgs.label (fixture/widget.ts): is required but its doc comment does not say `Required.`",
      "WidgetArgs.size (fixture/widget.ts): has no doc comment",
      "WidgetArgs.wheels (fixture/widget.ts): is optional but its doc comment states no default (`Default: …` or `No default.`)",
    ]);
  });

  let program: ts.Program;
  beforeAll(() => {
    program = packagesProgram();
  });

  it("finds every public *Args / *Options interface of the packages", () => {
    const checked = new Set<string>();
    const checker = program.getTypeChecker();
    for (const entry of ENTRIES) {
      const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, entry))!)!;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) if (PUBLIC_INTERFACE.test(exported.name)) checked.add(exported.name);
    }
    // A sample: if re-exports stopped resolving, the check below would pass on nothing.
    expect([...checked]).toEqual(expect.arrayContaining(["EventBusArgs", "QueueArgs", "BundledFunctionArgs", "LocalCloudOptions", "DeployOptions"]));
  });

  it("every property of the packages' public *Args / *Options interfaces states its default", () => {
    expect(argsDocProblems(program, ENTRIES.map((entry) => path.join(ROOT, entry)))).toEqual([]);
  });
});
