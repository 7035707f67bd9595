import { runOperation } from "../../local/cloud";
import { randomUUID } from "crypto";
import { AwsError, DeployError } from "../../local/aws-error";
import { LocalCloud, type Message, type Service } from "../../local/cloud";
import type { Principal, Statement } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import type { EventBridgeApi, InvokeResult, LambdaApi, PutEventsEntry, PutEventsResult, SnsApi } from "../../local/services/contracts";
import { IamService } from "../../local/services/iam/service";
import { StepFunctionsService, type ExecutionRecord } from "../../local/services/stepfunctions/service";
import { paperworkDefinition } from "../../dealership/paperwork-workflow";
import { startEndpoint } from "../../local/endpoint";
import {
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from "@aws-sdk/client-sfn";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:customers`;

type Handler = (event: any) => unknown;

/** A Lambda service that runs plain functions, authorizing lambda:InvokeFunction through cloud.iam. */
class FakeLambda implements LambdaApi, Service {
  readonly namespace = "lambda";
  readonly resourceTypes = [];
  readonly handlers = new Map<string, Handler>();
  readonly calls: { name: string; payload: any; at: number }[] = [];

  constructor(private readonly cloud: LocalCloud) {}

  materialize(): void {}

  functionArn(reference: string): string {
    const name = reference.startsWith("arn:") ? reference.split(":")[6] : reference.split(":")[0];
    return fnArn(name);
  }

  roleOf(): string | undefined {
    return undefined;
  }

  async invoke(reference: string, payload: unknown, from: Principal): Promise<InvokeResult> {
    const arn = this.functionArn(reference);
    const decision = this.cloud.iam.authorize(from, "lambda:InvokeFunction", arn);
    if (!decision.allowed) throw new AwsError("AccessDeniedException", `User: ${decision.reason}`);
    const name = arn.split(":")[6];
    const handler = this.handlers.get(name);
    if (!handler) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404);
    this.calls.push({ name, payload, at: this.cloud.clock.now() });
    const requestId = randomUUID();
    try {
      return { payload: await handler(payload), requestId };
    } catch (error) {
      const { name: errorType, message: errorMessage } = error as Error;
      return { functionError: { errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, "    at handler (index.js:1:1)"] }, requestId };
    }
  }

  async invokeAsync(reference: string, payload: unknown, from: Principal): Promise<{ requestId: string }> {
    void this.invoke(reference, payload, from);
    return { requestId: randomUUID() };
  }

  callsOf(name: string) {
    return this.calls.filter((call) => call.name === name);
  }
}

class FakeSns implements SnsApi, Service {
  readonly namespace = "sns";
  readonly resourceTypes = [];
  readonly published: { topicArn: string; message: Parameters<SnsApi["publish"]>[1]; from: Principal }[] = [];
  materialize(): void {}
  async publish(topicArn: string, message: Parameters<SnsApi["publish"]>[1], from: Principal): Promise<string> {
    this.published.push({ topicArn, message, from });
    return `msg-${this.published.length}`;
  }
}

/** EventBridge that accepts every entry but those whose Source is `reject.me`. */
class FakeEvents implements EventBridgeApi, Service {
  readonly namespace = "events";
  readonly resourceTypes = [];
  readonly entries: PutEventsEntry[] = [];
  materialize(): void {}
  async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult> {
    this.entries.push(...entries);
    const results = entries.map((entry, index) =>
      entry.Source === "reject.me" ? { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." } : { EventId: `event-${this.entries.length}-${index}` },
    );
    return { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results };
  }
}

/** An SQS service that keeps what is delivered to it. */
class FakeSqs implements Service {
  readonly namespace = "sqs";
  readonly resourceTypes = [];
  readonly delivered: { arn: string; message: Message; from: Principal }[] = [];
  materialize(): void {}
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    this.delivered.push({ arn, message, from });
  }
}

const ALLOW_ALL: Statement[] = [{ Effect: "Allow", Action: ["lambda:InvokeFunction", "sns:Publish", "events:PutEvents"], Resource: "*" }];

function createCloud() {
  const cloud = new LocalCloud();
  const lambda = new FakeLambda(cloud);
  const sns = new FakeSns();
  const events = new FakeEvents();
  const sqs = new FakeSqs();
  const sfn = new StepFunctionsService(cloud);
  cloud.register(new IamService(cloud)).register(lambda).register(sns).register(events).register(sqs).register(sfn);
  return { cloud, lambda, sns, events, sqs, sfn };
}

let world: ReturnType<typeof createCloud>;
beforeEach(() => {
  world = createCloud();
});
afterEach(async () => {
  await world.cloud.stop();
});

/** Deploys a role (with `statements` as its RolePolicy) and a state machine running as it. */
async function deploy(definition: unknown, options: { statements?: Statement[]; type?: "STANDARD" | "EXPRESS"; name?: string } = {}) {
  const mocks = new RecordingMocks();
  const name = options.name ?? "flow";
  const role = mocks.newResource({
    type: "aws:iam/role:Role",
    name: `${name}-role`,
    inputs: {
      name: `${name}-role`,
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    },
  } as any);
  mocks.newResource({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: `${name}-policy`,
    inputs: { role: `${name}-role`, policy: JSON.stringify({ Version: "2012-10-17", Statement: options.statements ?? ALLOW_ALL }) },
  } as any);
  const machine = mocks.newResource({
    type: "aws:sfn/stateMachine:StateMachine",
    name,
    inputs: { name, definition: typeof definition === "string" ? definition : JSON.stringify(definition), roleArn: role.state.arn, type: options.type ?? "STANDARD" },
  } as any);
  await world.cloud.deploy(mocks.resources);
  return { arn: machine.state.arn as string, roleArn: role.state.arn as string };
}

/** Starts an execution and runs the cloud until it has nothing left to do. */
async function run(arn: string, input: unknown = {}): Promise<ExecutionRecord> {
  const { done } = world.sfn.startExecution(arn, input);
  await world.cloud.clock.settle();
  return done;
}

const invoke = (fn: string, payload: unknown = { "value.$": "$.value" }) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke",
  Parameters: { FunctionName: fnArn(fn), Payload: payload },
});

/** Runs the cloud for `ms` of cloud time. */
async function advance(ms: number): Promise<void> {
  world.cloud.clock.schedule(ms, () => undefined);
  await world.cloud.clock.settle(ms);
}

const historyTypes = (record: ExecutionRecord) => record.history.map((event) => event.type);

describe("lambda:invoke", () => {
  test("a Parallel of invokes succeeds with each branch's result, as AWS shapes it", async () => {
    world.lambda.handlers.set("double", (event) => ({ result: event.value * 2 }));
    world.lambda.handlers.set("square", (event) => ({ result: event.value ** 2 }));
    const { arn } = await deploy({
      StartAt: "Both",
      States: {
        Both: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Double", States: { Double: { ...invoke("double"), End: true } } },
            { StartAt: "Square", States: { Square: { ...invoke("square"), ResultSelector: { "square.$": "$.Payload.result" }, End: true } } },
          ],
          End: true,
        },
      },
    });
    const record = await run(arn, { value: 7 });
    expect(record.status).toBe("SUCCEEDED");
    const [double, square] = record.output as any[];
    expect(double).toMatchObject({ ExecutedVersion: "$LATEST", Payload: { result: 14 }, StatusCode: 200 });
    expect(double.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(double.SdkResponseMetadata.RequestId).toEqual(expect.any(String));
    expect(square).toEqual({ square: 49 });
    expect(world.lambda.calls.map((call) => call.payload)).toEqual([{ value: 7 }, { value: 7 }]);
    expect(historyTypes(record)).toEqual(
      expect.arrayContaining(["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ParallelStateSucceeded", "ParallelStateExited"]),
    );
    expect(historyTypes(record)[0]).toBe("ExecutionStarted");
    expect(historyTypes(record).at(-1)).toBe("ExecutionSucceeded");
    const scheduled = record.history.find((event) => event.type === "TaskScheduled")!;
    expect(scheduled.details).toMatchObject({ resourceType: "lambda", resource: "invoke", region: REGION });
  });

  test("a function error is caught with the function's errorType as Error and its error JSON as Cause", async () => {
    world.lambda.handlers.set("charge", () => {
      const error = new Error("card declined by issuer");
      error.name = "PaymentDeclined";
      throw error;
    });
    const { arn } = await deploy({
      StartAt: "Charge",
      States: {
        Charge: { ...invoke("charge"), Catch: [{ ErrorEquals: ["PaymentDeclined"], ResultPath: "$.failure", Next: "Declined" }], Next: "Charged" },
        Charged: { Type: "Succeed" },
        Declined: { Type: "Pass", Parameters: { "error.$": "$.failure.Error", "detail.$": "States.StringToJson($.failure.Cause)" }, End: true },
      },
    });
    const record = await run(arn, { value: 1 });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toEqual({
      error: "PaymentDeclined",
      detail: { errorType: "PaymentDeclined", errorMessage: "card declined by issuer", trace: expect.arrayContaining(["PaymentDeclined: card declined by issuer"]) },
    });
    const failed = record.history.find((event) => event.type === "TaskFailed")!;
    expect(failed.details).toMatchObject({ error: "PaymentDeclined", resourceType: "lambda", resource: "invoke" });
  });

  test("an uncaught function error fails the execution with that Error and Cause", async () => {
    world.lambda.handlers.set("boom", () => {
      throw new TypeError("x is undefined");
    });
    const { arn } = await deploy({ StartAt: "Boom", States: { Boom: { ...invoke("boom"), End: true } } });
    const record = await run(arn, { value: 1 });
    expect(record.status).toBe("FAILED");
    expect(record.error).toBe("TypeError");
    expect(JSON.parse(record.cause!)).toMatchObject({ errorType: "TypeError", errorMessage: "x is undefined" });
    expect(historyTypes(record).at(-1)).toBe("ExecutionFailed");
  });

  test("a plain function ARN as Resource passes the state input and returns the function's result", async () => {
    world.lambda.handlers.set("echo", (event) => ({ echoed: event }));
    const { arn } = await deploy({ StartAt: "Echo", States: { Echo: { Type: "Task", Resource: fnArn("echo"), End: true } } });
    const record = await run(arn, { a: 1 });
    expect(record.output).toEqual({ echoed: { a: 1 } });
    expect(historyTypes(record)).toEqual(expect.arrayContaining(["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]));
  });

  test("a role without lambda:InvokeFunction fails the task with Lambda.AWSLambdaException", async () => {
    world.lambda.handlers.set("secret", () => ({ ok: true }));
    const { arn } = await deploy({ StartAt: "Call", States: { Call: { ...invoke("secret"), End: true } } }, { statements: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }] });
    const record = await run(arn, { value: 1 });
    expect(record.status).toBe("FAILED");
    expect(record.error).toBe("Lambda.AWSLambdaException");
    expect(record.cause).toContain("is not authorized to perform lambda:InvokeFunction");
    expect(record.cause).toContain("Error Code: AccessDeniedException");
    expect(world.lambda.calls).toHaveLength(0);
  });
});

describe("the cloud's clock", () => {
  test("Retry waits IntervalSeconds × BackoffRate^(n-1) of cloud time between attempts, and no real time", async () => {
    let attempts = 0;
    world.lambda.handlers.set("flaky", () => {
      attempts++;
      if (attempts < 3) {
        const error = new Error("try again");
        error.name = "Unavailable";
        throw error;
      }
      return { ok: attempts };
    });
    const { arn } = await deploy({
      StartAt: "Flaky",
      States: { Flaky: { ...invoke("flaky"), Retry: [{ ErrorEquals: ["Unavailable"], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 3 }], End: true } },
    });
    const realStart = Date.now();
    const record = await run(arn, { value: 1 });
    const realElapsed = Date.now() - realStart;
    expect(record.status).toBe("SUCCEEDED");
    expect((record.output as any).Payload).toEqual({ ok: 3 });
    const times = world.lambda.callsOf("flaky").map((call) => call.at);
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(60_000);
    expect(times[1] - times[0]).toBeLessThan(61_000);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(120_000);
    expect(times[2] - times[1]).toBeLessThan(121_000);
    expect(realElapsed).toBeLessThan(1000);
    expect(historyTypes(record).filter((type) => type === "TaskFailed")).toHaveLength(2);
  });

  test("a retrier's MaxAttempts exhausted hands the error to Catch", async () => {
    world.lambda.handlers.set("down", () => {
      const error = new Error("still down");
      error.name = "Unavailable";
      throw error;
    });
    const { arn } = await deploy({
      StartAt: "Down",
      States: {
        Down: { ...invoke("down"), Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 1 }], Catch: [{ ErrorEquals: ["States.ALL"], Next: "Gave up" }], End: true },
        "Gave up": { Type: "Pass", End: true },
      },
    });
    const record = await run(arn, { value: 1 });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toMatchObject({ Error: "Unavailable" });
    expect(world.lambda.callsOf("down")).toHaveLength(3);
    expect(record.stopDate! - record.startDate).toBeGreaterThanOrEqual(10_000);
  });

  test("a Wait of 3600 seconds takes an hour of cloud time, and Timestamp/SecondsPath waits too", async () => {
    const { arn } = await deploy({
      StartAt: "Hour",
      States: {
        Hour: { Type: "Wait", Seconds: 3600, OutputPath: "$.keep", Next: "ByPath" },
        ByPath: { Type: "Wait", SecondsPath: "$.seconds", Next: "Done" },
        Done: { Type: "Pass", End: true },
      },
    });
    const realStart = Date.now();
    const record = await run(arn, { keep: { seconds: 30 } });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toEqual({ seconds: 30 });
    const elapsed = record.stopDate! - record.startDate;
    expect(elapsed).toBeGreaterThanOrEqual(3_630_000);
    expect(elapsed).toBeLessThan(3_631_000);
    expect(Date.now() - realStart).toBeLessThan(1000);
    expect(historyTypes(record)).toEqual(["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
  });

  test("TimeoutSeconds of the execution stops it as TIMED_OUT in cloud time", async () => {
    const { arn } = await deploy({ TimeoutSeconds: 60, StartAt: "Long", States: { Long: { Type: "Wait", Seconds: 600, End: true } } });
    const record = await run(arn);
    expect(record.status).toBe("TIMED_OUT");
    expect(record.error).toBe("States.Timeout");
    expect(record.stopDate! - record.startDate).toBeGreaterThanOrEqual(60_000);
    expect(record.stopDate! - record.startDate).toBeLessThan(61_000);
    expect(historyTypes(record).at(-1)).toBe("ExecutionTimedOut");
  });

  test("a failing branch stops a sibling's Wait: the caught Parallel moves on without waiting for it", async () => {
    world.lambda.handlers.set("fail", () => {
      throw new RangeError("out of range");
    });
    const { arn } = await deploy({
      StartAt: "Race",
      States: {
        Race: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Slow", States: { Slow: { Type: "Wait", Seconds: 3600, End: true } } },
            { StartAt: "Fail", States: { Fail: { ...invoke("fail"), End: true } } },
          ],
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught" }],
          End: true,
        },
        Caught: { Type: "Pass", End: true },
      },
    });
    const record = await run(arn, { value: 1 });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toMatchObject({ Error: "RangeError" });
    expect(record.stopDate! - record.startDate).toBeLessThan(1000);
    expect(historyTypes(record)).toEqual(expect.arrayContaining(["TaskFailed", "ParallelStateFailed", "WaitStateAborted", "PassStateEntered"]));
  });

  test("a Parallel with Retry is run again after its interval on the cloud's clock", async () => {
    let calls = 0;
    world.lambda.handlers.set("once-broken", () => {
      calls++;
      if (calls === 1) {
        const error = new Error("first call fails");
        error.name = "Broken";
        throw error;
      }
      return { calls };
    });
    const { arn } = await deploy({
      StartAt: "Group",
      States: {
        Group: {
          Type: "Parallel",
          Branches: [{ StartAt: "Work", States: { Work: { ...invoke("once-broken"), ResultSelector: { "calls.$": "$.Payload.calls" }, End: true } } }],
          Retry: [{ ErrorEquals: ["Broken"], IntervalSeconds: 30 }],
          ResultPath: "$.group",
          End: true,
        },
      },
    });
    const record = await run(arn, { value: 0 });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toEqual({ value: 0, group: [{ calls: 2 }] });
    const [first, second] = world.lambda.callsOf("once-broken").map((call) => call.at);
    expect(second - first).toBeGreaterThanOrEqual(30_000);
    expect(historyTypes(record).filter((type) => type === "ParallelStateStarted")).toHaveLength(2);
    expect(historyTypes(record).filter((type) => type === "ParallelStateEntered")).toHaveLength(1);
  });
});

describe("other integrations", () => {
  test("sns:publish serializes a JSON Message and passes Subject and MessageAttributes, as the role", async () => {
    const { arn, roleArn } = await deploy({
      StartAt: "Tell",
      States: {
        Tell: {
          Type: "Task",
          Resource: "arn:aws:states:::sns:publish",
          Parameters: { TopicArn: TOPIC, Subject: "Order update", Message: { "orderId.$": "$.orderId", status: "shipped" }, MessageAttributes: { kind: { DataType: "String", StringValue: "update" } } },
          End: true,
        },
      },
    });
    const record = await run(arn, { orderId: "o-1" });
    expect(record.status).toBe("SUCCEEDED");
    expect(world.sns.published).toEqual([
      {
        topicArn: TOPIC,
        message: { Message: JSON.stringify({ orderId: "o-1", status: "shipped" }), Subject: "Order update", MessageAttributes: { kind: { DataType: "String", StringValue: "update" } } },
        from: { kind: "role", arn: roleArn },
      },
    ]);
    expect(record.output).toMatchObject({ MessageId: "msg-1", SdkHttpMetadata: { HttpStatusCode: 200 } });
  });

  test("events:putEvents serializes Detail and appends the execution and state machine to Resources", async () => {
    const { arn } = await deploy({
      StartAt: "Publish",
      States: {
        Publish: {
          Type: "Task",
          Resource: "arn:aws:states:::events:putEvents",
          Parameters: { Entries: [{ EventBusName: "orders", Source: "shop", DetailType: "OrderShipped", Detail: { "orderId.$": "$.orderId" } }] },
          End: true,
        },
      },
    });
    const record = await run(arn, { orderId: "o-2" });
    expect(record.status).toBe("SUCCEEDED");
    expect(world.events.entries).toEqual([
      { EventBusName: "orders", Source: "shop", DetailType: "OrderShipped", Detail: JSON.stringify({ orderId: "o-2" }), Resources: [record.executionArn, arn] },
    ]);
    expect(record.output).toEqual({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
  });

  test("a rejected PutEvents entry fails the state with EventBridge.FailedEntry", async () => {
    const { arn } = await deploy({
      StartAt: "Publish",
      States: { Publish: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ Source: "reject.me", DetailType: "X", Detail: {} }] }, End: true } },
    });
    const record = await run(arn);
    expect(record.status).toBe("FAILED");
    expect(record.error).toBe("EventBridge.FailedEntry");
    expect(JSON.parse(record.cause!)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "NotAuthorizedForSourceException" }] });
  });

  test("a resource the local cloud does not emulate fails the state with States.TaskFailed naming it", async () => {
    const { arn } = await deploy({
      StartAt: "Put",
      States: { Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "t", Item: {} }, End: true } },
    });
    const record = await run(arn);
    expect(record.status).toBe("FAILED");
    expect(record.error).toBe("States.TaskFailed");
    expect(record.cause).toContain("arn:aws:states:::dynamodb:putItem");
  });
});

describe(".waitForTaskToken", () => {
  const callbackDefinition = (extra: Record<string, unknown> = {}) => ({
    StartAt: "Approve",
    States: {
      Approve: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: { FunctionName: fnArn("ask"), Payload: { "token.$": "$$.Task.Token", "orderId.$": "$.orderId" } },
        ResultPath: "$.approval",
        ...extra,
        End: true,
      },
    },
  });

  test("the task pauses until SendTaskSuccess with the token from $$.Task.Token", async () => {
    const tokens: string[] = [];
    world.lambda.handlers.set("ask", (event) => void tokens.push(event.token));
    const { arn } = await deploy(callbackDefinition());
    const { executionArn, done } = world.sfn.startExecution(arn, { orderId: "o-3" });
    await world.cloud.clock.settle();
    expect(world.sfn.execution(executionArn)!.status).toBe("RUNNING");
    expect(tokens).toHaveLength(1);
    expect(world.lambda.calls[0].payload).toEqual({ token: tokens[0], orderId: "o-3" });

    runOperation(world.sfn.operations["AWSStepFunctions.SendTaskSuccess"], { taskToken: tokens[0], output: JSON.stringify({ approved: true }) }, { kind: "operator" });
    await world.cloud.clock.settle();
    const record = await done;
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toEqual({ orderId: "o-3", approval: { approved: true } });
    expect(historyTypes(record)).toEqual(expect.arrayContaining(["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]));
    expect(() => world.sfn.sendTaskSuccess(tokens[0], {})).toThrow(expect.objectContaining({ code: "TaskDoesNotExist" }));
  });

  test("sqs:sendMessage.waitForTaskToken sends the token in the body to the queue; a new attempt gets a new token", async () => {
    const queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/approvals.fifo`;
    const { arn, roleArn } = await deploy({
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          Parameters: { QueueUrl: queueUrl, MessageGroupId: "approvals", MessageBody: { "token.$": "$$.Task.Token", "orderId.$": "$.orderId" } },
          TimeoutSeconds: 60,
          Retry: [{ ErrorEquals: ["States.Timeout"], IntervalSeconds: 10, MaxAttempts: 1 }],
          End: true,
        },
      },
    });
    const { done } = world.sfn.startExecution(arn, { orderId: "o-8" });
    await world.cloud.clock.settle(1000);
    expect(world.sqs.delivered).toHaveLength(1);
    const [first] = world.sqs.delivered;
    expect(first).toMatchObject({ arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:approvals.fifo`, message: { groupId: "approvals" }, from: { kind: "role", arn: roleArn } });
    const firstToken = JSON.parse(first.message.body).token;
    await advance(75_000); // the first attempt times out at 60 s, the retry sends again at 70 s
    expect(world.sqs.delivered).toHaveLength(2);
    const secondToken = JSON.parse(world.sqs.delivered[1].message.body).token;
    expect(secondToken).not.toBe(firstToken);
    expect(() => world.sfn.sendTaskSuccess(firstToken, {})).toThrow(expect.objectContaining({ code: "TaskDoesNotExist" }));
    world.sfn.sendTaskSuccess(secondToken, { approved: "yes" });
    await world.cloud.clock.settle();
    expect(await done).toMatchObject({ status: "SUCCEEDED", output: { approved: "yes" } });
  });

  test("SendTaskFailure fails the task with the given error and cause", async () => {
    const tokens: string[] = [];
    world.lambda.handlers.set("ask", (event) => void tokens.push(event.token));
    const { arn } = await deploy({
      ...callbackDefinition({ Catch: [{ ErrorEquals: ["Rejected"], Next: "No" }] }),
      States: { ...callbackDefinition({ Catch: [{ ErrorEquals: ["Rejected"], Next: "No" }] }).States, No: { Type: "Pass", End: true } },
    });
    const { done } = world.sfn.startExecution(arn, { orderId: "o-4" });
    await world.cloud.clock.settle();
    world.sfn.sendTaskFailure(tokens[0], "Rejected", "the manager said no");
    await world.cloud.clock.settle();
    expect((await done).output).toEqual({ Error: "Rejected", Cause: "the manager said no" });
  });

  test("a missed heartbeat and a TimeoutSeconds fail the task on the cloud's clock; TaskFailed does not catch a timeout", async () => {
    world.lambda.handlers.set("ask", () => undefined);
    const definition = callbackDefinition({
      TimeoutSeconds: 300,
      Catch: [
        { ErrorEquals: ["States.TaskFailed"], Next: "Failed" },
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.timeout", Next: "TimedOut" },
      ],
    });
    const { arn } = await deploy({ ...definition, States: { ...definition.States, Failed: { Type: "Fail", Error: "Wrong" }, TimedOut: { Type: "Pass", End: true } } });
    const record = await run(arn, { orderId: "o-5" });
    expect(record.status).toBe("SUCCEEDED");
    expect(record.output).toMatchObject({ timeout: { Error: "States.Timeout" } });
    expect(record.stopDate! - record.startDate).toBeGreaterThanOrEqual(300_000);
    expect(historyTypes(record)).toContain("TaskTimedOut");
    expect(world.sfn.tokens.pending().size).toBe(0);
  });

  test("HeartbeatSeconds without a heartbeat times the task out; SendTaskHeartbeat keeps it alive", async () => {
    const tokens: string[] = [];
    world.lambda.handlers.set("ask", (event) => void tokens.push(event.token));
    const { arn } = await deploy(callbackDefinition({ HeartbeatSeconds: 60 }));
    const { done } = world.sfn.startExecution(arn, { orderId: "o-6" });
    await advance(50_000);
    world.sfn.sendTaskHeartbeat(tokens[0]);
    await advance(50_000);
    expect(world.sfn.executions(arn)[0].status).toBe("RUNNING");
    await world.cloud.clock.settle();
    const record = await done;
    expect(record.status).toBe("FAILED");
    expect(record.error).toBe("States.HeartbeatTimeout");
    expect(record.stopDate! - record.startDate).toBeGreaterThanOrEqual(110_000);
  });
});

describe("state machines and executions", () => {
  test("an invalid definition fails materialize with InvalidDefinition", async () => {
    const failure = await deploy({ StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } }).catch((error) => error);
    expect(failure).toBeInstanceOf(DeployError);
    expect((failure as DeployError).cause).toMatchObject({ code: "InvalidDefinition" });
    expect(failure.message).toContain("MISSING_TRANSITION_TARGET");
    const notJson = await deploy("{ nope", { name: "broken" }).catch((error) => error);
    expect((notJson as DeployError).cause).toMatchObject({ code: "InvalidDefinition" });
  });

  test("an EXPRESS state machine refuses .waitForTaskToken, names executions express:, and serves StartSyncExecution", async () => {
    const refused = await deploy(
      { StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::sns:publish.waitForTaskToken", Parameters: { TopicArn: TOPIC, "Message.$": "$$.Task.Token" }, End: true } } },
      { type: "EXPRESS", name: "refused" },
    ).catch((error) => error);
    expect((refused as DeployError).cause).toMatchObject({ code: "InvalidDefinition" });

    world = createCloud();
    const { arn } = await deploy({ StartAt: "P", States: { P: { Type: "Pass", Result: { ok: true }, End: true } } }, { type: "EXPRESS" });
    const response: any = await runOperation(world.sfn.operations["AWSStepFunctions.StartSyncExecution"], { stateMachineArn: arn, input: "{}" }, { kind: "operator" });
    expect(response).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify({ ok: true }), stateMachineArn: arn });
    expect(response.executionArn).toMatch(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:express:flow:`));
    expect(typeof response.startDate).toBe("number");
  });

  test("the wire operations: StartExecution, DescribeExecution, GetExecutionHistory, ListExecutions and their errors", async () => {
    world.lambda.handlers.set("double", (event) => event.value * 2);
    const { arn } = await deploy({ StartAt: "Double", States: { Double: { ...invoke("double"), OutputPath: "$.Payload", End: true } } });
    const operator: Principal = { kind: "operator" };
    const call = (operation: string, body: unknown) => runOperation(world.sfn.operations[`AWSStepFunctions.${operation}`], body, operator) as any;

    const started = call("StartExecution", { stateMachineArn: arn, name: "first", input: JSON.stringify({ value: 21 }) });
    expect(started).toEqual({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:flow:first`, startDate: expect.any(Number) });
    expect(started.startDate).toBeLessThan(1e11); // seconds, not milliseconds
    await world.cloud.clock.settle();

    const described = call("DescribeExecution", { executionArn: started.executionArn });
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: arn,
      name: "first",
      status: "SUCCEEDED",
      input: JSON.stringify({ value: 21 }),
      output: "42",
      startDate: started.startDate,
      stopDate: expect.any(Number),
    });

    const history = call("GetExecutionHistory", { executionArn: started.executionArn });
    expect(history.events.map((event: any) => event.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStarted",
      "TaskSucceeded",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    expect(history.events[0]).toMatchObject({ id: 1, previousEventId: 0, timestamp: expect.any(Number), executionStartedEventDetails: { input: JSON.stringify({ value: 21 }), inputDetails: { truncated: false } } });
    expect(history.events[1]).toMatchObject({ id: 2, previousEventId: 1, stateEnteredEventDetails: { name: "Double" } });
    expect(history.events[2].taskScheduledEventDetails).toMatchObject({ resourceType: "lambda", resource: "invoke", parameters: JSON.stringify({ FunctionName: fnArn("double"), Payload: { value: 21 } }) });
    expect(history.events[6].executionSucceededEventDetails.output).toBe("42");
    const page = call("GetExecutionHistory", { executionArn: started.executionArn, maxResults: 5 });
    expect(page.events).toHaveLength(5);
    expect(call("GetExecutionHistory", { executionArn: started.executionArn, nextToken: page.nextToken }).events).toHaveLength(2);

    call("StartExecution", { stateMachineArn: arn, name: "second", input: JSON.stringify({ value: 1 }) });
    await world.cloud.clock.settle();
    const listed = call("ListExecutions", { stateMachineArn: arn, maxResults: 1 });
    expect(listed.executions.map((execution: any) => execution.name)).toEqual(["second"]);
    expect(call("ListExecutions", { stateMachineArn: arn, nextToken: listed.nextToken }).executions.map((execution: any) => execution.name)).toEqual(["first"]);

    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as AwsError).code;
      }
      return "no error";
    };
    expect(code(() => call("StartExecution", { stateMachineArn: arn, name: "first", input: "{}" }))).toBe("ExecutionAlreadyExists");
    expect(code(() => call("StartExecution", { stateMachineArn: arn, name: "bad name" }))).toBe("InvalidName");
    expect(code(() => call("StartExecution", { stateMachineArn: arn, name: "n".repeat(81), input: "{}" }))).toBe("InvalidName");
    expect(code(() => call("StartExecution", { stateMachineArn: arn, name: "n".repeat(80), input: "{}" }))).toBe("no error");
    expect(code(() => call("StartExecution", { stateMachineArn: arn, input: "{nope" }))).toBe("InvalidExecutionInput");
    expect(code(() => call("StartExecution", { stateMachineArn: `${arn}-gone` }))).toBe("StateMachineDoesNotExist");
    expect(code(() => call("StartExecution", { stateMachineArn: "arn:aws:sns:eu-west-1:123456789012:topic" }))).toBe("InvalidArn");
    expect(code(() => call("DescribeExecution", { executionArn: `${started.executionArn}-gone` }))).toBe("ExecutionDoesNotExist");
    expect(code(() => call("DescribeExecution", { executionArn: arn }))).toBe("InvalidArn");
    expect(code(() => call("SendTaskSuccess", { taskToken: "x".repeat(64), output: "{}" }))).toBe("TaskDoesNotExist");
    expect(code(() => call("StartExecution", {}))).toBe("ValidationException");
    expect(call("ListStateMachines", {}).stateMachines).toEqual([{ stateMachineArn: arn, name: "flow", type: "STANDARD", creationDate: expect.any(Number) }]);
    expect(call("DescribeStateMachine", { stateMachineArn: arn })).toMatchObject({ name: "flow", status: "ACTIVE", type: "STANDARD" });
  });

  test("StopExecution aborts a running execution", async () => {
    const { arn } = await deploy({ StartAt: "Wait", States: { Wait: { Type: "Wait", Seconds: 86_400, End: true } } });
    const { executionArn, done } = world.sfn.startExecution(arn, {});
    await world.cloud.clock.settle(1000);
    runOperation(world.sfn.operations["AWSStepFunctions.StopExecution"], { executionArn, error: "Cancelled", cause: "by the test" }, { kind: "operator" });
    await world.cloud.clock.settle();
    const record = await done;
    expect(record).toMatchObject({ status: "ABORTED", error: "Cancelled", cause: "by the test" });
    expect(record.stopDate! - record.startDate).toBeLessThan(86_400_000);
    expect(world.sfn.counters).toMatchObject({ started: 1, aborted: 1, running: 0 });
  });

  test("EventBridge starts an execution as the target's role, authorized for states:StartExecution", async () => {
    const { arn } = await deploy({ StartAt: "Keep", States: { Keep: { Type: "Pass", InputPath: "$.detail", End: true } } });
    const allowed = "arn:aws:iam::123456789012:role/bus-to-flow";
    world.cloud.iam.putRolePolicy(allowed, "start", [{ Effect: "Allow", Action: "states:StartExecution", Resource: arn }]);
    await world.cloud.deliver(arn, { body: JSON.stringify({ "detail-type": "X", detail: { n: 1 } }) }, { kind: "role", arn: allowed });
    await expect(world.cloud.deliver(arn, { body: "{}" }, { kind: "role", arn: "arn:aws:iam::123456789012:role/other" })).rejects.toMatchObject({ code: "AccessDeniedException" });
    await world.cloud.clock.settle();
    const [record] = world.sfn.executions(arn);
    expect(record).toMatchObject({ status: "SUCCEEDED", output: { n: 1 } });
    expect(world.cloud.trace.records.map((entry) => entry.kind)).toEqual(["execution.started", "execution.succeeded"]);
    expect(world.cloud.trace.records[1].payload).toEqual({ n: 1 });
  });

  test("a Map runs its iterations with ItemSelector and $$.Map.Item.Index; $$.Execution.Input is the execution's", async () => {
    world.lambda.handlers.set("label", (event) => `${event.index}:${event.item}:${event.orderId}`);
    const { arn } = await deploy({
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          ItemSelector: { "item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" },
          ItemProcessor: {
            StartAt: "Label",
            States: { Label: { ...invoke("label", { "item.$": "$.item", "index.$": "$.index", "orderId.$": "$$.Execution.Input.orderId" }), OutputPath: "$.Payload", End: true } },
          },
          End: true,
        },
      },
    });
    const record = await run(arn, { orderId: "o-7", items: ["a", "b", "c"] });
    expect(record.output).toEqual(["0:a:o-7", "1:b:o-7", "2:c:o-7"]);
    expect(historyTypes(record).filter((type) => type === "MapIterationSucceeded")).toHaveLength(3);
  });

  test("the endpoint checks each request's shape before the operation runs, and answers a token it did not give with InvalidToken", async () => {
    const { arn } = await deploy({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });
    const endpoint = await startEndpoint(world.cloud, 0);
    const sfn = new SFNClient({ endpoint: endpoint.url, region: REGION, credentials: { accessKeyId: "LOCALOPERATOR", secretAccessKey: "local" } });
    const post = (target: string, body: unknown) =>
      fetch(endpoint.url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AWSStepFunctions.${target}` } }).then(async (r) => ({ status: r.status, body: await r.json() }));
    try {
      await expect(sfn.send(new StartExecutionCommand({} as StartExecutionCommandInput))).rejects.toMatchObject({
        name: "ValidationException",
        message: "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
      });
      expect(await post("StartExecution", { stateMachineArn: arn, input: { not: "text" } })).toMatchObject({ status: 400, body: { __type: "SerializationException" } });
      expect(await post("GetExecutionHistory", { executionArn: 7 })).toMatchObject({ status: 400, body: { __type: "SerializationException" } });
      await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "DONE" as ExecutionStatus }))).rejects.toMatchObject({
        name: "ValidationException",
        message: expect.stringContaining("Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"),
      });
      expect(world.sfn.executions(arn)).toEqual([]);

      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{}" }));
      await world.cloud.clock.settle();
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2 }));
      expect(history.events).toHaveLength(2);
      expect((await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: history.nextToken }))).events?.length).toBeGreaterThan(0);
      const forged = Buffer.from(JSON.stringify({ offset: 10_000 })).toString("base64");
      for (const nextToken of ["forged", forged]) {
        await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }))).rejects.toMatchObject({ name: "InvalidToken", message: `Invalid Token: '${nextToken}'` });
        await expect(sfn.send(new ListStateMachinesCommand({ nextToken }))).rejects.toMatchObject({ name: "InvalidToken" });
      }
      await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: "forged" }))).rejects.toMatchObject({ name: "InvalidToken" });
      expect(world.cloud.errors).toEqual([]);
    } finally {
      sfn.destroy();
      await endpoint.close();
    }
  });
});

