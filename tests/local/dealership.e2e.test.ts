import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { OrderPlaced, snapshotOf } from "../../handlers/contracts";
import { AwsError } from "../../local/aws-error";
import { deployLocal, LocalDeployment } from "../../local/deploy";
import { accountFor, order, placeOrders, ScenarioOrder, operatorClientConfig, operatorEventBridge, orderIdsOf } from "../../dealership/scenario";
import { queueCounts } from "../../local/queue-counts";
import type { TraceRecord } from "../../local/trace";

/**
 * The dev stack deployed into the local cloud, driven through the AWS SDK as users drive it: each
 * test places its own orders and follows them through the real handler bundles.
 */
let deployment: LocalDeployment;
let events: EventBridgeClient;
const PREFIX = "dealership-events-dev";
const ROLE = (fn: string) => `arn:aws:iam::123456789012:role/${PREFIX}-${fn}`;
const operatorClient = <T>(Client: new (config: object) => T) => new Client(operatorClientConfig(deployment));

beforeAll(async () => {
  deployment = await deployLocal({ stack: "dev", port: 0 });
  events = operatorEventBridge(deployment);
});

afterAll(async () => {
  events?.destroy();
  await deployment?.stop();
});

const busName = () => String(deployment.outputs.busName);
const scenarioOrder = (detail: ReturnType<typeof order>, expected: ScenarioOrder["expected"] = "delivered"): ScenarioOrder => ({
  orderId: detail.orderId,
  story: "test",
  expected,
  entry: OrderPlaced.entry(detail, busName()),
});

async function run(orders: ScenarioOrder[]) {
  const refused = await placeOrders(events, orders);
  await deployment.cloud.clock.settle();
  return accountFor(deployment, orders, refused, 0, 0, queueCounts(deployment.cloud));
}

function timelineOf(orderId: string): TraceRecord[] {
  return deployment.cloud.trace.records.filter((record) => orderIdsOf(record).includes(orderId));
}

const acceptedEvents = (orderId: string, detailType: string, bus = busName()) =>
  timelineOf(orderId).filter((r) => r.kind === "event.accepted" && r.resource === bus && (r.payload as { "detail-type": string })["detail-type"] === detailType).map((r) => r.payload as { detail: Record<string, any> });

const notifications = (orderId: string) => timelineOf(orderId).filter((r) => r.kind === "notification.published").map((r) => String(r.payload));

