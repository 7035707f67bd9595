import * as path from "path";
import { ofType, policyOf, runIsolated } from "../support/program";
import type * as Library from "@event-routes/components";

const ECHO = path.join(__dirname, "../fixtures/echo-handler.ts");

/** Runs `build` with a fresh copy of the library, under mocks, and returns the recorded graph. */
function deploy(build: (lib: typeof Library) => unknown) {
  return runIsolated({ stack: "test", program: () => build(require("@event-routes/components")) });
}

/** The error a build throws, run under mocks. */
async function failure(build: (lib: typeof Library) => unknown): Promise<string> {
  try {
    await deploy(build);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the program to fail");
}

describe("EventBus", () => {
  test("creates the bus, an archive of all events, and a bus policy for listed accounts and an organization", async () => {
    const run = await deploy(({ EventBus }) => new EventBus("orders", { archive: { retentionDays: 30 }, allowPutEventsFrom: { accounts: ["111122223333"], organizationId: "o-abcdefghij" } }));
    const [bus] = ofType(run, "aws:cloudwatch/eventBus:EventBus");
    expect(bus.inputs.name).toBe("dealership-events-test-orders");
    expect(ofType(run, "aws:cloudwatch/eventArchive:EventArchive")[0].inputs).toMatchObject({ eventSourceArn: bus.state.arn, retentionDays: 30 });
    const statements = policyOf(ofType(run, "aws:cloudwatch/eventBusPolicy:EventBusPolicy")[0]).Statement;
    expect(statements[0]).toMatchObject({ Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "events:PutEvents", Resource: bus.state.arn });
    expect(statements[1]).toMatchObject({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } } });
  });

  test("logging delivers vended logs of the chosen level to a log group with retention", async () => {
    const run = await deploy(({ EventBus }) => new EventBus("orders", { logging: { level: "INFO", includeDetail: false, retentionDays: 14 } }));
    expect(ofType(run, "aws:cloudwatch/eventBus:EventBus")[0].inputs.logConfig).toEqual({ level: "INFO", includeDetail: "NONE" });
    // INFO sends the ERROR_LOGS records too: one source and one delivery per type up to the level.
    const sources = ofType(run, "aws:cloudwatch/logDeliverySource:LogDeliverySource");
    expect(sources.map((source) => source.inputs.logType)).toEqual(["ERROR_LOGS", "INFO_LOGS"]);
    expect(new Set(sources.map((source) => source.inputs.name)).size).toBe(2);
    expect(ofType(run, "aws:cloudwatch/logGroup:LogGroup")[0].inputs).toMatchObject({ retentionInDays: 14 });
    const deliveries = ofType(run, "aws:cloudwatch/logDelivery:LogDelivery");
    expect(deliveries.map((delivery) => delivery.inputs.deliverySourceName).sort()).toEqual(sources.map((source) => source.inputs.name).sort());
    expect(ofType(run, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")).toHaveLength(1);
  });

  test.each([
    ["ERROR", ["ERROR_LOGS"]],
    ["TRACE", ["ERROR_LOGS", "INFO_LOGS", "TRACE_LOGS"]],
  ] as const)("logging at %s delivers the log types %j", async (level, types) => {
    const run = await deploy(({ EventBus }) => new EventBus("orders", { logging: { level, includeDetail: false, retentionDays: 14 } }));
    expect(ofType(run, "aws:cloudwatch/logDeliverySource:LogDeliverySource").map((source) => source.inputs.logType)).toEqual(types);
    expect(ofType(run, "aws:cloudwatch/logDelivery:LogDelivery")).toHaveLength(types.length);
  });

  test("attaching to an existing bus by ARN creates no bus, and its routes are scoped to that bus", async () => {
    const run = await deploy(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("shared", { existing: { arn: "arn:aws:events:eu-west-1:123456789012:event-bus/central" } });
      const queue = new Queue("inbox", { eventSources: [bus] });
      bus.route("all", { pattern: { source: ["a"] }, targets: [queueTarget(queue)] });
    });
    expect(ofType(run, "aws:cloudwatch/eventBus:EventBus")).toHaveLength(0);
    // Rules name the bus by ARN: an attached bus may belong to another account.
    expect(ofType(run, "aws:cloudwatch/eventRule:EventRule")[0].inputs.eventBusName).toBe("arn:aws:events:eu-west-1:123456789012:event-bus/central");
    const statement = policyOf(ofType(run, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === "inbox")!).Statement[1];
    expect(statement.Condition).toEqual({
      ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/central/*" },
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  test("attaching by name derives the ARN in this account and region", async () => {
    const run = await deploy(({ EventBus, lambdaTarget, BundledFunction }) => {
      const bus = new EventBus("shared", { existing: { name: "central" } });
      bus.route("all", { pattern: { source: ["a"] }, targets: [lambdaTarget(new BundledFunction("fn", { entry: ECHO }))] });
    });
    expect(ofType(run, "aws:lambda/permission:Permission")[0].inputs.sourceArn).toBe("arn:aws:events:eu-west-1:123456789012:rule/central/*");
  });

  test("settings that belong to the bus's owner are refused on an attached bus", async () => {
    expect(await failure(({ EventBus }) => new EventBus("x", { existing: { name: "central" }, archive: { retentionDays: 1 } }))).toMatch(
      'EventBus "x": archive cannot be set on an existing bus',
    );
  });

  test("an invalid account id is named", async () => {
    expect(await failure(({ EventBus }) => new EventBus("x", { allowPutEventsFrom: { accounts: ["12345"] } }))).toMatch('"12345" is not a 12-digit AWS account id');
  });
});

describe("Route", () => {
  test("every target gets a retry policy and the bus's dead-letter queue, which accepts events from the bus only", async () => {
    const run = await deploy(({ EventBus, BundledFunction, lambdaTarget }) => {
      const bus = new EventBus("b", { defaultRetry: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 600 } });
      bus.route("r", { pattern: { source: ["s"] }, targets: [lambdaTarget(new BundledFunction("fn", { entry: ECHO }))] });
    });
    const [target] = ofType(run, "aws:cloudwatch/eventTarget:EventTarget");
    const dlq = ofType(run, "aws:sqs/queue:Queue").find((q) => q.name === "b-target-dlq")!;
    expect(target.inputs.retryPolicy).toEqual({ maximumRetryAttempts: 4, maximumEventAgeInSeconds: 600 });
    expect(target.inputs.deadLetterConfig).toEqual({ arn: dlq.state.arn });
    const allow = policyOf(ofType(run, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === "b-target-dlq")!).Statement[1];
    expect(allow).toMatchObject({ Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: dlq.state.arn });
  });

  test("more than five targets is refused at construction", async () => {
    const message = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      const queues = Array.from({ length: 6 }, (_, i) => new Queue(`q${i}`, { eventSources: [bus] }));
      bus.route("r", { pattern: { source: ["s"] }, targets: queues.map((q) => queueTarget(q)) });
    });
    expect(message).toMatch('Route "r" on bus "b": 6 targets; an EventBridge rule has at most 5');
  });

  test("an invalid pattern fails with the route named", async () => {
    const message = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      bus.route("r", { pattern: { source: "dealership.sales" } as never, targets: [queueTarget(new Queue("q", { eventSources: [bus] }))] });
    });
    expect(message).toMatch('Route "r" on bus "b": invalid event pattern');
  });

  test("a schedule on a custom bus is refused, as AWS would", async () => {
    const message = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      bus.route("r", { schedule: "rate(5 minutes)", targets: [queueTarget(new Queue("q", { eventSources: [bus] }))] });
    });
    expect(message).toMatch("schedules run on the default event bus only");
  });

  test("a queue that does not accept the bus's events is refused, with the fix", async () => {
    const message = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      bus.route("r", { pattern: { source: ["s"] }, targets: [queueTarget(new Queue("q"))] });
    });
    expect(message).toMatch('sends to queue "q", whose policy does not let bus "b" send: add that bus to the queue\'s eventSources');
  });

  test("a FIFO queue target needs a message group id and content-based deduplication", async () => {
    const noGroup = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      bus.route("r", { pattern: { source: ["s"] }, targets: [queueTarget(new Queue("q", { fifo: true, contentBasedDeduplication: true, eventSources: [bus] }))] });
    });
    expect(noGroup).toMatch('FIFO queue "q" needs a messageGroupId');
    const noDedup = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      bus.route("r", { pattern: { source: ["s"] }, targets: [queueTarget(new Queue("q", { fifo: true, eventSources: [bus] }), { messageGroupId: "g" })] });
    });
    expect(noDedup).toMatch("needs contentBasedDeduplication");
    for (const messageGroupId of ["g".repeat(129), "two words"]) {
      const badGroup = await failure(({ EventBus, Queue, queueTarget }) => {
        const bus = new EventBus("b");
        bus.route("r", { pattern: { source: ["s"] }, targets: [queueTarget(new Queue("q", { fifo: true, contentBasedDeduplication: true, eventSources: [bus] }), { messageGroupId })] });
      });
      expect(badGroup).toMatch("must be 1 to 128 printable ASCII characters");
    }
  });

  test("a topic target refuses a JSON string template, whose quotes its subscribers would read", async () => {
    const message = await failure(({ EventBus, Topic, topicTarget, TargetInput }) => {
      const bus = new EventBus("b");
      bus.route("r", { pattern: { source: ["s"] }, targets: [topicTarget(new Topic("t", { eventSources: [bus] }), { input: TargetInput.text`Hello` })] });
    });
    expect(message).toMatch('subscribers of topic "t" would receive with its quotes; use TargetInput.plainText');
  });

  test("a FIFO dead-letter queue is refused", async () => {
    const message = await failure(({ EventBus, Queue, queueTarget }) => {
      const bus = new EventBus("b");
      const dlq = new Queue("dlq", { fifo: true, contentBasedDeduplication: true, deadLetter: false, eventSources: [bus] });
      bus.route("r", { pattern: { source: ["s"] }, targets: [queueTarget(new Queue("q", { eventSources: [bus] }), { deadLetterQueue: dlq })] });
    });
    expect(message).toMatch('FIFO dead-letter queue "dlq"');
  });

  test("Step Functions, Kinesis and bus targets get one role per target, assumable by this bus's rules only", async () => {
    const run = await deploy(({ EventBus, Workflow, workflowTarget, streamTarget, busTarget }) => {
      const aws = require("@pulumi/aws");
      const bus = new EventBus("b");
      const other = new EventBus("other");
      const workflow = new Workflow("wf", { type: "EXPRESS", definition: { StartAt: "A", States: { A: { Type: "Succeed" } } }, calls: {}, logging: { level: "ERROR", includeExecutionData: false, retentionDays: 7 } });
      const stream = new aws.kinesis.Stream("s", { shardCount: 1 });
      bus.route("r1", { pattern: { source: ["a"] }, targets: [workflowTarget(workflow), streamTarget(stream, { partitionKeyPath: "$.detail.id" }), busTarget(other)] });
      bus.route("r2", { pattern: { source: ["b"] }, targets: [workflowTarget(workflow)] });
    });
    const roles = ofType(run, "aws:iam/role:Role").filter((r) => r.name.startsWith("b-to-"));
    expect(roles.map((r) => r.name).sort()).toEqual(["b-to-bus-other", "b-to-s", "b-to-wf"]);
    const trust = policyOf(roles[0], "assumeRolePolicy").Statement[0];
    expect(trust.Condition.ArnLike["aws:SourceArn"]).toMatch(/:rule\/dealership-events-test-b\/\*$/);
    const wfPolicy = policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "b-to-wf")!).Statement;
    const machine = ofType(run, "aws:sfn/stateMachine:StateMachine")[0];
    expect(wfPolicy).toEqual([{ Effect: "Allow", Action: "states:StartExecution", Resource: machine.state.arn }]);
    const kinesis = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").find((t) => t.inputs.kinesisTarget)!;
    expect(kinesis.inputs.kinesisTarget).toEqual({ partitionKeyPath: "$.detail.id" });
  });
});

test("two routes to one bus given by ARN share its delivery role (Pulumi refuses a second role with the same URN)", async () => {
  const run = await deploy(({ EventBus, busTarget }) => {
    const bus = new EventBus("b");
    const partner = { arn: "arn:aws:events:eu-west-1:210987654321:event-bus/partner", name: "partner" };
    bus.route("r1", { pattern: { source: ["a"] }, targets: [busTarget(partner)] });
    bus.route("r2", { pattern: { source: ["b"] }, targets: [busTarget(partner)] });
  });
  expect(ofType(run, "aws:iam/role:Role").map((r) => r.name)).toEqual(["b-to-bus-partner"]);
  expect(ofType(run, "aws:cloudwatch/eventTarget:EventTarget").map((t) => t.inputs.roleArn)).toEqual([expect.stringMatching(/role\/dealership-events-test-b-to-bus-partner$/), expect.stringMatching(/role\/dealership-events-test-b-to-bus-partner$/)]);
});

describe("Queue", () => {
  test("is encrypted, TLS only, and redrives to a dead-letter queue of the same kind", async () => {
    const run = await deploy(({ Queue }) => new Queue("orders", { fifo: true, contentBasedDeduplication: true, deadLetter: { maxReceiveCount: 4 } }));
    const [dlq, queue] = ofType(run, "aws:sqs/queue:Queue");
    expect(queue.inputs.name).toBe("dealership-events-test-orders.fifo");
    expect(dlq.inputs.name).toBe("dealership-events-test-orders-dlq.fifo");
    expect(JSON.parse(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 4 });
    expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    const [deny] = policyOf(ofType(run, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === "orders")!).Statement;
    expect(deny).toMatchObject({ Effect: "Deny", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("a consumer gets a mapping with partial batch responses and only the grants it needs", async () => {
    const run = await deploy(({ Queue, BundledFunction }) => {
      const fn = new BundledFunction("worker", { entry: ECHO, timeoutSeconds: 20 });
      fn.consume(new Queue("jobs", { visibilityTimeoutSeconds: 120 }), { batchSize: 5, maximumConcurrency: 3 });
    });
    const [mapping] = ofType(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mapping.inputs).toMatchObject({ batchSize: 5, functionResponseTypes: ["ReportBatchItemFailures"], scalingConfig: { maximumConcurrency: 3 } });
    const grant = policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "worker-consume-jobs")!).Statement;
    expect(grant[0].Action).toEqual(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]);
  });

  test("a visibility timeout shorter than the consumer's timeout is refused, as AWS would", async () => {
    const message = await failure(({ Queue, BundledFunction }) => {
      new BundledFunction("worker", { entry: ECHO, timeoutSeconds: 60 }).consume(new Queue("jobs", { visibilityTimeoutSeconds: 30 }));
    });
    expect(message).toMatch("visibility timeout (30 s) is shorter than the function timeout (60 s)");
  });

  test("FIFO consumers cannot have a batching window", async () => {
    const message = await failure(({ Queue, BundledFunction }) => {
      new BundledFunction("w", { entry: ECHO }).consume(new Queue("q", { fifo: true }), { maximumBatchingWindowInSeconds: 5 });
    });
    expect(message).toMatch("FIFO queues do not support a batching window");
  });

  test("a queue encrypted with a key that does not allow EventBridge is refused", async () => {
    const message = await failure(({ EventBus, Queue, EncryptionKey }) => {
      const bus = new EventBus("b");
      new Queue("q", { eventSources: [bus], encryption: { kind: "kms", key: new EncryptionKey("k", { users: ["cloudwatch"] }) } });
    });
    expect(message).toMatch('Queue "q" is encrypted with key "k", which does not allow events.amazonaws.com');
  });
});

describe("EncryptionKey", () => {
  test("rotates, and lets the listed services use it with no condition they cannot supply", async () => {
    const run = await deploy(({ EncryptionKey }) => new EncryptionKey("k", { users: ["events", "cloudwatch"] }));
    const [key] = ofType(run, "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    const statements = policyOf(key).Statement;
    expect(statements[1]).toEqual({
      Sid: "AllowEvents",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
      Resource: "*",
    });
    // Through SQS and SNS, EventBridge reaches KMS without aws:SourceAccount/aws:SourceArn.
    expect(JSON.stringify(statements.slice(1))).not.toMatch(/aws:Source/);
  });

  test("grants identities what reading or writing its data needs", async () => {
    const run = await deploy(({ EncryptionKey, BundledFunction }) => {
      const key = new EncryptionKey("k", { users: [] });
      const fn = new BundledFunction("fn", { entry: ECHO });
      fn.grant("reads", [key.grantStatement("read")]);
      fn.grant("writes", [key.grantStatement("write")]);
    });
    const [key] = ofType(run, "aws:kms/key:Key");
    const actions = (name: string) => policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === name)!).Statement[0];
    expect(actions("fn-reads")).toEqual({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: key.state.arn });
    expect(actions("fn-writes")).toEqual({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: key.state.arn });
  });
});

describe("BundledFunction", () => {
  test("deploys an esbuild bundle with its own log group, a role limited to it, and the publish condition", async () => {
    const run = await deploy(({ BundledFunction, EventBus }) => {
      const bus = new EventBus("b");
      new BundledFunction("fn", { entry: ECHO, publishes: { bus, sources: ["shop.orders"] }, environment: { MODE: "x" } });
    });
    const [fn] = ofType(run, "aws:lambda/function:Function");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", handler: "index.handler", architectures: ["arm64"], memorySize: 256, timeout: 10 });
    expect(fn.inputs.environment.variables).toEqual({ MODE: "x", EVENT_BUS_NAME: "dealership-events-test-b" });
    const logs = policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "fn-logs")!).Statement;
    expect(logs).toEqual([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: expect.stringMatching(/log-group:\/aws\/lambda\/dealership-events-test-fn:\*$/) }]);
  });

  test("asynchronous invokes retry and go to a failure queue the role may send to", async () => {
    const run = await deploy(({ BundledFunction, Queue }) => {
      new BundledFunction("fn", { entry: ECHO, asyncInvoke: { maximumRetryAttempts: 1, onFailure: new Queue("failed", { deadLetter: false }) } });
    });
    const [config] = ofType(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    const failed = ofType(run, "aws:sqs/queue:Queue")[0];
    expect(config.inputs).toMatchObject({ maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: failed.state.arn } } });
    const grant = policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "fn-on-failure")!).Statement;
    expect(grant).toEqual([{ Effect: "Allow", Action: "sqs:SendMessage", Resource: failed.state.arn }]);
  });

  test("bad settings and an entry that does not bundle are named", async () => {
    expect(await failure(({ BundledFunction }) => new BundledFunction("fn", { entry: ECHO, memorySize: 64 }))).toMatch('BundledFunction "fn": memorySize must be an integer from 128 to 10240');
    expect(await failure(({ BundledFunction }) => new BundledFunction("fn", { entry: "nope/missing.ts" }))).toMatch('BundledFunction "fn": bundling nope/missing.ts failed');
    expect(await failure(({ BundledFunction }) => new BundledFunction("fn", { entry: ECHO, environment: { AWS_REGION: "x" } }))).toMatch("reserved by Lambda");
  });
});

describe("Workflow", () => {
  test("the role allows exactly the functions, topics and bus the states call", async () => {
    const run = await deploy(({ Workflow, BundledFunction, Topic, EventBus }) => {
      const bus = new EventBus("b");
      const fn = new BundledFunction("task", { entry: ECHO });
      new Workflow("wf", {
        type: "STANDARD",
        definition: { StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: fn.arn }, End: true } } },
        calls: { functions: [fn], topics: [new Topic("t")], publishes: { bus, sources: ["wf"] } },
        logging: { level: "ALL", includeExecutionData: false, retentionDays: 30 },
        tracing: true,
      });
    });
    const [machine] = ofType(run, "aws:sfn/stateMachine:StateMachine");
    const fnArn = ofType(run, "aws:lambda/function:Function")[0].state.arn;
    expect(JSON.parse(machine.inputs.definition).States.A.Parameters.FunctionName).toBe(fnArn);
    expect(machine.inputs.tracingConfiguration).toEqual({ enabled: true });
    const statements = policyOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "wf")!).Statement;
    expect(statements.find((s) => s.Action === "lambda:InvokeFunction").Resource).toEqual([fnArn, `${fnArn}:*`]);
    expect(statements.find((s) => s.Action === "sns:Publish").Resource).toMatch(/^arn:aws:sns:/);
    expect(statements.find((s) => s.Action === "events:PutEvents").Condition).toEqual({ StringEquals: { "events:source": ["wf"] } });
  });
  test("a log retention CloudWatch does not offer is refused", async () => {
    const message = await failure(({ Workflow }) => new Workflow("wf", { type: "EXPRESS", definition: { StartAt: "A", States: { A: { Type: "Succeed" } } }, calls: {}, logging: { level: "ERROR", includeExecutionData: false, retentionDays: 8 } }));
    expect(message).toMatch('Workflow "wf": logging.retentionDays 8 is not a CloudWatch Logs retention');
  });
});

describe("Observability", () => {
  test("alarms on every DLQ, rule failures and DLQ sends, function errors and failed executions, to the alarm topic", async () => {
    const run = await deploy(({ Observability, EventBus, Queue, Topic, BundledFunction, lambdaTarget }) => {
      const bus = new EventBus("b");
      const fn = new BundledFunction("fn", { entry: ECHO });
      bus.route("r", { pattern: { source: ["s"] }, targets: [lambdaTarget(fn)] });
      const queue = new Queue("q");
      new Observability("obs", { alarmTopic: new Topic("alarms", { cloudWatchAlarms: true }), buses: [bus], queues: [queue], functions: [fn] });
    });
    const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const topicArn = ofType(run, "aws:sns/topic:Topic")[0].state.arn;
    expect(alarms.map((a) => `${a.inputs.namespace}/${a.inputs.metricName}`).sort()).toEqual([
      "AWS/Events/FailedInvocations",
      "AWS/Events/InvocationsSentToDlq",
      "AWS/Lambda/Errors",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
    ]);
    for (const alarm of alarms) expect(alarm.inputs.alarmActions).toEqual([topicArn]);
    const dashboard = JSON.parse(ofType(run, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody);
    expect(dashboard.widgets.length).toBeGreaterThanOrEqual(4);
  });
});
