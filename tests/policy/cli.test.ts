import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { locateProgram, parseArguments } from "../../policy/cli";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run check -- ...args` in a child process, as a user runs it. */
function check(...args: string[]) {
  const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "policy/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const written: string[] = [];
afterAll(() => written.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A user's program somewhere else on the machine (it has no node_modules of its own). */
function writeProgram(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-program-"));
  written.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const BENT_PROGRAM = `
import * as aws from "@pulumi/aws";
const bus = new aws.cloudwatch.EventBus("orders", { name: "orders" });
const rule = new aws.cloudwatch.EventRule("big-orders", { name: "big-orders", eventBusName: bus.name, eventPattern: JSON.stringify({ source: ["shop"] }) });
const queue = new aws.sqs.Queue("big-orders", { name: "big-orders", visibilityTimeoutSeconds: 50000 });
new aws.sqs.QueuePolicy("big-orders", {
  queueUrl: queue.url,
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }] }),
});
new aws.cloudwatch.EventTarget("big-orders", { rule: rule.name, arn: queue.arn });
// Right, with a policy from aws.iam.getPolicyDocument conditioned on aws:SourceArn alone.
const audit = new aws.sqs.Queue("audit", { name: "audit" });
new aws.sqs.QueuePolicy("audit", {
  queueUrl: audit.url,
  policy: aws.iam.getPolicyDocumentOutput({
    statements: [{ principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }], actions: ["sqs:SendMessage"], resources: [audit.arn], conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [rule.arn] }] }],
  }).json,
});
new aws.cloudwatch.EventTarget("audit", { rule: rule.name, eventBusName: bus.name, arn: audit.arn });
`;

describe("npm run check", () => {
  test("rejects unknown arguments and malformed --config with a clear error", () => {
    expect(() => parseArguments(["--stak", "dev"])).toThrow('unknown argument "--stak"');
    expect(() => parseArguments(["--program", "x", "--config", "region"])).toThrow("--config region: expected key=value");
    expect(() => parseArguments(["--json"])).toThrow("pass --stack <name> (this program) or --program <path>");
    expect(() => parseArguments(["--stack"])).toThrow("--stack needs a value");
  });

  test("names what a --program folder is missing: Pulumi.yaml, the stack file", () => {
    const empty = writeProgram({ "index.ts": "" });
    expect(() => locateProgram(parseArguments(["--program", empty]))).toThrow(`${empty} has no Pulumi.yaml`);
    const noStack = writeProgram({ "index.ts": "", "Pulumi.yaml": "name: shop\nruntime: nodejs\nconfig:\n  size:\n    type: integer\n    default: 1\n  color:\n    default: red\n" });
    expect(() => locateProgram(parseArguments(["--program", noStack]))).toThrow("has no stack file (Pulumi.<stack>.yaml)");
    fs.writeFileSync(path.join(noStack, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n  greeting: hi\n");
    expect(() => locateProgram(parseArguments(["--program", noStack, "--stack", "prod"]))).toThrow("has no Pulumi.prod.yaml");
    const located = locateProgram(parseArguments(["--program", noStack, "--config", "size=3"]));
    expect(located).toMatchObject({ project: "shop", stack: "dev", config: { "aws:region": "us-east-1", "shop:greeting": "hi", "shop:size": "3", "shop:color": "red" } });
  });

  test("a program folder outside the repository: every violation with severity, rule, resource and type, exit 1 on mandatory", () => {
    const dir = writeProgram({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n", "index.ts": BENT_PROGRAM });
    const { code, stdout, stderr } = check("--program", dir, "--json");
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const findings = JSON.parse(stdout);
    expect(Object.keys(findings[0]).sort()).toEqual(["message", "resource", "rule", "severity", "type"]);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: "sqs-queue-attributes", severity: "mandatory", resource: "big-orders", type: "aws:sqs/queue:Queue" }),
        expect.objectContaining({ rule: "eventbridge-target-rule", severity: "mandatory", resource: "big-orders", type: "aws:cloudwatch/eventTarget:EventTarget" }),
        expect.objectContaining({ rule: "iam-policy-document", severity: "mandatory", resource: "big-orders", type: "aws:sqs/queuePolicy:QueuePolicy" }),
        expect.objectContaining({ rule: "eventbridge-grant-source-conditions", severity: "advisory", resource: "audit", type: "aws:sqs/queuePolicy:QueuePolicy" }),
      ]),
    );
    expect(findings.filter((f: any) => f.resource === "audit" && f.severity === "mandatory")).toEqual([]);
  }, 120_000);

  test("a program that fails to run: its error, exit 2", () => {
    const dir = writeProgram({ "broken.ts": 'import * as aws from "@pulumi/aws";\naws.ec2.getVpcOutput({ default: true }).id.apply((id) => id);\n' });
    const { code, stderr } = check("--program", path.join(dir, "broken.ts"));
    expect(stderr).toContain("the program failed to run");
    expect(code).toBe(2);
  }, 120_000);

  test("a program that exports an async function, as Pulumi allows: its resources are checked", () => {
    const dir = writeProgram({ "async.ts": 'import * as aws from "@pulumi/aws";\nexport = async () => {\n  await new Promise((resolve) => setTimeout(resolve, 50));\n  new aws.lambda.Function("late", { name: "late", runtime: "nodejs24.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/x", timeout: 0 });\n};\n' });
    const { code, stdout } = check("--program", path.join(dir, "async.ts"), "--json");
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ rule: "lambda-function-settings", resource: "late", severity: "mandatory" })]));
    expect(code).toBe(1);
  }, 120_000);

  test("a user's program that reuses the components by package name: checked, no mandatory finding", () => {
    const dir = writeProgram({
      "shop.ts": `
