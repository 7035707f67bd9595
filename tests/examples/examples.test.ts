import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { checkProgram } from "../../policy/checks";
import { ofType, policyOf, runIsolated } from "../support/program";

describe("the loyalty example, reusing the library on the dealership bus", () => {
  test.each([
    ["a name", "dealership-events-dev-dealership", "arn:aws:events:eu-west-1:123456789012:event-bus/dealership-events-dev-dealership"],
    ["an ARN", "arn:aws:events:eu-west-1:210987654321:event-bus/central", "arn:aws:events:eu-west-1:210987654321:event-bus/central"],
  ])("attaches to the bus by %s and adds its own route, grants and alarms-ready DLQs", async (_, reference, busArn) => {
    const run = await runIsolated({
      project: "dealership-loyalty",
      stack: "dev",
      config: { "dealership-loyalty:dealershipBus": reference },
      program: () => require("../../examples/loyalty/program").createLoyalty(),
    });
    expect(ofType(run, "aws:cloudwatch/eventBus:EventBus")).toHaveLength(0);
    const [rule] = ofType(run, "aws:cloudwatch/eventRule:EventRule");
    expect(rule.state.arn).toBe(busArn.replace(":event-bus/", ":rule/") + "/" + rule.state.name);
    expect(JSON.parse(rule.inputs.eventPattern)).toEqual({ source: ["dealership.handover"], "detail-type": ["VehicleReadyForHandover"] });
    const statement = policyOf(ofType(run, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === "handovers")!).Statement[1];
    expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe(busArn.replace(":event-bus/", ":rule/") + "/*");
    // The DLQ-alarm check belongs to the program that owns alarms; everything else must hold here.
    expect(checkProgram(run.mocks.resources).filter((v) => !v.message.includes("no alarm on its depth"))).toEqual([]);
  });

  test("a malformed bus reference is named with its key", () => {
    const { busReference } = require("../../examples/loyalty/program");
    expect(() => busReference("arn:aws:sqs:eu-west-1:123456789012:queue")).toThrow('dealership-loyalty:dealershipBus: "arn:aws:sqs:eu-west-1:123456789012:queue" is not an event bus ARN');
  });
});

/** Runs the program in `dir` as Pulumi's Node.js language host would (tests/support/pulumi-nodejs-host.js). */
function runAsPulumi(dir: string, stack = "dev") {
  const host = path.join(__dirname, "..", "support", "pulumi-nodejs-host.js");
  const stdout = execFileSync(process.execPath, [host, stack], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as { resources: { type: string; name: string }[]; outputs: Record<string, unknown> };
}

describe("the loyalty example as a standalone Pulumi program", () => {
  const LOYALTY = path.join(__dirname, "..", "..", "examples", "loyalty");

  test("has what Pulumi's Node.js runtime needs in its own folder: main, package.json with the library by name, tsconfig.json", () => {
    const project = parseYaml(fs.readFileSync(path.join(LOYALTY, "Pulumi.yaml"), "utf8"));
    expect(fs.existsSync(path.join(LOYALTY, project.main))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(LOYALTY, "package.json"), "utf8"));
    expect(manifest.dependencies["@event-routes/components"]).toBeDefined();
    expect(fs.existsSync(path.join(LOYALTY, "tsconfig.json"))).toBe(true);
  });

  test("compiles with its own compiler options in its own folder and registers the library's components", () => {
    const { resources, outputs } = runAsPulumi(LOYALTY);
    const types = resources.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["event-routes:index:EventBus", "event-routes:index:Route", "event-routes:index:Queue", "event-routes:index:BundledFunction"]));
    expect(types.filter((t) => t === "aws:cloudwatch/eventRule:EventRule")).toHaveLength(1);
    expect(types).not.toContain("aws:cloudwatch/eventBus:EventBus");
    expect(outputs.handoverQueueUrl).toMatch(/\/dealership-loyalty-dev-handovers$/);
  }, 120_000);

  test("the host type-checks with the program's own tsconfig.json: a strict program with an implicit any is refused", () => {
    expect(() => runAsPulumi(path.join(__dirname, "..", "fixtures", "pulumi-programs", "type-error"))).toThrow(/TS7006/);
  }, 120_000);
});

describe("the raw-aws example as a standalone Pulumi program", () => {
  test("compiles with its own compiler options in its own folder and registers its raw resources", () => {
    const { resources } = runAsPulumi(path.join(__dirname, "..", "..", "examples", "raw-aws"));
    const types = resources.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["aws:cloudwatch/eventBus:EventBus", "aws:lambda/function:Function", "aws:lambda/eventSourceMapping:EventSourceMapping"]));
    expect(types.filter((t) => t.startsWith("event-routes:"))).toEqual([]);
  }, 120_000);
});
