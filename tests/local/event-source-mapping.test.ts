import { DeployError } from "../../local/aws-error";
import { LocalCloud, runOperation, type Service } from "../../local/cloud";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import type { InvokeResult, LambdaApi } from "../../local/services/contracts";
import { DEFAULT_MAXIMUM_CONCURRENCY, EventSourceMappingService } from "../../local/services/lambda/event-source-mapping";
import { IamService } from "../../local/services/iam/service";
import { SqsService } from "../../local/services/sqs/service";
import { md5OfBody } from "../../local/services/sqs/md5";
import { rejection } from "./support/rejection";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

type Handler = (event: any, invocation: number) => unknown | Promise<unknown>;

/** A Lambda service with handlers written in the test: no bundles, the ESM's view of Lambda only. */
class FakeLambda implements LambdaApi, Service {
  readonly namespace = "lambda";
  readonly resourceTypes = [];
  readonly invocations: { event: any; at: number; from: Principal }[] = [];
  running = 0;
  peak = 0;
  private readonly functions = new Map<string, { role?: string; timeout: number; handler: Handler }>();

  constructor(private readonly cloud: LocalCloud) {}

  define(name: string, handler: Handler, options: { role?: string; timeout?: number } = {}): void {
    this.functions.set(name, { role: options.role ?? roleArn(name), timeout: options.timeout ?? 10, handler });
  }

  materialize(): void {}

  async invoke(functionRef: string, payload: unknown, from: Principal): Promise<InvokeResult> {
    const fn = this.find(functionRef);
    if (!fn) throw new Error(`no function ${functionRef}`);
    const requestId = `request-${this.invocations.length + 1}`;
    this.invocations.push({ event: payload, at: this.cloud.clock.now(), from });
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      return { payload: await fn.handler(payload, this.invocations.length), requestId };
    } catch (error) {
      return { functionError: { errorType: "Error", errorMessage: (error as Error).message }, requestId };
    } finally {
      this.running--;
    }
  }

  async invokeAsync(): Promise<{ requestId: string }> {
    throw new Error("not used by event source mappings");
  }

  functionArn(ref: string): string | undefined {
    const name = this.nameOf(ref);
    return this.functions.has(name) ? functionArn(name) : undefined;
  }

  roleOf(ref: string): string | undefined {
    return this.find(ref)?.role;
  }

  timeoutSecondsOf(ref: string): number | undefined {
    return this.find(ref)?.timeout;
  }

  private find(ref: string) {
    return this.functions.get(this.nameOf(ref));
  }

  private nameOf(ref: string): string {
    return ref.startsWith("arn:") ? ref.split(":")[6] : ref;
  }
}

interface Setup {
  queues?: Record<string, Record<string, unknown>>;
  mappings?: Record<string, Record<string, unknown>>;
  functions?: Record<string, Handler>;
  /** Role policies granted per function (default: the three actions a mapping needs on every queue). */
  grants?: Record<string, string[]>;
  timeouts?: Record<string, number>;
}

async function deploy(setup: Setup) {
  const cloud = new LocalCloud();
  const sqs = new SqsService(cloud);
  const lambda = new FakeLambda(cloud);
  const esm = new EventSourceMappingService(cloud);
  cloud.register(new IamService(cloud)).register(sqs).register(lambda).register(esm);
  for (const [name, handler] of Object.entries(setup.functions ?? { worker: () => undefined })) {
    lambda.define(name, handler, { timeout: setup.timeouts?.[name] });
    const actions = setup.grants?.[name] ?? CONSUME;
    if (actions.length > 0) cloud.iam.putRolePolicy(roleArn(name), "consume", [{ Effect: "Allow", Action: actions, Resource: "arn:aws:sqs:*:*:*" }]);
  }
  const mocks = new RecordingMocks();
  for (const [name, inputs] of Object.entries(setup.queues ?? {})) mocks.newResource({ type: "aws:sqs/queue:Queue", name, inputs: { name, ...inputs } } as any);
  for (const [name, inputs] of Object.entries(setup.mappings ?? {})) {
    mocks.newResource({ type: "aws:lambda/eventSourceMapping:EventSourceMapping", name, inputs: { functionName: functionArn("worker"), ...inputs } } as any);
  }
  await cloud.deploy(mocks.resources);
  return { cloud, sqs, lambda, esm };
}


