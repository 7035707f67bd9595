import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * What a user gets from npm: the library, the pattern engine and the AWS model the library uses,
 * packed as `npm publish` would pack them, installed with a real `npm install` into a program
 * outside the repository, compiled against the published declarations, and run under Pulumi mocks.
 */
const ROOT = path.resolve(__dirname, "../..");
const PACKAGES = ["aws-model", "event-pattern", "components"];

/** Problems that tie a packed file to this repository: its absolute path, a relative import leaving the package, the dealership. */
export function repositoryReferences(file: string, text: string, packageRoot: string, repositoryRoot: string): string[] {
  const problems: string[] = [];
  if (text.includes(repositoryRoot)) problems.push(`${file}: names the repository path ${repositoryRoot}`);
  if (/dealership/i.test(text)) problems.push(`${file}: mentions the dealership`);
  for (const [, specifier] of text.matchAll(/(?:require\(|from\s+|import\()\s*["'](\.{1,2}\/[^"']*)["']/g)) {
    const target = path.resolve(path.dirname(path.join(packageRoot, file)), specifier);
    if (path.relative(packageRoot, target).startsWith("..")) problems.push(`${file}: imports ${specifier}, outside the package`);
  }
  return problems;
}

const exec = (command: string, args: string[], cwd: string, timeout = 240_000) =>
  execFileSync(command, args, { cwd, encoding: "utf8", timeout, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
const versionOf = (name: string) => require(path.join(ROOT, "node_modules", name, "package.json")).version as string;

describe("the packed library, installed outside the repository", () => {
  let work: string;
  let packed: { name: string; filename: string; files: { path: string }[] }[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "event-routes-pack-"));
    packed = JSON.parse(exec("npm", ["pack", "--json", "--pack-destination", work, ...PACKAGES.flatMap((p) => ["-w", p])], ROOT));
    const program = path.join(work, "program");
    fs.mkdirSync(program);
    const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:../${p.filename}`]));
    for (const peer of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "@types/node"]) dependencies[peer] = versionOf(peer);
    fs.writeFileSync(path.join(program, "package.json"), JSON.stringify({ name: "pack-check", private: true, dependencies }, null, 2));
    // The packages the root's `npm ci` installed are in npm's cache: no download where it ran.
    exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], program);
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("the check fires on a packed file that reaches into the repository", () => {
    const packageRoot = "/tmp/x/node_modules/@event-routes/components";
    expect(repositoryReferences("dist/a.js", 'require("../../../event-pattern")', packageRoot, ROOT)).toEqual(["dist/a.js: imports ../../../event-pattern, outside the package"]);
    // A checkout whose path says nothing else the check looks for (CI's clone path may name the dealership).
    const checkout = "/srv/checkout";
    expect(repositoryReferences("dist/a.js", `const p = "${checkout}/handlers";`, packageRoot, checkout)).toEqual([`dist/a.js: names the repository path ${checkout}`]);
    expect(repositoryReferences("dist/a.d.ts", "// for the dealership", packageRoot, ROOT)).toHaveLength(1);
    expect(repositoryReferences("dist/a.js", 'require("./b"); require("@pulumi/aws")', packageRoot, ROOT)).toEqual([]);
  });

  test("each tarball holds the built JavaScript, declarations, README and package.json only, and nothing that refers to the repository", () => {
    expect(packed.map((p) => p.name).sort()).toEqual(["@event-routes/aws-model", "@event-routes/components", "@event-routes/event-pattern"]);
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]));
      expect(files.filter((f) => !/^(package\.json|README\.md|dist\/.*\.(js|d\.ts))$/.test(f))).toEqual([]);
      const installed = path.join(work, "program", "node_modules", p.name);
      const problems = files.flatMap((f) => repositoryReferences(f, fs.readFileSync(path.join(installed, f), "utf8"), installed, ROOT));
      expect(problems).toEqual([]);
      const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
      const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies }) as string[];
      expect(ranges.filter((r) => /^(file|link|workspace):/.test(r))).toEqual([]);
    }
  });

  test("a TypeScript program compiles against the declarations and registers the components with their event-routes type tokens", () => {
    const program = path.join(work, "program");
    fs.writeFileSync(path.join(program, "handler.js"), "exports.handler = async (event) => ({ received: event.id });\n");
    fs.writeFileSync(
      path.join(program, "index.ts"),
      [
        'import { BundledFunction, EventBus, InvalidEventPatternError, Queue, lambdaTarget, queueTarget, validateEventPattern } from "@event-routes/components";',
        'const bus = new EventBus("orders", {});',
        'const queue = new Queue("big-orders", { eventSources: [bus] });',
        'const audit = new BundledFunction("audit", { entry: "handler.js" });',
        'bus.route("big-orders", { pattern: { source: ["shop"], detail: { total: [{ numeric: [">", 1000] }] } }, targets: [queueTarget(queue), lambdaTarget(audit)] });',
        "let refused = \"\";",
        'try { validateEventPattern({ source: "shop" }); } catch (error) { if (error instanceof InvalidEventPatternError) refused = error.message; }',
        "export const busName = bus.name;",
        "export const invalidPattern = refused;",
        "",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(program, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, esModuleInterop: true, skipLibCheck: true, outDir: "bin" }, files: ["index.ts"] }),
    );
    exec(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], program);
    fs.writeFileSync(
      path.join(program, "run.js"),
      `const pulumi = require("@pulumi/pulumi");
const settings = require("@pulumi/pulumi/runtime/settings");
const types = [];
pulumi.runtime.setMocks({
  newResource: (args) => {
    types.push(args.type);
    const name = args.inputs.name ?? args.name;
    const arn = args.type === "aws:cloudwatch/eventBus:EventBus" ? "arn:aws:events:eu-west-1:123456789012:event-bus/" + name : "arn:aws:mock:eu-west-1:123456789012:" + name;
    return { id: name, state: { ...args.inputs, arn, name } };
  },
  call: (args) => ({ accountId: "123456789012", region: "eu-west-1", name: "eu-west-1", partition: "aws", dnsSuffix: "amazonaws.com", ...args.inputs }),
}, "pack-check", "dev", false).then(async () => {
  pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1" });
  const program = require("./bin/index.js");
  for (let seen = -1; seen !== types.length; ) { seen = types.length; await settings.waitForRPCs(); await new Promise((r) => setTimeout(r, 0)); }
  const busName = await new Promise((resolve) => program.busName.apply(resolve));
  console.log(JSON.stringify({ types, busName, invalidPattern: program.invalidPattern }));
});
`,
    );
    const result = JSON.parse(exec(process.execPath, ["run.js"], program));
    expect(result.types).toEqual(expect.arrayContaining(["event-routes:index:EventBus", "event-routes:index:Route", "event-routes:index:Queue", "event-routes:index:BundledFunction", "aws:cloudwatch/eventRule:EventRule", "aws:lambda/function:Function"]));
    expect(result.types.filter((t: string) => t.startsWith("dealership"))).toEqual([]);
    expect(result.busName).toBe("pack-check-dev-orders");
    expect(result.invalidPattern).toMatch(/source/);
  }, 120_000);
});
