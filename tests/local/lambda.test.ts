import * as path from "path";
import { bundleHandler } from "@event-routes/components";
import { AwsError, DeployError } from "../../local/aws-error";
import { LocalCloud, Message, runOperation, Service } from "../../local/cloud";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import { IamService } from "../../local/services/iam/service";
import { LambdaService } from "../../local/services/lambda/service";

/** Inline code as a Pulumi AssetArchive of one StringAsset resolves to. */
const code = (source: string) => ({ assets: Promise.resolve({ "index.js": { text: Promise.resolve(source) } }) });

const ECHO = `
let calls = 0;
exports.handler = async (event, context) => ({
  calls: ++calls,
  greeting: process.env.GREETING,
  functionName: context.functionName,
  remainingPositive: context.getRemainingTimeInMillis() > 0,
  endpoint: process.env.AWS_ENDPOINT_URL,
  event,
});`;
const THROWS = `exports.handler = async () => { const e = new Error("boom"); e.name = "GatewayDown"; throw e; };`;
const HANGS = `exports.handler = () => new Promise(() => {});`;

/** Records what is delivered to queues (the failure destination). */
class RecordingQueues implements Service {
  readonly namespace = "sqs";
  readonly resourceTypes = [];
  readonly received: { arn: string; message: Message; from: Principal; at: number }[] = [];
  constructor(private readonly cloud: LocalCloud) {}
  materialize(): void {}
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    if (arn.endsWith("refuses")) throw new AwsError("AccessDeniedException", "the role may not send here");
    this.received.push({ arn, message, from, at: this.cloud.clock.now() });
  }
}

async function deploy(define: (mocks: RecordingMocks) => void) {
  const cloud = new LocalCloud();
  const lambda = new LambdaService(cloud);
  const queues = new RecordingQueues(cloud);
  cloud.register(new IamService(cloud)).register(lambda).register(queues);
  const mocks = new RecordingMocks();
  define(mocks);
  await cloud.deploy(mocks.resources);
  return { cloud, lambda, queues };
}

const role = (mocks: RecordingMocks, name: string) =>
  mocks.newResource({ type: "aws:iam/role:Role", name, inputs: { name, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } } as never);

const fn = (mocks: RecordingMocks, name: string, source: string, extra: Record<string, unknown> = {}) => {
  const { state } = role(mocks, `${name}-role`);
  return mocks.newResource({ type: "aws:lambda/function:Function", name, inputs: { name, runtime: "nodejs24.x", handler: "index.handler", role: state.arn, timeout: 3, code: code(source), ...extra } } as never);
};

const operator: Principal = { kind: "operator" };

