/**
 * `npm run check -- --stack <name>`: the policy pack's rules over this program's stack, offline.
 * `npm run check -- --program <dir|file> [--stack <name>] [--config key=value ...]`: over any
 * Pulumi program. `--json` prints the findings as JSON. Exits 1 on any mandatory finding, 2 on bad
 * arguments or a program that cannot run.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { readStackConfig, runProgram } from "@event-routes/local-cloud";
import { checkProgram, Finding, RULES } from "./checks";

const USAGE = `usage: npm run check -- --stack <name> [--json]
       npm run check -- --program <folder with Pulumi.yaml | entry file> [--stack <name>] [--config key=value ...] [--json]`;

export interface CheckArguments {
  stack?: string;
  program?: string;
  config: Record<string, string>;
  json: boolean;
}

export class UsageError extends Error {}

export function parseArguments(argv: string[]): CheckArguments {
  const parsed: CheckArguments = { config: {}, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--stack":
        parsed.stack = value();
        break;
      case "--program":
        parsed.program = value();
        break;
      case "--config": {
        const pair = value();
        const at = pair.indexOf("=");
        if (at <= 0) throw new UsageError(`--config ${pair}: expected key=value`);
        parsed.config[pair.slice(0, at)] = pair.slice(at + 1);
        break;
      }
      case "--json":
        parsed.json = true;
        break;
      default:
        throw new UsageError(`unknown argument "${flag}"`);
    }
  }
  if (!parsed.stack && !parsed.program) throw new UsageError("pass --stack <name> (this program) or --program <path>");
  return parsed;
}

interface ProgramToRun {
  project: string;
  stack: string;
  entry: string;
  config: Record<string, string>;
}

/** Plain keys belong to the project's namespace, as in Pulumi's stack files. */
const qualify = (project: string, config: Record<string, string>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]));

/** Where the program is, its project name, stack and config; errors name what is missing. */
export function locateProgram(args: CheckArguments): ProgramToRun {
  const target = path.resolve(args.program ?? process.cwd());
  if (!fs.existsSync(target)) throw new UsageError(`--program ${args.program}: ${target} does not exist`);
  if (fs.statSync(target).isFile()) {
    const project = path.basename(target).replace(/\.[^.]+$/, "");
    return { project, stack: args.stack ?? "dev", entry: target, config: qualify(project, args.config) };
  }
  const projectFile = path.join(target, "Pulumi.yaml");
  if (!fs.existsSync(projectFile)) throw new UsageError(`${target} has no Pulumi.yaml: pass a Pulumi project folder or a single entry file`);
  const projectDoc = parseYaml(fs.readFileSync(projectFile, "utf8")) ?? {};
  const project: unknown = projectDoc.name;
  if (typeof project !== "string" || !project) throw new UsageError(`${projectFile} has no project name`);
  const stacks = fs.readdirSync(target).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
  const stack = args.stack ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (!stack) throw new UsageError(stacks.length === 0 ? `${target} has no stack file (Pulumi.<stack>.yaml)` : `${target} has several stacks (${stacks.join(", ")}): pass --stack`);
  if (!fs.existsSync(path.join(target, `Pulumi.${stack}.yaml`))) throw new UsageError(`${target} has no Pulumi.${stack}.yaml (stack "${stack}")`);
  const entry = [projectDoc.main, "index.ts", "index.js"].filter((f): f is string => typeof f === "string").map((f) => path.resolve(target, f)).find((f) => fs.existsSync(f));
  if (!entry) throw new UsageError(`${target} has no entry module (index.ts, index.js, or main in Pulumi.yaml)`);
  const defaults = qualify(project, projectDefaults(projectDoc.config));
  return { project, stack, entry, config: { ...defaults, ...qualify(project, readStackConfig(stack, target)), ...qualify(project, args.config) } };
}

/**
 * Values Pulumi.yaml's `config` block gives: `key: value`, `key: { value }` or `key: { default }`
 * (https://www.pulumi.com/docs/iac/concepts/projects/project-file/).
 */