/** A real (short) pause, so concurrent batches overlap while the cloud counts them as running. */
const busy = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("event source mappings for SQS", () => {
  test("the event is Lambda's SQS event, invoked by the Lambda service", async () => {
    const { cloud, sqs, lambda } = await deploy({
      queues: { inbox: {} },
      mappings: { "inbox-to-worker": { eventSourceArn: queueArn("inbox") } },
    });
    const sent = sqs.send("inbox", { body: '{"order":1}', attributes: { kind: { DataType: "String", StringValue: "order" } } });
    await cloud.clock.settle();
    expect(lambda.invocations).toHaveLength(1);
    const [{ event, from }] = lambda.invocations;
    expect(from).toEqual({ kind: "operator" });
    expect(event).toEqual({
      Records: [
        {
          messageId: sent.messageId,
          receiptHandle: expect.any(String),
          body: '{"order":1}',
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: expect.stringMatching(/^\d+$/),
            SenderId: ACCOUNT,
            ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
          },
          messageAttributes: { kind: { stringValue: "order", stringListValues: [], binaryListValues: [], dataType: "String" } },
          md5OfMessageAttributes: sent.md5OfMessageAttributes,
          md5OfBody: md5OfBody('{"order":1}'),
          eventSource: "aws:sqs",
          eventSourceARN: queueArn("inbox"),
          awsRegion: REGION,
        },
      ],
    });
    expect(sqs.depth("inbox")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(cloud.clock.pendingTimers).toBe(0);
  });

  test("batches hold up to batchSize records (10 by default)", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { small: {}, large: {} },
      mappings: { small: { eventSourceArn: queueArn("small"), batchSize: 3 }, large: { eventSourceArn: queueArn("large") } },
    });
    for (let i = 0; i < 7; i++) sqs.send("small", { body: `s${i}` });
    for (let i = 0; i < 25; i++) sqs.send("large", { body: `l${i}` });
    await cloud.clock.settle();
    const sizes = (prefix: string) => lambda.invocations.filter((i) => i.event.Records[0].body.startsWith(prefix)).map((i) => i.event.Records.length);
    expect(sizes("s")).toEqual([3, 3, 1]);
    expect(sizes("l")).toEqual([10, 10, 5]);
    expect(esm.stats("large")).toMatchObject({ batchesInvoked: 3, recordsProcessed: 25, recordsSucceeded: 25, batchFailures: 0 });
  });

  test("a batching window waits on the clock for a full batch, or invokes what it has when the window ends", async () => {
    const { cloud, sqs, lambda } = await deploy({
      queues: { inbox: {} },
      mappings: { windowed: { eventSourceArn: queueArn("inbox"), batchSize: 50, maximumBatchingWindowInSeconds: 20 } },
    });
    const start = cloud.clock.now();
    for (let i = 0; i < 3; i++) sqs.send("inbox", { body: `early${i}` });
    await cloud.clock.settle();
    expect(lambda.invocations.map((i) => [i.event.Records.length, Math.round((i.at - start) / 1000)])).toEqual([[3, 20]]);

    // A full batch goes at once.
    const fullAt = cloud.clock.now();
    for (let i = 0; i < 50; i++) sqs.send("inbox", { body: `full${i}` });
    await cloud.clock.settle();
    expect(lambda.invocations[1].event.Records).toHaveLength(50);
    expect(lambda.invocations[1].at - fullAt).toBeLessThan(1000);

    // Records arriving during the window join the batch.
    const windowAt = cloud.clock.now();
    sqs.send("inbox", { body: "first" });
    cloud.clock.schedule(5_000, () => sqs.send("inbox", { body: "second" }));
    await cloud.clock.settle();
    expect(lambda.invocations[2].event.Records.map((r: any) => r.body)).toEqual(["first", "second"]);
    expect(Math.round((lambda.invocations[2].at - windowAt) / 1000)).toBe(20);
  });

  test("a partial batch response leaves only the failed records in the queue", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { dlq: {}, inbox: { visibilityTimeoutSeconds: 30, redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("dlq"), maxReceiveCount: 2 }) } },
      mappings: { partial: { eventSourceArn: queueArn("inbox"), functionResponseTypes: ["ReportBatchItemFailures"] } },
      functions: {
        worker: (event) => ({ batchItemFailures: event.Records.filter((r: any) => r.body.startsWith("bad")).map((r: any) => ({ itemIdentifier: r.messageId })) }),
      },
    });
    for (const body of ["ok1", "bad1", "ok2", "bad2", "ok3"]) sqs.send("inbox", { body });
    await cloud.clock.settle(1_000);
    expect(lambda.invocations).toHaveLength(1);
    expect(sqs.depth("inbox")).toEqual({ visible: 0, inFlight: 2, delayed: 0 });

    await cloud.clock.settle();
    expect(lambda.invocations.map((i) => i.event.Records.map((r: any) => r.body))).toEqual([["ok1", "bad1", "ok2", "bad2", "ok3"], ["bad1", "bad2"]]);
    expect(lambda.invocations[1].event.Records.map((r: any) => r.attributes.ApproximateReceiveCount)).toEqual(["2", "2"]);
    // Failed twice with maxReceiveCount 2: the third receive moves them to the DLQ.
    expect(sqs.depth("inbox")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(sqs.depth("dlq").visible).toBe(2);
    expect(esm.stats("partial")).toMatchObject({ batchesInvoked: 2, recordsSucceeded: 3, itemFailures: 4, batchFailures: 0 });
  });

  test("an invalid itemIdentifier or a malformed response fails the whole batch", async () => {
    const answers: unknown[] = [{ batchItemFailures: [{ itemIdentifier: "not-in-this-batch" }] }, "done", { batchItemFailures: [{ id: "x" }] }, { batchItemFailures: [] }];
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { inbox: { visibilityTimeoutSeconds: 10 } },
      mappings: { partial: { eventSourceArn: queueArn("inbox"), functionResponseTypes: ["ReportBatchItemFailures"] } },
      functions: { worker: (_event, invocation) => answers[invocation - 1] },
    });
    sqs.send("inbox", { body: "a" });
    sqs.send("inbox", { body: "b" });
    await cloud.clock.settle();
    expect(lambda.invocations.map((i) => i.event.Records.length)).toEqual([2, 2, 2, 2]);
    expect(lambda.invocations[3].event.Records[0].attributes.ApproximateReceiveCount).toBe("4");
    expect(esm.stats("partial")).toMatchObject({ batchFailures: 3, recordsSucceeded: 2 });
    expect(sqs.depth("inbox").visible + sqs.depth("inbox").inFlight).toBe(0);
  });

  test("a throwing function returns the whole batch; after maxReceiveCount receives it is dead-lettered", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { dlq: {}, inbox: { visibilityTimeoutSeconds: 30, redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("dlq"), maxReceiveCount: 3 }) } },
      mappings: { failing: { eventSourceArn: queueArn("inbox") } },
      functions: {
        worker: () => {
          throw new Error("boom");
        },
      },
    });
    const start = cloud.clock.now();
    const { messageId } = sqs.send("inbox", { body: "poison" });
    await cloud.clock.settle();
    expect(lambda.invocations.map((i) => i.event.Records[0].attributes.ApproximateReceiveCount)).toEqual(["1", "2", "3"]);
    // Each retry waits for the visibility timeout.
    expect(lambda.invocations.map((i) => Math.round((i.at - start) / 1000))).toEqual([0, 30, 60]);
    expect(esm.stats("failing")).toMatchObject({ batchesInvoked: 3, batchFailures: 3, recordsSucceeded: 0 });
    const [dead] = await sqs.receive("dlq");
    expect(dead.messageId).toBe(messageId);
    expect(cloud.trace.count("message.dead-lettered")).toBe(1);
  });

  test("at most maximumConcurrency batches run at once (default 5)", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { capped: {}, uncapped: {} },
      mappings: {
        capped: { eventSourceArn: queueArn("capped"), batchSize: 1, scalingConfig: { maximumConcurrency: 2 } },
      },
      functions: { worker: () => busy() },
    });
    for (let i = 0; i < 12; i++) sqs.send("capped", { body: `${i}` });
    await cloud.clock.settle();
    expect(lambda.invocations).toHaveLength(12);
    expect(lambda.peak).toBe(2);
    expect(esm.stats("capped").peakConcurrency).toBe(2);
    expect(DEFAULT_MAXIMUM_CONCURRENCY).toBe(5);
  });

  test("without scalingConfig a mapping runs up to the local default of concurrent batches", async () => {
    const { cloud, sqs, lambda } = await deploy({
      queues: { inbox: {} },
      mappings: { default: { eventSourceArn: queueArn("inbox"), batchSize: 1 } },
      functions: { worker: () => busy() },
    });
    for (let i = 0; i < 20; i++) sqs.send("inbox", { body: `${i}` });
    await cloud.clock.settle();
    expect(lambda.invocations).toHaveLength(20);
    expect(lambda.peak).toBe(DEFAULT_MAXIMUM_CONCURRENCY);
  });

  test("FIFO: one batch in flight per message group, in order", async () => {
    const inFlight = new Set<string>();
    const processed: string[] = [];
    const { cloud, sqs, lambda } = await deploy({
      queues: { "orders.fifo": { fifoQueue: true, contentBasedDeduplication: true } },
      mappings: { fifo: { eventSourceArn: queueArn("orders.fifo"), batchSize: 2, scalingConfig: { maximumConcurrency: 10 } } },
      functions: {
        worker: async (event) => {
          const groups = [...new Set<string>(event.Records.map((r: any) => r.attributes.MessageGroupId))];
          for (const group of groups) {
            if (inFlight.has(group)) throw new Error(`two batches of group ${group} at once`);
            inFlight.add(group);
          }
          await busy();
          for (const record of event.Records) processed.push(record.body);
          for (const group of groups) inFlight.delete(group);
        },
      },
    });
    for (let i = 1; i <= 5; i++) sqs.send("orders.fifo", { body: `a${i}`, groupId: "a" });
    for (let i = 1; i <= 3; i++) sqs.send("orders.fifo", { body: `b${i}`, groupId: "b" });
    await cloud.clock.settle();
    expect(lambda.invocations.every((i) => i.event.Records.length <= 2)).toBe(true);
    expect(processed.filter((body) => body.startsWith("a"))).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    expect(processed.filter((body) => body.startsWith("b"))).toEqual(["b1", "b2", "b3"]);
    expect(lambda.invocations.every((i) => i.event.Records.every((r: any) => r.attributes.SequenceNumber && r.attributes.MessageDeduplicationId))).toBe(true);
    // Two groups: never more than two batches at once, whatever the concurrency.
    expect(lambda.peak).toBe(2);
    expect(sqs.depth("orders.fifo")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  test("FIFO: a failed batch keeps its group waiting until the messages come back", async () => {
    let failures = 1;
    const { cloud, sqs, lambda } = await deploy({
      queues: { "orders.fifo": { fifoQueue: true, contentBasedDeduplication: true, visibilityTimeoutSeconds: 30 } },
      mappings: { fifo: { eventSourceArn: queueArn("orders.fifo"), batchSize: 1 } },
      functions: {
        worker: () => {
          if (failures-- > 0) throw new Error("first attempt fails");
        },
      },
    });
    sqs.send("orders.fifo", { body: "1", groupId: "g" });
    sqs.send("orders.fifo", { body: "2", groupId: "g" });
    await cloud.clock.settle();
    expect(lambda.invocations.map((i) => [i.event.Records[0].body, i.event.Records[0].attributes.ApproximateReceiveCount])).toEqual([
      ["1", "1"],
      ["1", "2"],
      ["2", "1"],
    ]);
  });

  test("a disabled mapping does not poll; enabling it starts", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { inbox: {} },
      mappings: { off: { eventSourceArn: queueArn("inbox"), enabled: false } },
    });
    sqs.send("inbox", { body: "waiting" });
    await cloud.clock.settle();
    expect(lambda.invocations).toHaveLength(0);
    expect(sqs.depth("inbox").visible).toBe(1);
    esm.setEnabled("off", true);
    await cloud.clock.settle();
    expect(lambda.invocations).toHaveLength(1);
  });

  test("filter criteria: records no filter matches are deleted without an invocation", async () => {
    const { cloud, sqs, lambda, esm } = await deploy({
      queues: { inbox: {} },
      mappings: { filtered: { eventSourceArn: queueArn("inbox"), filterCriteria: { filters: [{ pattern: JSON.stringify({ body: { kind: ["order"] } }) }] } } },
    });
    for (let i = 0; i < 15; i++) sqs.send("inbox", { body: '{"kind":"refund"}' });
    sqs.send("inbox", { body: "plain text" });
    sqs.send("inbox", { body: '{"kind":"order"}' });
    await cloud.clock.settle();
    // A whole batch filtered out does not stall the poller: the order behind it still comes.
    expect(lambda.invocations.flatMap((i) => i.event.Records.map((r: any) => r.body))).toEqual(['{"kind":"order"}']);
    expect(esm.stats("filtered").filteredOut).toBe(16);
    expect(sqs.depth("inbox")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  test("many messages flow through quickly", async () => {
    const { cloud, sqs, lambda } = await deploy({
      queues: { busy: {} },
      mappings: { busy: { eventSourceArn: queueArn("busy"), scalingConfig: { maximumConcurrency: 10 } } },
    });
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) sqs.send("busy", { body: `${i}` });
    await cloud.clock.settle();
    expect(lambda.invocations.reduce((sum, i) => sum + i.event.Records.length, 0)).toBe(10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("the checks CreateEventSourceMapping makes", () => {
  const failure = async (setup: Setup) => {
    const error = await rejection(() => deploy(setup));
    return error instanceof DeployError ? (error.cause as any) : error;
  };

  test("the queue and the function must exist", async () => {
    const noQueue = await failure({ mappings: { m: { eventSourceArn: queueArn("missing") } } });
    expect(noQueue.code).toBe("InvalidParameterValueException");
    expect(noQueue.message).toContain("AWS.SimpleQueueService.NonExistentQueue");
    const noFunction = await failure({ queues: { inbox: {} }, mappings: { m: { eventSourceArn: queueArn("inbox"), functionName: "ghost" } } });
    expect(noFunction.code).toBe("ResourceNotFoundException");
    expect(noFunction.message).toBe("Function not found: ghost");
  });

  test("the execution role must allow ReceiveMessage, DeleteMessage and GetQueueAttributes on the queue", async () => {
    const mapping = { m: { eventSourceArn: queueArn("inbox") } };
    const none = await failure({ queues: { inbox: {} }, mappings: mapping, grants: { worker: [] } });
    expect(none.code).toBe("InvalidParameterValueException");
    expect(none.message).toBe("The provided execution role does not have permissions to call ReceiveMessage on SQS");
    const receiveOnly = await failure({ queues: { inbox: {} }, mappings: mapping, grants: { worker: ["sqs:ReceiveMessage"] } });
    expect(receiveOnly.message).toBe("The provided execution role does not have permissions to call DeleteMessage on SQS");
    const noAttributes = await failure({ queues: { inbox: {} }, mappings: mapping, grants: { worker: ["sqs:ReceiveMessage", "sqs:DeleteMessage"] } });
    expect(noAttributes.message).toBe("The provided execution role does not have permissions to call GetQueueAttributes on SQS");
    const error = await rejection(() => deploy({ queues: { inbox: {} }, mappings: mapping, grants: { worker: [] } }));
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toContain('"m"');
  });

  test("the queue's visibility timeout must be at least the function's timeout", async () => {
    const short = await failure({ queues: { inbox: { visibilityTimeoutSeconds: 30 } }, mappings: { m: { eventSourceArn: queueArn("inbox") } }, timeouts: { worker: 60 } });
    expect(short.message).toBe("Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds");
  });

  test("batch size, batching window, concurrency and response types within AWS's limits", async () => {
    const queues = { inbox: {}, "orders.fifo": { fifoQueue: true } };
    const big = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), batchSize: 100 } } });
    expect(big.message).toBe("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    expect((await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), batchSize: 10_001, maximumBatchingWindowInSeconds: 1 } } })).code).toBe("ValidationException");
    const concurrency = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), scalingConfig: { maximumConcurrency: 1 } } } });
    expect(concurrency.message).toBe("1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2");
    expect((await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), functionResponseTypes: ["Everything"] } } })).code).toBe("ValidationException");
    const fifoWindow = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("orders.fifo"), maximumBatchingWindowInSeconds: 5 } } });
    expect(fifoWindow.message).toBe("Batching window is not supported for FIFO queues.");
    const fifoBatch = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("orders.fifo"), batchSize: 20, maximumBatchingWindowInSeconds: 1 } } });
    expect(fifoBatch.code).toBe("InvalidParameterValueException");
    const tooBig = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), batchSize: 10_001, maximumBatchingWindowInSeconds: 1 } } });
    expect(tooBig.message).toBe("1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000");
    const longWindow = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), maximumBatchingWindowInSeconds: 301 } } });
    expect(longWindow.message).toBe("1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300");
    const manyConcurrent = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), scalingConfig: { maximumConcurrency: 1001 } } } });
    expect(manyConcurrent.message).toBe("1 validation error detected: Value '1001' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value less than or equal to 1000");
    const pattern = JSON.stringify({ body: { kind: ["order"] } });
    const sixFilters = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), filterCriteria: { filters: Array.from({ length: 6 }, () => ({ pattern })) } } } });
    expect(sixFilters.message).toBe("The number of filters exceeds the limit of 5 per event source mapping.");
    const badFilter = await failure({ queues, mappings: { m: { eventSourceArn: queueArn("inbox"), filterCriteria: { filters: [{ pattern: "{not json" }] } } } });
    expect(badFilter.message).toBe("Invalid filter pattern definition.");
  });

  test("mappings of non-SQS sources are reported as not emulated", async () => {
    const { cloud } = await deploy({ mappings: { stream: { eventSourceArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders`, startingPosition: "LATEST" } } });
    expect([...cloud.notEmulated.keys()]).toEqual(["aws:lambda/eventSourceMapping:EventSourceMapping (kinesis source)"]);
  });
});

describe("the read API of mappings", () => {
  test("lists mappings by function and by source, gets one by UUID, and authorizes each call as lambda:<Action>", async () => {
    const { esm } = await deploy({
      queues: { inbox: {}, other: {} },
      mappings: {
        "inbox-to-worker": { eventSourceArn: queueArn("inbox"), batchSize: 5, functionResponseTypes: ["ReportBatchItemFailures"], filterCriteria: { filters: [{ pattern: '{"body":{"kind":["order"]}}' }] } },
        "other-to-worker": { eventSourceArn: queueArn("other"), enabled: false },
      },
    });
    const ops = Object.fromEntries(Object.entries(esm.operations).map(([target, op]) => [target, (input: object, caller: Principal): any => runOperation(op, input, caller)]));
    const operator: Principal = { kind: "operator" };
    const all = ops["Lambda.ListEventSourceMappings"]({ FunctionName: "worker" }, operator).EventSourceMappings;
    expect(all).toHaveLength(2);
    const [inbox] = ops["Lambda.ListEventSourceMappings"]({ EventSourceArn: queueArn("inbox") }, operator).EventSourceMappings;
    expect(inbox).toMatchObject({
      EventSourceArn: queueArn("inbox"),
      FunctionArn: functionArn("worker"),
      BatchSize: 5,
      State: "Enabled",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
    });
    expect(ops["Lambda.GetEventSourceMapping"]({ UUID: inbox.UUID }, operator)).toEqual(inbox);
    expect(ops["Lambda.ListEventSourceMappings"]({ EventSourceArn: queueArn("other") }, operator).EventSourceMappings).toMatchObject([{ State: "Disabled" }]);
    expect(ops["Lambda.ListEventSourceMappings"]({ FunctionName: "nobody" }, operator).EventSourceMappings).toEqual([]);
    expect(() => ops["Lambda.GetEventSourceMapping"]({ UUID: "nothing" }, operator)).toThrow(expect.objectContaining({ code: "ResourceNotFoundException" }));
    expect(() => ops["Lambda.GetEventSourceMapping"]({}, operator)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("'UUID'") }));
    expect(() => ops["Lambda.ListEventSourceMappings"]({ FunctionName: "worker", MaxItems: "1", Marker: "forged" }, operator)).toThrow(expect.objectContaining({ code: "InvalidParameterValueException" }));
    const firstPage = ops["Lambda.ListEventSourceMappings"]({ FunctionName: "worker", MaxItems: "1" }, operator);
    expect(firstPage.EventSourceMappings).toHaveLength(1);
    expect(ops["Lambda.ListEventSourceMappings"]({ FunctionName: "worker", Marker: firstPage.NextMarker }, operator).EventSourceMappings).toHaveLength(1);
    const role: Principal = { kind: "role", arn: roleArn("worker") };
    expect(() => ops["Lambda.ListEventSourceMappings"]({}, role)).toThrow(expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining("lambda:ListEventSourceMappings") }));
    expect(() => ops["Lambda.GetEventSourceMapping"]({ UUID: inbox.UUID }, role)).toThrow(expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining("lambda:GetEventSourceMapping") }));
  });
});