import { EventBus, Queue, queueTarget } from "@event-routes/components";
const bus = new EventBus("shop", {});
const queue = new Queue("orders", { eventSources: [bus] });
bus.route("orders", { pattern: { source: ["shop"] }, targets: [queueTarget(queue)] });
`,
    });
    const { code, stdout, stderr } = check("--program", path.join(dir, "shop.ts"), "--json");
    expect(stderr).toBe("");
    expect(JSON.parse(stdout).filter((f: any) => f.severity === "mandatory")).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);

  test("a single entry file with --config: the config reaches the program, aws:region defaults, exit 0 without mandatory findings", () => {
    const dir = writeProgram({
      "main.ts": `
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
const config = new pulumi.Config();
new aws.sqs.Queue("jobs", { name: config.require("queueName"), visibilityTimeoutSeconds: config.requireNumber("visibility") });
new aws.cloudwatch.LogGroup("logs", { name: "jobs-" + aws.config.region });
`,
    });
    const { code, stdout } = check("--program", path.join(dir, "main.ts"), "--config", "queueName=jobs", "--config", "visibility=60");
    expect(stdout).toContain('ADVISORY  sqs-queue-baseline  aws:sqs/queue:Queue "jobs"');
    expect(stdout).toContain('ADVISORY  cloudwatch-log-group-retention  aws:cloudwatch/logGroup:LogGroup "logs"');
    expect(stdout).toMatch(/0 mandatory, 2 advisory finding\(s\) in 2 AWS resources of main \(stack dev\)/);
    expect(code).toBe(0);
  }, 120_000);

  test("the package's bin (event-routes-check, built) checks a program folder from anywhere: a bent program fails, the loyalty example passes", () => {
    const bin = path.join(ROOT, "policy", require("../../policy/package.json").bin["event-routes-check"]);
    const bent = spawnSync(process.execPath, [bin, "--program", path.join(writeProgram({ "index.ts": BENT_PROGRAM, "Pulumi.yaml": "name: bent\nruntime: nodejs\n", "Pulumi.dev.yaml": "config: {}\n" }))], { cwd: os.tmpdir(), encoding: "utf8", timeout: 120_000 });
    expect(bent.stdout).toContain("MANDATORY");
    expect(bent.status).toBe(1);
    const loyalty = spawnSync(process.execPath, [bin, "--program", path.join(ROOT, "examples", "loyalty")], { cwd: os.tmpdir(), encoding: "utf8", timeout: 120_000 });
    expect(loyalty.stdout).toMatch(/0 mandatory, \d+ advisory finding\(s\) in \d+ AWS resources of dealership-loyalty \(stack dev\)/);
    expect(loyalty.status).toBe(0);
  }, 120_000);
});