describe("the dealership paperwork workflow", () => {
  const busName = "dealership-events-dev-dealership";
  const definition = paperworkDefinition({
    invoice: fnArn("invoice"),
    payment: fnArn("payment"),
    insurance: fnArn("insurance"),
    registration: fnArn("registration"),
    compensation: fnArn("compensation"),
    busName,
    customerTopicArn: TOPIC,
  });
  const order = { priceCents: 3_000_000, depositCents: 500_000, currency: "EUR", paymentToken: "tok-ok" };
  const vehicleShipped = { "detail-type": "VehicleShipped", source: "dealership.factory", detail: { orderId: "ORD-1", order, vin: "WVWZZZ1JZXW000001" } };

  function paperworkFunctions(payment: Handler) {
    world.lambda.handlers.set("invoice", (event) => ({ invoiceId: `INV-${event.orderId}` }));
    world.lambda.handlers.set("payment", payment);
    world.lambda.handlers.set("insurance", (event) => ({ insurancePolicyId: `POL-${event.orderId}` }));
    world.lambda.handlers.set("registration", (event) => ({ registrationId: `REG-${event.orderId}`, plate: "B-DE 123" }));
    world.lambda.handlers.set("compensation", () => ({ compensated: true, actions: [{ type: "refund-deposit", amountCents: order.depositCents }], announce }));
  }
  let announce = true;
  beforeEach(() => {
    announce = true;
  });

  test("the happy path publishes PaperworkCompleted with every reference", async () => {
    paperworkFunctions((event) => ({ paymentId: `PAY-${event.orderId}`, amountCents: event.order.priceCents - event.order.depositCents }));
    const { arn } = await deploy(definition, { type: "EXPRESS", name: "paperwork" });
    const record = await run(arn, vehicleShipped);
    expect(record.status).toBe("SUCCEEDED");
    expect((record.output as any).paperwork).toEqual([
      { invoiceId: "INV-ORD-1" },
      { paymentId: "PAY-ORD-1", amountCents: 2_500_000 },
      { insurancePolicyId: "POL-ORD-1" },
      { registrationId: "REG-ORD-1", plate: "B-DE 123" },
    ]);
    expect(world.events.entries).toHaveLength(1);
    const [published] = world.events.entries;
    expect(published).toMatchObject({ EventBusName: busName, Source: "dealership.paperwork", DetailType: "PaperworkCompleted" });
    expect(JSON.parse(published.Detail!)).toEqual({
      version: "1",
      orderId: "ORD-1",
      order,
      vin: "WVWZZZ1JZXW000001",
      invoiceId: "INV-ORD-1",
      paymentId: "PAY-ORD-1",
      insurancePolicyId: "POL-ORD-1",
      registrationId: "REG-ORD-1",
      plate: "B-DE 123",
    });
    expect(world.lambda.callsOf("compensation")).toHaveLength(0);
    expect(world.sns.published).toHaveLength(0);
  });

  test("a declined payment compensates, publishes PaymentDeclined, tells the customer and succeeds", async () => {
    paperworkFunctions((event) => {
      const error = new Error(`Payment for order ${event.orderId} was declined by the card issuer`);
      error.name = "PaymentDeclined";
      throw error;
    });
    const { arn } = await deploy(definition, { type: "EXPRESS", name: "paperwork" });
    const record = await run(arn, { ...vehicleShipped, detail: { ...vehicleShipped.detail, order: { ...order, paymentToken: "declined-card" } } });
    expect(record.status).toBe("SUCCEEDED");
    expect(world.lambda.callsOf("payment")).toHaveLength(1); // PaymentDeclined is not retried
    const [compensation] = world.lambda.callsOf("compensation");
    expect(compensation.payload).toMatchObject({ orderId: "ORD-1", reason: "Payment for order ORD-1 was declined by the card issuer" });
    expect(world.events.entries.map((entry) => entry.DetailType)).toEqual(["PaymentDeclined"]);
    expect(JSON.parse(world.events.entries[0].Detail!)).toMatchObject({ orderId: "ORD-1", reason: "Payment for order ORD-1 was declined by the card issuer" });
    expect(world.sns.published).toEqual([
      expect.objectContaining({
        topicArn: TOPIC,
        message: expect.objectContaining({
          Subject: "Your vehicle payment was declined",
          Message: "The balance payment for order ORD-1 was declined. Please contact your dealer to arrange payment.",
        }),
      }),
    ]);
    expect(record.output).toMatchObject({ failure: { error: "PaymentDeclined" }, compensation: { actions: [{ type: "refund-deposit" }] } });
  });

  test("a duplicate execution of an order already announced compensates and stays quiet", async () => {
    paperworkFunctions((event) => {
      const error = new Error(`Payment for order ${event.orderId} was declined by the card issuer`);
      error.name = "PaymentDeclined";
      throw error;
    });
    announce = false;
    const { arn } = await deploy(definition, { type: "EXPRESS", name: "paperwork" });
    const record = await run(arn, vehicleShipped);
    expect(record.status).toBe("SUCCEEDED");
    expect(world.lambda.callsOf("compensation")[0].payload).toMatchObject({ executionId: record.executionArn });
    expect(world.events.entries).toEqual([]);
    expect(world.sns.published).toEqual([]);
  });

  test("an unexpected failure is retried, then compensated, announced to operations and the customer, and fails the execution", async () => {
    paperworkFunctions(() => {
      const error = new Error("Payment ledger of order ORD-1 keeps changing");
      error.name = "Error";
      throw error;
    });
    const { arn } = await deploy(definition, { type: "EXPRESS", name: "paperwork" });
    const record = await run(arn, vehicleShipped);
    expect(record.status).toBe("FAILED");
    expect(world.lambda.callsOf("payment")).toHaveLength(1); // not a transient error: not retried
    expect(world.events.entries.map((entry) => entry.DetailType)).toEqual(["PaperworkFailed"]);
    expect(world.sns.published).toEqual([expect.objectContaining({ message: expect.objectContaining({ Subject: "Your vehicle order could not be completed" }) })]);
  });

  test("a transient error of a task is retried until it passes", async () => {
    let calls = 0;
    paperworkFunctions((event) => {
      if (++calls < 4) {
        const error = new Error("ThrottlingException: Rate exceeded");
        error.name = "TransientServiceError";
        throw error;
      }
      return { paymentId: `PAY-${event.orderId}`, amountCents: 1 };
    });
    const { arn } = await deploy(definition, { type: "EXPRESS", name: "paperwork" });
    const record = await run(arn, vehicleShipped);
    expect(record.status).toBe("SUCCEEDED");
    expect(world.lambda.callsOf("payment")).toHaveLength(4);
    expect(world.events.entries.map((entry) => entry.DetailType)).toEqual(["PaperworkCompleted"]);
  });
});