describe("the dealership in the local cloud", () => {
  it("deploys every resource of the dev stack and warns only about what it keeps inert", () => {
    expect(deployment.warnings.join("\n")).not.toMatch(/not emulated/);
    expect(deployment.warnings.join("\n")).toMatch(/kept inert.*MetricAlarm/);
  });

  it.each(["standard", "premium"] as const)("takes a %s order from OrderPlaced to the customer's notification", async (vehicleClass) => {
    const placed = order(vehicleClass, { orderId: `order-e2e-${vehicleClass}` });
    const report = await run([scenarioOrder(placed)]);
    expect(report.orders[0]).toMatchObject({ outcome: "delivered", notified: true });
    const flow = timelineOf(placed.orderId)
      .filter((r) => r.kind === "event.accepted" && r.resource === busName())
      .map((r) => (r.payload as { "detail-type": string })["detail-type"]);
    expect(flow).toEqual(expect.arrayContaining(["OrderPlaced", "VehicleProduced", "VehicleShipped", "VehicleDelivered", "VehiclePrepared", "PaperworkCompleted", "VehicleReadyForHandover"]));
    const [ready] = acceptedEvents(placed.orderId, "VehicleReadyForHandover");
    // The rule's input transformer writes the customer's message into the topic.
    expect(notifications(placed.orderId)).toEqual([`Good news: your ${placed.model} is ready for handover at the dealership. Vehicle identification number: ${ready.detail.vin}. Order reference: ${placed.orderId}.`]);
    // The order went through the FIFO queue of its own class.
    const queued = timelineOf(placed.orderId).find((r) => r.kind === "message.sent");
    expect(queued?.resource).toBe(`${PREFIX}-${vehicleClass}-orders.fifo`);
  });

  it("compensates a declined payment, tells the customer and the operations inbox", async () => {
    const placed = order("premium", { orderId: "order-e2e-declined", paymentToken: "declined-card" });
    const report = await run([scenarioOrder(placed, "payment-declined")]);
    expect(report.orders[0]).toMatchObject({ outcome: "payment-declined", notified: true });
    const [declined] = acceptedEvents(placed.orderId, "PaymentDeclined");
    expect(declined.detail.reason).toMatch(/declined by the card issuer/);
    expect(acceptedEvents(placed.orderId, "PaperworkCompleted")).toHaveLength(0);
    expect(acceptedEvents(placed.orderId, "VehicleReadyForHandover")).toHaveLength(0);
    expect(notifications(placed.orderId)).toEqual([expect.stringContaining(`The balance payment for order ${placed.orderId} was declined`)]);
    // Compensation ran: the payment is not left charged.
    const dynamodb = operatorClient(DynamoDBClient);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: `${PREFIX}-state`, Key: { id: { S: `payment#${placed.orderId}` } } }));
    expect(Item?.status?.S ?? "none").not.toBe("charged");
    dynamodb.destroy();
    // The failure reached the operations bus and its inbox, where people pick it up.
    expect(acceptedEvents(placed.orderId, "PaymentDeclined", `${PREFIX}-operations`)).toHaveLength(1);
    const sqs = operatorClient(SQSClient);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-operations-inbox` }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => JSON.parse(m.Body!).detail.orderId)).toContain(placed.orderId);
    sqs.destroy();
  });

  it("retries a failing consumer, parks the original event in the DLQ, and a redrive delivers it", async () => {
    const placed = order("standard", { orderId: "order-e2e-redrive" });
    // The factory cannot reach its state table: every delivery of the order fails.
    const heal = deployment.cloud.injectFault({ operation: "DynamoDB_20120810.*", caller: ROLE("factory"), error: new AwsError("ResourceNotFoundException", "Requested resource not found") });
    const parked = await run([scenarioOrder(placed, "parked")]);
    heal();
    expect(parked.orders[0].outcome).toBe("parked");
    const receives = timelineOf(placed.orderId).filter((r) => r.kind === "function.invoked" && r.resource === `${PREFIX}-factory`);
    expect(receives).toHaveLength(3); // maxReceiveCount of the dev stack

    const sqs = operatorClient(SQSClient);
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-standard-orders-dlq.fifo` }))).QueueUrl!;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages", "QueueArn"] }));
    expect(Number(attributes.Attributes!.ApproximateNumberOfMessages)).toBeGreaterThanOrEqual(1);
    // The parked message is the original EventBridge event, unchanged.
    const parkedMessage = deployment.cloud.trace.records.find((r) => r.kind === "message.dead-lettered" && orderIdsOf(r).includes(placed.orderId));
    expect(parkedMessage).toBeDefined();

    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: attributes.Attributes!.QueueArn }));
    await deployment.cloud.clock.settle();
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: attributes.Attributes!.QueueArn }));
    expect(tasks.Results?.[0]?.Status).toBe("COMPLETED");
    sqs.destroy();
    expect(acceptedEvents(placed.orderId, "VehicleReadyForHandover")).toHaveLength(1);
    expect(notifications(placed.orderId)).toHaveLength(1);
  });

  it("sends an asynchronous function's failure, after Lambda's two retries, to the failure destination", async () => {
    const placed = order("premium", { orderId: "order-e2e-async-failure" });
    const heal = deployment.cloud.injectFault({ operation: "AWSEvents.PutEvents", caller: ROLE("transport-dispatch"), error: new AwsError("AccessDeniedException", "not allowed in this test") });
    await run([scenarioOrder(placed, "unaccounted")]);
    heal();
    const dispatches = timelineOf(placed.orderId).filter((r) => r.resource === `${PREFIX}-transport-dispatch`);
    expect(dispatches.map((r) => r.kind)).toEqual(["function.failed", "function.failed", "function.failed", "function.async-failed"]);
    const sqs = operatorClient(SQSClient);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-async-failures` }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const record = Messages!.map((m) => JSON.parse(m.Body!)).find((r) => r.requestPayload?.detail?.orderId === placed.orderId);
    expect(record).toMatchObject({ requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 }, responseContext: { functionError: "Unhandled" } });
    sqs.destroy();
  });

  it("builds, charges and notifies once when the same order arrives twice", async () => {
    const placed = order("standard", { orderId: "order-e2e-duplicate" });
    await run([scenarioOrder(placed), scenarioOrder(placed)]);
    const produced = acceptedEvents(placed.orderId, "VehicleProduced");
    expect(produced.length).toBeGreaterThanOrEqual(1);
    // The factory built once: every VehicleProduced carries the same VIN and production time.
    expect(new Set(produced.map((e) => `${e.detail.vin}|${e.detail.producedAt}`)).size).toBe(1);
    // Payment is idempotent per order: every completed paperwork carries the same payment.
    const completed = acceptedEvents(placed.orderId, "PaperworkCompleted");
    expect(new Set(completed.map((e) => e.detail.paymentId)).size).toBe(1);
    expect(acceptedEvents(placed.orderId, "VehicleReadyForHandover")).toHaveLength(1);
    expect(notifications(placed.orderId)).toHaveLength(1);
  });

  it("refuses a malformed event at the bus and parks a contract-breaking order, losing neither", async () => {
    const refused = await placeOrders(events, [
      { orderId: "order-e2e-not-json", story: "", expected: "parked", entry: { Source: OrderPlaced.source, DetailType: OrderPlaced.detailType, Detail: "{oops", EventBusName: busName() } },
    ]);
    expect(refused).toEqual([{ orderId: "order-e2e-not-json", error: "MalformedDetail: Detail is malformed." }]);
    const bad = { ...order("premium", { orderId: "order-e2e-bad-contract" }), depositCents: 99_999_999 };
    const report = await run([{ orderId: bad.orderId, story: "", expected: "parked", entry: { Source: OrderPlaced.source, DetailType: OrderPlaced.detailType, Detail: JSON.stringify(bad), EventBusName: busName() } }]);
    expect(report.orders[0].outcome).toBe("parked");
    expect(timelineOf(bad.orderId).some((r) => r.kind === "message.dead-lettered" && r.summary.includes("premium-orders-dlq.fifo"))).toBe(true);
  });

  it("leaves nothing unaccounted: no dropped delivery, no unmatched event, no consumer's queue left waiting", () => {
    const trace = deployment.cloud.trace;
    expect(trace.count("target.dropped")).toBe(0);
    expect(trace.count("event.unmatched")).toBe(0);
    expect(queueCounts(deployment.cloud).filter((q) => q.consumed)).toEqual([]);
    expect(deployment.cloud.errors).toEqual([]);
  });
});

describe("the endpoint, with real AWS SDK v3 clients", () => {
  it("answers EventBridge's operator calls: rules, targets, pattern tests", async () => {
    const { ListRulesCommand, DescribeRuleCommand, ListTargetsByRuleCommand, TestEventPatternCommand } = await import("@aws-sdk/client-eventbridge");
    const rules = await events.send(new ListRulesCommand({ EventBusName: busName() }));
    expect(rules.Rules?.map((r) => r.Name)).toEqual(expect.arrayContaining([`${PREFIX}-standard-orders`, `${PREFIX}-notify-customer`, `${PREFIX}-analytics`]));
    const rule = await events.send(new DescribeRuleCommand({ Name: `${PREFIX}-premium-orders`, EventBusName: busName() }));
    expect(JSON.parse(rule.EventPattern!)).toMatchObject({ source: ["dealership.sales"], "detail-type": ["OrderPlaced"] });
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: `${PREFIX}-notify-customer`, EventBusName: busName() }));
    expect(targets.Targets?.[0]).toMatchObject({ InputTransformer: { InputPathsMap: { vin: "$.detail.vin" } }, DeadLetterConfig: { Arn: expect.stringContaining("target-dlq") } });
    const event = { id: "1", account: "123456789012", source: "dealership.sales", time: "2026-01-01T00:00:00Z", region: "eu-west-1", "detail-type": "OrderPlaced", resources: [], detail: { vehicleClass: "premium" } };
    const test = (pattern: object) => events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }));
    expect((await test({ detail: { vehicleClass: [{ "anything-but": "standard" }] } })).Result).toBe(true);
    expect((await test({ detail: { vehicleClass: [{ prefix: "std" }] } })).Result).toBe(false);
    await expect(test({ detail: { vehicleClass: [{ prefix: 1 }] } })).rejects.toMatchObject({ name: "InvalidEventPatternException" });
  });

  it("answers SQS in the JSON protocol: list, attributes, and AWS's error for a missing queue", async () => {
    const { ListQueuesCommand, GetQueueAttributesCommand, GetQueueUrlCommand } = await import("@aws-sdk/client-sqs");
    const sqs = operatorClient(SQSClient);
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: PREFIX }));
    expect(QueueUrls).toHaveLength(11);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-handover` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 3, deadLetterTargetArn: expect.stringContaining("handover-dlq") });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" }))).rejects.toMatchObject({ name: "QueueDoesNotExist" });
    sqs.destroy();
  });

  it("long-polls on the cloud's clock: a 20-second ReceiveMessage on an empty queue costs no real time", async () => {
    const sqs = operatorClient(SQSClient);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-handover-dlq` }));
    const [realStart, cloudStart] = [Date.now(), deployment.cloud.clock.now()];
    const [received] = await Promise.all([sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })), deployment.cloud.clock.settle()]);
    expect(received.Messages ?? []).toEqual([]);
    expect(deployment.cloud.clock.now() - cloudStart).toBeGreaterThanOrEqual(20_000);
    expect(Date.now() - realStart).toBeLessThan(5_000);
    sqs.destroy();
  });

  it("answers SNS in the query protocol and Kinesis in JSON: topics, published messages, stream records", async () => {
    const { SNSClient, ListTopicsCommand, PublishCommand } = await import("@aws-sdk/client-sns");
    const sns = operatorClient(SNSClient);
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    const customerTopic = Topics!.map((t) => t.TopicArn!).find((arn) => arn.endsWith("customer-notifications"))!;
    expect(customerTopic).toBeDefined();
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: customerTopic, Message: "hello from the operator" }));
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    sns.destroy();

    const { KinesisClient, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = await import("@aws-sdk/client-kinesis");
    const kinesis = operatorClient(KinesisClient);
    const StreamName = String(deployment.outputs.analyticsStreamName);
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
    expect(Shards!.length).toBeGreaterThanOrEqual(1);
    const orderIds = new Set<string>();
    for (const shard of Shards!) {
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
      const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const record of Records ?? []) orderIds.add(JSON.parse(Buffer.from(record.Data!).toString("utf8")).detail.orderId);
    }
    // Every dealership event went to analytics, partitioned by order.
    expect(orderIds).toContain("order-e2e-standard");
    kinesis.destroy();
  });

  it("answers Step Functions: state machines, a synchronous express execution, no listing of express executions", async () => {
    const { SFNClient, ListStateMachinesCommand, DescribeStateMachineCommand, StartSyncExecutionCommand, ListExecutionsCommand } = await import("@aws-sdk/client-sfn");
    // StartSyncExecution goes to the "sync-" host of an endpoint: a local endpoint needs the prefix off.
    const sfn = new SFNClient({ ...operatorClientConfig(deployment), disableHostPrefix: true });
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    const paperwork = stateMachines!.find((m) => m.name === `${PREFIX}-paperwork`)!;
    expect(paperwork).toMatchObject({ type: "EXPRESS" });
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: paperwork.stateMachineArn }));
    expect(JSON.parse(described.definition!).States.Paperwork.Type).toBe("Parallel");
    const placed = order("standard", { orderId: "order-e2e-sync" });
    const shipped = { version: "0", id: "e-1", "detail-type": "VehicleShipped", source: "dealership.transport", account: "123456789012", time: "2026-11-27T10:00:00Z", region: "eu-west-1", resources: [],
      detail: { version: "1", orderId: placed.orderId, order: snapshotOf(placed), vin: "5DLKX7ZP9HT123456", carrier: "local-carrier", shippedAt: "2026-11-27T10:00:00Z" } };
    const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: paperwork.stateMachineArn, input: JSON.stringify(shipped) }));
    expect(sync.status).toBe("SUCCEEDED");
    // The output is the event with the four branches' results, as the Parallel state's ResultPath puts them.
    expect(JSON.parse(sync.output!)).toMatchObject({
      detail: { orderId: placed.orderId },
      paperwork: [{ invoiceId: expect.any(String) }, { paymentId: expect.any(String) }, { insurancePolicyId: expect.any(String) }, { registrationId: expect.any(String), plate: expect.any(String) }],
    });
    // AWS lists only standard executions.
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: paperwork.stateMachineArn }))).rejects.toMatchObject({ name: "StateMachineTypeNotSupported" });
    sfn.destroy();
    await deployment.cloud.clock.settle();
    expect(acceptedEvents(placed.orderId, "PaperworkCompleted")).toHaveLength(1);
  });

  it("signs a function's calls as its role: the factory may not publish another service's events", async () => {
    const { PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
    const credentials = deployment.cloud.issueCredentials({ kind: "role", arn: ROLE("factory") }, "test-factory");
    const asFactory = new EventBridgeClient({ endpoint: deployment.endpoint.url, region: "eu-west-1", credentials });
    const entry = (Source: string) => ({ Source, DetailType: "Probe", Detail: "{}", EventBusName: busName() });
    await expect(asFactory.send(new PutEventsCommand({ Entries: [entry("dealership.transport")] }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    const dynamodb = new DynamoDBClient({ endpoint: deployment.endpoint.url, region: "eu-west-1", credentials });
    await expect(dynamodb.send(new GetItemCommand({ TableName: `${PREFIX}-state`, Key: { id: { S: "x" } } }))).resolves.toBeDefined();
    asFactory.destroy();
    dynamodb.destroy();
  });

  it("answers an operation it does not support with an AWS error and keeps serving", async () => {
    const { CreateEventBusCommand, ListEventBusesCommand } = await import("@aws-sdk/client-eventbridge");
    await expect(events.send(new CreateEventBusCommand({ Name: "new-bus" }))).rejects.toMatchObject({ name: "UnknownOperationException", $metadata: { httpStatusCode: 400 } });
    const { EventBuses } = await events.send(new ListEventBusesCommand({}));
    expect(EventBuses?.map((b) => b.Name)).toEqual(expect.arrayContaining(["default", busName()]));
  });
});
