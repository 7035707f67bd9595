import { execFile, execFileSync } from "child_process";
import * as path from "path";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { deployLocal, LocalDeployment } from "../../local/deploy";
import { operatorClientConfig, operatorEventBridge } from "../../dealership/scenario";

/**
 * examples/raw-aws, a program of raw @pulumi/aws resources whose function is inline code that
 * requires the AWS SDK from the Lambda runtime, runs end to end in the local cloud as `serve` runs
 * it (real clock), and is read back through the Lambda read API: with SDK v3 clients always, and
 * with the AWS CLI where it is installed (the README's exports).
 */
const ROOT = path.join(__dirname, "..", "..", "examples", "raw-aws");
const FUNCTION = "raw-orders-dev-intake";
const INBOX_ARN = "arn:aws:sqs:eu-west-1:123456789012:raw-orders-dev-inbox";

let deployment: LocalDeployment;
let lambda: LambdaClient;
let sqs: SQSClient;
let acceptedUrl: string;

beforeAll(async () => {
  deployment = await deployLocal({ stack: "dev", root: ROOT, port: 0, clock: "real" });
  lambda = new LambdaClient(operatorClientConfig(deployment));
  sqs = new SQSClient(operatorClientConfig(deployment));
  acceptedUrl = `${deployment.endpoint.url}/123456789012/raw-orders-dev-accepted`;
});

afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  await deployment?.stop();
});

/** Long-polls the accepted queue until an order arrives (the flow runs in real time, as in `serve`). */
async function receiveAccepted(): Promise<{ orderId: string }[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: acceptedUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
  return Messages.map((message) => JSON.parse(message.Body!).detail);
}

describe("a raw @pulumi/aws program with inline function code", () => {
  it("runs end to end: OrderPlaced -> queue -> inline function using the runtime's SDK -> OrderAccepted -> queue", async () => {
    const events = operatorEventBridge(deployment);
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: String(deployment.outputs.busName), Source: "shop.web", DetailType: "OrderPlaced", Detail: JSON.stringify({ orderId: "sdk-1" }) }] }));
    events.destroy();
    expect(await receiveAccepted()).toEqual([{ orderId: "sdk-1" }]);
    expect(deployment.cloud.errors).toEqual([]);
  });
});