describe("Lambda", () => {
  let stop: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(stop.map((s) => s()));
    stop = [];
  });
  const track = <T extends { cloud: LocalCloud }>(deployment: T) => {
    stop.push(() => deployment.cloud.stop());
    return deployment;
  };

  it("runs each function's code with its own environment and module state", async () => {
    const { lambda, cloud } = track(
      await deploy((mocks) => {
        fn(mocks, "english", ECHO, { environment: { variables: { GREETING: "hello" } } });
        fn(mocks, "french", ECHO, { environment: { variables: { GREETING: "bonjour" } } });
      }),
    );
    cloud.endpointUrl = "http://127.0.0.1:9";
    const first = await lambda.invoke("english", { n: 1 }, operator);
    const second = await lambda.invoke("english", { n: 2 }, operator);
    const other = await lambda.invoke("french", { n: 3 }, operator);
    expect(first.payload).toMatchObject({ calls: 1, greeting: "hello", functionName: "english", remainingPositive: true, endpoint: "http://127.0.0.1:9", event: { n: 1 } });
    // The warm container keeps module state; the other function has its own.
    expect(second.payload).toMatchObject({ calls: 2 });
    expect(other.payload).toMatchObject({ calls: 1, greeting: "bonjour" });
    expect(process.env.GREETING).toBeUndefined();
  });

  it("lets handler code read the cloud's clock, which may be ahead of this machine's", async () => {
    const { lambda, cloud } = track(await deploy((mocks) => fn(mocks, "clock", `exports.handler = async (event, context) => ({ now: Date.now(), remaining: context.getRemainingTimeInMillis() });`)));
    cloud.clock.schedule(3_600_000, () => undefined);
    await cloud.clock.settle(); // nothing runs: the virtual clock jumps an hour
    const before = cloud.clock.now();
    const { payload } = (await lambda.invoke("clock", {}, operator)) as { payload: { now: number; remaining: number } };
    expect(before - Date.now()).toBeGreaterThanOrEqual(3_590_000);
    expect(payload.now).toBeGreaterThanOrEqual(before);
    expect(payload.now).toBeLessThanOrEqual(cloud.clock.now());
    expect(payload.remaining).toBeGreaterThan(0);
    expect(payload.remaining).toBeLessThanOrEqual(3_000);
  });

  it("reports a handler's error as a function error with its type and message", async () => {
    const { lambda } = track(await deploy((mocks) => fn(mocks, "thrower", THROWS)));
    const result = await lambda.invoke("thrower", {}, operator);
    expect(result.functionError).toMatchObject({ errorType: "GatewayDown", errorMessage: "boom" });
    expect(lambda.stats("thrower")).toMatchObject({ invocations: 1, errors: 1 });
  });

  it("ends an invocation at the function's timeout and replaces the container", async () => {
    const { lambda } = track(await deploy((mocks) => fn(mocks, "hangs", HANGS, { timeout: 1 })));
    const started = Date.now();
    const result = await lambda.invoke("hangs", {}, operator);
    expect(result.functionError).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.00 seconds" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(lambda.stats("hangs").timeouts).toBe(1);
  });

  it("retries a failed asynchronous invoke twice, a minute then two apart, then sends the record to the failure destination", async () => {
    const failures = "arn:aws:sqs:eu-west-1:123456789012:failures";
    const { lambda, cloud, queues } = track(
      await deploy((mocks) => {
        fn(mocks, "thrower", THROWS);
        mocks.newResource({ type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "cfg", inputs: { functionName: "thrower", maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: failures } } } } as never);
      }),
    );
    const realStart = Date.now();
    const cloudStart = cloud.clock.now();
    await lambda.invokeAsync("thrower", { orderId: "o-1" }, operator);
    await cloud.clock.settle();
    expect(lambda.stats("thrower").invocations).toBe(3);
    expect(queues.received).toHaveLength(1);
    const [{ arn, message, from, at }] = queues.received;
    expect(arn).toBe(failures);
    expect(from).toEqual({ kind: "role", arn: "arn:aws:iam::123456789012:role/thrower-role" });
    expect(at - cloudStart).toBeGreaterThanOrEqual(180_000);
    expect(Date.now() - realStart).toBeLessThan(10_000);
    expect(JSON.parse(message.body)).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { orderId: "o-1" },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "GatewayDown", errorMessage: "boom" },
    });
  });

  it("keeps a throttled asynchronous event until it is too old, then sends it to the failure destination", async () => {
    const failures = "arn:aws:sqs:eu-west-1:123456789012:failures";
    const { lambda, cloud, queues } = track(
      await deploy((mocks) => {
        fn(mocks, "throttled", ECHO, { reservedConcurrentExecutions: 0 });
        mocks.newResource({ type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "cfg", inputs: { functionName: "throttled", maximumEventAgeInSeconds: 600, destinationConfig: { onFailure: { destination: failures } } } } as never);
      }),
    );
    const start = cloud.clock.now();
    await lambda.invokeAsync("throttled", { orderId: "o-2" }, operator);
    await cloud.clock.settle();
    expect(lambda.stats("throttled").throttles).toBeGreaterThan(3);
    expect(queues.received).toHaveLength(1);
    expect(JSON.parse(queues.received[0].message.body)).toMatchObject({ requestContext: { condition: "EventAgeExceeded" }, responsePayload: { errorType: "TooManyRequestsException" } });
    expect(queues.received[0].at - start).toBeLessThanOrEqual(600_000);
    expect(cloud.errors).toEqual([]);
  });

  it("traces an asynchronous failure its role cannot write to the destination, as AWS loses it", async () => {
    const { lambda, cloud } = track(
      await deploy((mocks) => {
        fn(mocks, "thrower", THROWS);
        mocks.newResource({ type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "cfg", inputs: { functionName: "thrower", maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: "arn:aws:sqs:eu-west-1:123456789012:refuses" } } } } as never);
      }),
    );
    await lambda.invokeAsync("thrower", {}, operator);
    await cloud.clock.settle();
    expect(cloud.trace.records.find((r) => r.kind === "target.dropped")?.summary).toMatch(/could not be sent to .*refuses: the role may not send here/);
    expect(cloud.errors).toEqual([]);
  });

  it("lets a service invoke only as the function's resource policy allows", async () => {
    const ruleArn = "arn:aws:events:eu-west-1:123456789012:rule/orders/route";
    const { lambda } = track(
      await deploy((mocks) => {
        fn(mocks, "guarded", ECHO);
        mocks.newResource({ type: "aws:lambda/permission:Permission", name: "events", inputs: { function: "guarded", action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: "arn:aws:events:eu-west-1:123456789012:rule/orders/*" } } as never);
      }),
    );
    const events = (sourceArn: string): Principal => ({ kind: "service", service: "events.amazonaws.com", sourceArn, sourceAccount: "123456789012" });
    await expect(lambda.invokeAsync("guarded", {}, events(ruleArn))).resolves.toHaveProperty("requestId");
    await expect(lambda.invokeAsync("guarded", {}, events("arn:aws:events:eu-west-1:123456789012:rule/other/route"))).rejects.toMatchObject({ code: "AccessDeniedException" });
    await expect(lambda.invokeAsync("guarded", {}, { kind: "service", service: "sns.amazonaws.com", sourceArn: ruleArn })).rejects.toThrow(AwsError);
    await expect(lambda.invoke("missing", {}, operator)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });

  it("refuses at deploy a function whose role Lambda cannot assume", async () => {
    const attempt = deploy((mocks) => {
      const { state } = mocks.newResource({ type: "aws:iam/role:Role", name: "wrong-trust", inputs: { name: "wrong-trust", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } } as never);
      mocks.newResource({ type: "aws:lambda/function:Function", name: "fn", inputs: { name: "fn", runtime: "nodejs24.x", handler: "index.handler", role: state.arn, code: code(ECHO) } } as never);
    });
    await expect(attempt).rejects.toThrow(/Function "fn": InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda/);
  });

  it("refuses at deploy a runtime AWS no longer creates, naming the function", async () => {
    await expect(deploy((mocks) => fn(mocks, "old", ECHO, { runtime: "nodejs18.x" }))).rejects.toThrow(DeployError);
    await expect(deploy((mocks) => fn(mocks, "old", ECHO, { runtime: "nodejs18.x" }))).rejects.toThrow(/aws:lambda\/function:Function "old".*nodejs18.x is no longer supported/);
  });

  it("provides the runtime's AWS SDK v3 to inline code; a package's own copy wins; nothing else of this project is visible", async () => {
    const usesSdk = `
const { EventBridgeClient } = require("@aws-sdk/client-eventbridge");
exports.handler = async () => {
  let zod;
  try { require("zod"); zod = "found"; } catch (error) { zod = error.code; }
  return { client: typeof EventBridgeClient, version: require("@aws-sdk/client-eventbridge/package.json").version, zod, nodePath: process.env.NODE_PATH };
};`;
    // A deployment package with its own @aws-sdk/client-eventbridge (a stub that names itself).
    const ownCopy = {
      assets: Promise.resolve({
        "index.js": { text: Promise.resolve(`exports.handler = async () => require("@aws-sdk/client-eventbridge").marker;`) },
        "node_modules/@aws-sdk/client-eventbridge/package.json": { text: Promise.resolve(JSON.stringify({ name: "@aws-sdk/client-eventbridge", version: "0.0.1", main: "index.js" })) },
        "node_modules/@aws-sdk/client-eventbridge/index.js": { text: Promise.resolve(`exports.marker = "the package's own copy";`) },
      }),
    };
    const { lambda } = track(
      await deploy((mocks) => {
        fn(mocks, "inline", usesSdk);
        fn(mocks, "own-copy", "", { code: ownCopy });
      }),
    );
    const installed = (require("@aws-sdk/client-eventbridge/package.json") as { version: string }).version;
    const inline = await lambda.invoke("inline", {}, operator);
    expect(inline.functionError).toBeUndefined();
    expect(inline.payload).toMatchObject({ client: "function", version: installed, zod: "MODULE_NOT_FOUND" });
    expect((inline.payload as { nodePath: string }).nodePath).toMatch(/node_modules/);
    expect((await lambda.invoke("own-copy", {}, operator)).payload).toBe("the package's own copy");
  });

  it("runs a bundle that leaves @aws-sdk/* external with the runtime's SDK", async () => {
    const bundle = bundleHandler(path.join(__dirname, "..", "fixtures", "sdk-external-handler.ts"), { external: ["@aws-sdk/*"] });
    expect(bundle.code).toContain('require("@aws-sdk/client-eventbridge")');
    expect(bundle.bytes).toBeLessThan(5_000);
    const { lambda } = track(await deploy((mocks) => fn(mocks, "external", bundle.code)));
    const result = await lambda.invoke("external", {}, operator);
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ client: "function", region: "eu-west-1" });
  });

  it("loads an ES module handler (index.mjs), whose imports find the runtime's SDK too", async () => {
    const esm = {
      assets: Promise.resolve({
        "index.mjs": {
          text: Promise.resolve(`
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
export const handler = async (event) => ({ client: typeof EventBridgeClient, got: event.n });`),
        },
      }),
    };
    const { lambda } = track(await deploy((mocks) => fn(mocks, "esm", "", { code: esm })));
    const result = await lambda.invoke("esm", { n: 7 }, operator);
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ client: "function", got: 7 });
  });

  it("answers the read API from the function's resources, and authorizes each call as lambda:<Action>", async () => {
    const failures = "arn:aws:sqs:eu-west-1:123456789012:failures";
    const { lambda } = track(
      await deploy((mocks) => {
        fn(mocks, "reader", ECHO, { description: "reads", tags: { team: "shop" }, reservedConcurrentExecutions: 3, environment: { variables: { GREETING: "hi" } } });
        fn(mocks, "plain", ECHO);
        mocks.newResource({ type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "cfg", inputs: { functionName: "reader", maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: failures } } } } as never);
      }),
    );
    const ops = Object.fromEntries(Object.entries(lambda.operations).map(([target, op]) => [target, (input: object, caller: Principal): any => runOperation(op, input, caller)]));
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:reader";
    expect(ops["Lambda.ListFunctions"]({}, operator).Functions.map((f: { FunctionName: string }) => f.FunctionName)).toEqual(["plain", "reader"]);
    const page = ops["Lambda.ListFunctions"]({ MaxItems: "1" }, operator);
    expect(page).toMatchObject({ Functions: [{ FunctionName: "plain" }], NextMarker: expect.any(String) });
    expect(ops["Lambda.ListFunctions"]({ Marker: page.NextMarker }, operator).Functions).toMatchObject([{ FunctionName: "reader" }]);
    expect(ops["Lambda.GetFunctionConfiguration"]({ FunctionName: "reader" }, operator)).toMatchObject({
      FunctionArn: arn,
      Description: "reads",
      Runtime: "nodejs24.x",
      Environment: { Variables: { GREETING: "hi" } },
      CodeSha256: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    expect(ops["Lambda.GetFunction"]({ FunctionName: arn }, operator)).toMatchObject({ Tags: { team: "shop" }, Concurrency: { ReservedConcurrentExecutions: 3 } });
    expect(ops["Lambda.GetFunctionConcurrency"]({ FunctionName: "reader" }, operator)).toEqual({ ReservedConcurrentExecutions: 3 });
    expect(ops["Lambda.GetFunctionConcurrency"]({ FunctionName: "plain" }, operator)).toEqual({});
    expect(ops["Lambda.ListTags"]({ Resource: arn }, operator)).toEqual({ Tags: { team: "shop" } });
    expect(ops["Lambda.GetFunctionEventInvokeConfig"]({ FunctionName: "reader" }, operator)).toMatchObject({ MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: failures } } });
    expect(() => ops["Lambda.GetFunctionEventInvokeConfig"]({ FunctionName: "plain" }, operator)).toThrow(expect.objectContaining({ code: "ResourceNotFoundException" }));
    expect(() => ops["Lambda.GetPolicy"]({ FunctionName: "plain" }, operator)).toThrow(expect.objectContaining({ code: "ResourceNotFoundException" }));
    expect(() => ops["Lambda.ListFunctions"]({ MaxItems: "0" }, operator)).toThrow(expect.objectContaining({ code: "ValidationException" }));
    // The shape is checked before the operation runs; a marker Lambda did not give is its own error.
    expect(() => ops["Lambda.GetFunction"]({}, operator)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("'FunctionName'") }));
    expect(() => ops["Lambda.ListTags"]({ Resource: 7 }, operator)).toThrow(expect.objectContaining({ code: "SerializationException" }));
    expect(() => ops["Lambda.ListFunctions"]({ Marker: "forged" }, operator)).toThrow(expect.objectContaining({ code: "InvalidParameterValueException", message: "Marker forged is not valid" }));
    // A function's role reads nothing its policies do not grant.
    const role: Principal = { kind: "role", arn: "arn:aws:iam::123456789012:role/plain-role" };
    for (const [operation, input] of [
      ["ListFunctions", {}],
      ["GetFunction", { FunctionName: "reader" }],
      ["GetFunctionConfiguration", { FunctionName: "reader" }],
      ["GetPolicy", { FunctionName: "reader" }],
      ["GetFunctionEventInvokeConfig", { FunctionName: "reader" }],
      ["GetFunctionConcurrency", { FunctionName: "reader" }],
      ["ListTags", { Resource: arn }],
    ] as const) {
      expect(() => ops[`Lambda.${operation}`](input, role)).toThrow(expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining(`lambda:${operation}`) }));
    }
  });
});