function projectDefaults(block: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries((block ?? {}) as Record<string, unknown>)) {
    const value = entry !== null && typeof entry === "object" ? ((entry as { value?: unknown; default?: unknown }).value ?? (entry as { default?: unknown }).default) : entry;
    if (value !== undefined && value !== null) out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * Programs outside this repository use its Pulumi SDK and provider (one SDK instance, under its
 * mocks), and reach this repository's packages by name (`@event-routes/components`) when they have
 * not installed them.
 */
function shareModulesWithPrograms(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("module") as { _resolveFilename: (request: string, parent: unknown, isMain?: boolean, options?: { paths: string[] }) => string };
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const fromRoot = (name: string) => original.call(this, name, parent, false, { paths: [__dirname] });
    if (request.startsWith("@pulumi/") || request.startsWith("@event-routes/")) return fromRoot(request);
    try {
      return original.call(this, request, parent, ...rest);
    } catch (error) {
      if (request.startsWith(".") || path.isAbsolute(request)) throw error;
      return fromRoot(request);
    }
  };
}

export async function runChecks(args: CheckArguments): Promise<{ findings: Finding[]; resources: number; program: ProgramToRun }> {
  const program = locateProgram(args);
  shareModulesWithPrograms();
  const { mocks } = await runProgram({
    project: program.project,
    stack: program.stack,
    config: program.config,
    // The program registers its resources when its module loads, as under `pulumi up`; a module
    // that exports a function is a program Pulumi calls (`export = async () => { ... }`).
    program: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(program.entry);
      return typeof exported === "function" ? exported() : exported;
    },
  });
  return { findings: checkProgram(mocks.resources), resources: mocks.resources.filter((r) => r.type.startsWith("aws:")).length, program };
}

export function formatFindings(findings: Finding[]): string {
  const docs = new Map(RULES.map((r) => [r.name, r.docs]));
  const order = (f: Finding) => (f.severity === "mandatory" ? 0 : 1);
  return [...findings]
    .sort((a, b) => order(a) - order(b))
    .map((f) => `${f.severity.toUpperCase()}  ${f.rule}  ${f.type} "${f.resource}"\n    ${f.message}\n    ${docs.get(f.rule) ?? ""}`)
    .join("\n");
}

async function main(): Promise<number> {
  let args: CheckArguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  // A program's failure can surface as a rejection nobody awaits (an invoke, an apply): it is the run's failure.
  const failures: unknown[] = [];
  process.on("unhandledRejection", (error) => failures.push(error));
  let outcome: Awaited<ReturnType<typeof runChecks>>;
  try {
    outcome = await runChecks(args);
    if (failures.length > 0) throw failures[0];
  } catch (error) {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : `the program failed to run: ${(error as Error)?.stack ?? error}`);
    return 2;
  }
  const { findings, resources, program } = outcome;
  const mandatory = findings.filter((f) => f.severity === "mandatory").length;
  if (args.json) {
    console.log(JSON.stringify(findings.map(({ rule, severity, resource, type, message }) => ({ rule, severity, resource, type, message })), null, 2));
  } else {
    if (findings.length > 0) console.log(formatFindings(findings));
    console.log(`${mandatory} mandatory, ${findings.length - mandatory} advisory finding(s) in ${resources} AWS resources of ${program.project} (stack ${program.stack}), ${RULES.length} rules`);
  }
  return mandatory > 0 ? 1 : 0;
}

/** Runs the command with the process's arguments and exits with its code (`npm run check`, the bin). */
export function runAsCommand(): void {
  // As bin (`event-routes-check`, compiled): TypeScript programs compile as they load, as under Pulumi.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!require.extensions[".ts"]) require("ts-node").register({ transpileOnly: true, skipProject: true, compilerOptions: { module: "commonjs", target: "ES2022", esModuleInterop: true } });
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(2);
    },
  );
}

if (require.main === module) runAsCommand();