describe("the Lambda read API with SDK v3 clients", () => {
  it("lists and describes functions", async () => {
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((fn) => fn.FunctionName)).toEqual([FUNCTION]);
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION }));
    expect(configuration).toMatchObject({ FunctionName: FUNCTION, Runtime: "nodejs24.x", Handler: "index.handler", Timeout: 10, MemorySize: 128, State: "Active", PackageType: "Zip" });
    expect(configuration.Environment?.Variables).toEqual({ BUS_NAME: "raw-orders-dev" });
    expect(configuration.CodeSize).toBeGreaterThan(100);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: configuration.FunctionArn }));
    expect(fn.Configuration?.FunctionArn).toBe(`arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION}`);
    expect(fn.Code?.Location).toMatch(/^file:\/\//);
  });

  it("returns the function's resource policy", async () => {
    const { Policy } = await lambda.send(new GetPolicyCommand({ FunctionName: FUNCTION }));
    expect(JSON.parse(Policy!).Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "lambda:InvokeFunction", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/raw-orders-dev/*" } } }),
    ]);
  });

  it("lists event source mappings by function and by source, and gets one", async () => {
    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: FUNCTION }));
    expect(byFunction.EventSourceMappings).toHaveLength(1);
    const [mapping] = byFunction.EventSourceMappings!;
    expect(mapping).toMatchObject({ EventSourceArn: INBOX_ARN, FunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION}`, BatchSize: 10, State: "Enabled" });
    expect((await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: "arn:aws:sqs:eu-west-1:123456789012:nothing" }))).EventSourceMappings).toEqual([]);
    expect(await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).toMatchObject({ UUID: mapping.UUID, EventSourceArn: INBOX_ARN });
  });

  it("answers a function that does not exist with ResourceNotFoundException", async () => {
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: "nothing" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("pages ListFunctions with MaxItems and refuses a MaxItems out of range", async () => {
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(first.Functions).toHaveLength(1);
    expect(first.NextMarker).toBeUndefined();
    await expect(lambda.send(new ListFunctionsCommand({ MaxItems: 51 }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(lambda.send(new ListFunctionsCommand({ Marker: "forged" }))).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});

/** The AWS CLI on this machine, if any (`aws --version`: "aws-cli/1.45.11 Python/..."). */
function awsCliVersion(): string | undefined {
  try {
    return execFileSync("aws", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether the CLI reads AWS_ENDPOINT_URL, as AWS CLI 1.29.0 and 2.13.0 and later do
 * (https://aws.amazon.com/blogs/developer/new-improved-flexibility-when-configuring-endpoint-urls-with-the-aws-sdks-and-tools/);
 * older ones are given --endpoint-url on every command, as the README says.
 */
function readsEndpointVariable(version: string): boolean {
  const [major, minor] = (/^aws-cli\/(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return !((major === 1 && minor < 29) || (major === 2 && minor < 13));
}

const cliVersion = awsCliVersion();
if (!cliVersion) {
  // Said out loud, so a run without the CLI does not pass for one that drove it.
  console.warn("tests/local/raw-aws.e2e.test.ts: the AWS CLI is not installed; its tests are SKIPPED (the SDK v3 tests above cover the same operations)");
}
const describeCli = cliVersion ? describe : describe.skip;

describeCli(`the AWS CLI (${cliVersion ?? "not installed"}) with the README's exports (and --endpoint-url where it needs one)`, () => {
  /** Runs `aws <args>` with only the README's exports (and PATH/HOME), returning its parsed JSON. */
  const aws = (...args: string[]): Promise<any> =>
    new Promise((resolve, reject) => {
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        // The README's export line: AWS_REGION for the SDKs and CLI v2, AWS_DEFAULT_REGION for CLI v1.
        AWS_ENDPOINT_URL: deployment.endpoint.url,
        AWS_REGION: "eu-west-1",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_PAGER: "",
      };
      const endpointFlag = readsEndpointVariable(cliVersion!) ? [] : ["--endpoint-url", deployment.endpoint.url];
      // Not execFileSync: the endpoint answering the CLI lives in this process.
      execFile("aws", [...args, ...endpointFlag, "--output", "json"], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`aws ${args.join(" ")} failed: ${stderr || error.message}`));
        resolve(stdout.trim() ? JSON.parse(stdout) : {});
      });
    });

  it("reads functions, their policy and event source mappings", async () => {
    expect((await aws("lambda", "list-functions")).Functions.map((fn: { FunctionName: string }) => fn.FunctionName)).toEqual([FUNCTION]);
    expect((await aws("lambda", "get-function", "--function-name", FUNCTION)).Configuration).toMatchObject({ FunctionName: FUNCTION, Runtime: "nodejs24.x" });
    expect(await aws("lambda", "get-function-configuration", "--function-name", FUNCTION)).toMatchObject({ Handler: "index.handler", Timeout: 10 });
    expect(JSON.parse((await aws("lambda", "get-policy", "--function-name", FUNCTION)).Policy).Statement).toHaveLength(1);
    const mappings = (await aws("lambda", "list-event-source-mappings", "--function-name", FUNCTION)).EventSourceMappings;
    expect(mappings).toMatchObject([{ EventSourceArn: INBOX_ARN, State: "Enabled" }]);
    expect(await aws("lambda", "get-event-source-mapping", "--uuid", mappings[0].UUID)).toMatchObject({ EventSourceArn: INBOX_ARN });
  });

  it("sends an order with put-events and reads the accepted order with receive-message", async () => {
    const entries = JSON.stringify([{ EventBusName: "raw-orders-dev", Source: "shop.web", DetailType: "OrderPlaced", Detail: JSON.stringify({ orderId: "cli-1" }) }]);
    expect(await aws("events", "put-events", "--entries", entries)).toMatchObject({ FailedEntryCount: 0 });
    // CLI v1 sends SQS commands to its own legacy hosts (<region>.queue.amazonaws.com) unless
    // --endpoint-url is on the command line (awscli/customizations/overridesslcommonname.py).
    const received = await aws("sqs", "receive-message", "--queue-url", acceptedUrl, "--wait-time-seconds", "10", ...(readsEndpointVariable(cliVersion!) ? ["--endpoint-url", deployment.endpoint.url] : []));
    expect(received.Messages.map((message: { Body: string }) => JSON.parse(message.Body).detail)).toEqual([{ orderId: "cli-1" }]);
  });
});
