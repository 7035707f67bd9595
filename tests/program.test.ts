import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { checkProgram } from "../policy/checks";
import { ofType, policyOf, runIsolated } from "./support/program";

const STACKS = ["dev", "prod"];

/** Neither stack has a finding of the policy pack, mandatory or advisory ("Findings on the dealership stacks" in README). */
const EXPECTED_FINDINGS: Record<string, string[]> = { dev: [], prod: [] };

type Dealership = ReturnType<typeof import("../dealership/architecture").createDealership>;

/** Each stack's program runs once for the whole file: what index.ts does, keeping the components it built. */
const runs = new Map<string, ReturnType<typeof runIsolated<Dealership>>>();
const runStack = (stack: string) => {
  if (!runs.has(stack)) {
    const program = () => require("../dealership/architecture").createDealership(require("../dealership/config").loadConfig()) as Dealership;
    runs.set(stack, runIsolated({ stack, stackFile: true, program }));
  }
  return runs.get(stack)!;
};

/** A resource and everything below it. `__childResources`/`__protect` are the SDK's own records of the tree and options. */
const tree = (resource: unknown): any[] => [resource, ...[...((resource as any).__childResources ?? [])].flatMap(tree)];

describe.each(STACKS)("the dealership program, stack %s", (stack) => {
  let run: Awaited<ReturnType<typeof runStack>>;
  beforeAll(async () => {
    run = await runStack(stack);
  });

  test("has no mandatory finding of the policy pack, and only the advisory ones the README explains", () => {
    const findings = checkProgram(run.mocks.resources);
    const mandatory = findings.filter((f) => f.severity === "mandatory").map((f) => `${f.rule} ${f.resource}`);
    expect(mandatory).toEqual([]);
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.resource}`)).toEqual(EXPECTED_FINDINGS[stack]);
  });

  test("uses every target kind: Lambda, SQS FIFO and standard, Step Functions, SNS, Kinesis, another bus", () => {
    const services = new Set(ofType(run, "aws:cloudwatch/eventTarget:EventTarget").map((t) => t.inputs.arn.split(":")[2]));
    expect([...services].sort()).toEqual(["events", "kinesis", "lambda", "sns", "sqs", "states"]);
    const fifoTargets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs.sqsTarget);
    expect(fifoTargets.map((t) => t.inputs.sqsTarget.messageGroupId).sort()).toEqual(["premium", "standard"]);
  });

  test("routes orders by vehicle class with patterns built from the contracts", () => {
    const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule");
    const premium = rules.find((r) => r.name === "premium-orders")!;
    expect(JSON.parse(premium.inputs.eventPattern)).toEqual({ source: ["dealership.sales"], "detail-type": ["OrderPlaced"], detail: { vehicleClass: ["premium"] } });
  });

  test("every function runs a bundle on nodejs24.x with JSON logs and a log group with retention", () => {
    const functions = ofType(run, "aws:lambda/function:Function");
    expect(functions).toHaveLength(10);
    for (const fn of functions) {
      expect(fn.inputs.runtime).toBe("nodejs24.x");
      expect(fn.inputs.loggingConfig.logFormat).toBe("JSON");
      expect(fn.inputs.sourceCodeHash).toMatch(/^[0-9a-f]{64}$/);
    }
    const retention = ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays);
    expect(new Set(retention)).toEqual(new Set([stack === "prod" ? 90 : 7]));
  });

  test("handlers publish only their own event source to the dealership bus", () => {
    const publish = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === "factory-publish")[0];
    const [statement] = policyOf(publish).Statement;
    expect(statement.Action).toBe("events:PutEvents");
    expect(statement.Condition).toEqual({ StringEquals: { "events:source": ["dealership.factory"] } });
  });

  test("the queue consumer visibility timeout is six times the function timeout", () => {
    const timeout = stack === "prod" ? 15 : 10;
    const orders = ofType(run, "aws:sqs/queue:Queue").filter((q) => q.name.endsWith("-orders"));
    expect(orders.map((q) => q.inputs.visibilityTimeoutSeconds)).toEqual([6 * timeout, 6 * timeout]);
    expect(orders.every((q) => q.inputs.fifoQueue && q.inputs.contentBasedDeduplication)).toBe(true);
  });
});

describe("what differs between stacks is configuration only", () => {
  let dev: Awaited<ReturnType<typeof runStack>>;
  let prod: Awaited<ReturnType<typeof runStack>>;
  beforeAll(async () => {
    dev = await runStack("dev");
    prod = await runStack("prod");
  });

  test("both stacks declare the same resources (by type and logical name), bar the prod key, alarm email and INFO bus logs", () => {
    const shape = (r: typeof dev) => r.mocks.resources.map((x) => `${x.type}::${x.name}`).sort();
    const onlyProd = shape(prod).filter((x) => !shape(dev).includes(x));
    const onlyDev = shape(dev).filter((x) => !shape(prod).includes(x));
    expect(onlyDev).toEqual([]);
    expect(onlyProd).toEqual([
      // Prod logs the bus at INFO: its INFO_LOGS source and delivery come on top of dev's ERROR_LOGS.
      "aws:cloudwatch/logDelivery:LogDelivery::dealership-info-logs",
      "aws:cloudwatch/logDeliverySource:LogDeliverySource::dealership-info-logs",
      "aws:kms/key:Key::dealership",
      "aws:sns/topicSubscription:TopicSubscription::alarms-email-1",
      "event-routes:index:EncryptionKey::dealership",
    ]);
  });

  test("prod encrypts queues, topics, table and stream with its customer-managed key", () => {
    const [key] = ofType(prod, "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    for (const q of ofType(prod, "aws:sqs/queue:Queue")) expect(q.inputs.kmsMasterKeyId).toBe(key.state.arn);
    for (const t of ofType(prod, "aws:sns/topic:Topic")) expect(t.inputs.kmsMasterKeyId).toBe(key.state.arn);
    expect(ofType(prod, "aws:dynamodb/table:Table")[0].inputs.serverSideEncryption).toEqual({ enabled: true, kmsKeyArn: key.state.arn });
    expect(ofType(prod, "aws:kinesis/stream:Stream")[0].inputs.kmsKeyId).toBe(key.state.arn);
    for (const q of ofType(dev, "aws:sqs/queue:Queue")) expect(q.inputs.sqsManagedSseEnabled).toBe(true);
  });

  test("prod grants the key with the table: each role granted the state table may use the key, in dev there is no key to grant", () => {
    const [key] = ofType(prod, "aws:kms/key:Key");
    const stateGrants = (run: typeof prod) => ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-state"));
    expect(stateGrants(prod).map((p) => p.name).sort()).toEqual(["compensation-state", "factory-state", "handover-state", "payment-state"]);
    for (const grant of stateGrants(prod)) expect(policyOf(grant).Statement).toContainEqual({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: key.state.arn });
    for (const grant of stateGrants(dev)) expect(JSON.stringify(policyOf(grant))).not.toMatch(/kms:/);
  });

  test("prod protects what holds data (bus, archive, DLQs, queues, table, stream, key), not routing or code", () => {
    const stateful = (d: Dealership) => [d.bus.bus!, d.bus.archive!, d.bus.targetDeadLetterQueueIfCreated!, ...d.orderQueues, d.handoverQueue, d.operationsInbox, d.asyncFailures, d.stateTable, d.analyticsStream];
    const prodStateful = [...stateful(prod.result), prod.result.key!].flatMap((r) => (r === prod.result.bus.bus || r === prod.result.bus.archive ? [r] : tree(r)));
    expect(prodStateful.filter((r) => r.__protect !== true).map((r) => r.__name)).toEqual([]);
    expect(stateful(dev.result).flatMap(tree).filter((r) => r.__protect).map((r) => r.__name)).toEqual([]);
    const routing = [...prod.result.bus.routes.flatMap(tree), ...prod.result.functions.flatMap(tree)];
    expect(routing.length).toBeGreaterThan(30);
    expect(routing.filter((r) => r.__protect).map((r) => r.__name)).toEqual([]);
  });

  test("index.ts exports the stack outputs a user needs", async () => {
    const run = await runIsolated({ stack: "dev", stackFile: true, program: () => require("../index") });
    const outputs = run.result as Record<string, { apply: (f: (v: unknown) => void) => unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      "alarmTopicArn", "analyticsStreamName", "busArn", "busName", "customerTopicArn", "dashboardName", "operationsBusArn", "orderQueueUrls", "paperworkStateMachineArn",
    ]);
    const busName = await new Promise((resolve) => outputs.busName.apply(resolve));
    expect(busName).toBe("dealership-events-dev-dealership");
  });

  test("prod traces and keeps STANDARD workflows; dev uses EXPRESS", () => {
    expect(ofType(prod, "aws:sfn/stateMachine:StateMachine")[0].inputs.type).toBe("STANDARD");
    expect(ofType(dev, "aws:sfn/stateMachine:StateMachine")[0].inputs.type).toBe("EXPRESS");
    expect(ofType(prod, "aws:lambda/function:Function").every((f) => f.inputs.tracingConfig.mode === "Active")).toBe(true);
    expect(ofType(dev, "aws:lambda/function:Function").every((f) => f.inputs.tracingConfig.mode === "PassThrough")).toBe(true);
  });
});

describe("stack configuration", () => {
  const { parseConfig, configSchema } = require("../dealership/config") as typeof import("../dealership/config");
  const root = path.resolve(__dirname, "..");
  const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));

  test("Pulumi.yaml declares exactly the keys the program validates", () => {
    expect(Object.keys(project.config).sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  test.each(STACKS)("Pulumi.%s.yaml sets every key Pulumi.yaml declares without a default", (stack) => {
    const stackConfig = parseYaml(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")).config;
    const required = Object.entries(project.config as Record<string, { default?: unknown }>).filter(([, d]) => d.default === undefined).map(([k]) => `dealership-events:${k}`);
    for (const key of required) expect(stackConfig).toHaveProperty([key]);
  });

  const valid = (): Record<string, string> => {
    const { readStackConfig } = require("../local/run-program");
    return readStackConfig("dev");
  };

  test("a missing key is named with the stack file", () => {
    const config = valid();
    delete config["dealership-events:workflowType"];
    expect(() => parseConfig(config, "dev")).toThrow("Invalid configuration in Pulumi.dev.yaml:\n  dealership-events:workflowType: missing");
  });

  test("a bad value names the key and the problem", () => {
    expect(() => parseConfig({ ...valid(), "dealership-events:logRetentionDays": "8" }, "prod")).toThrow(/Pulumi\.prod\.yaml:\n {2}dealership-events:logRetentionDays: must be a CloudWatch Logs retention/);
  });

  test("a misspelt key is reported, not ignored", () => {
    expect(() => parseConfig({ ...valid(), "dealership-events:tracng": "true" }, "dev")).toThrow(/dealership-events:tracng: not a setting of this program/);
  });

  test("every problem is listed at once", () => {
    const error = (() => {
      try {
        parseConfig({ ...valid(), "dealership-events:lambdaMemoryMb": "64", "dealership-events:encryption": "none" }, "dev");
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    expect(error).toContain("dealership-events:lambdaMemoryMb");
    expect(error).toContain("dealership-events:encryption");
  });
});
