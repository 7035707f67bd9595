import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
  BundledFunction,
  BundledFunctionArgs,
  EncryptionKey,
  EventBus,
  EventField,
  Observability,
  PolicyStatement,
  Queue,
  QueueEncryption,
  Topic,
  TargetInput,
  Workflow,
  busTarget,
  lambdaTarget,
  patternFor,
  patternForAny,
  queueTarget,
  stackContext,
  streamTarget,
  topicTarget,
  workflowTarget,
} from "@event-routes/components";
import * as events from "../handlers/contracts";
import { DealershipConfig } from "./config";
import { PAPERWORK_SOURCE, paperworkDefinition } from "./paperwork-workflow";

const HANDLERS = path.join(__dirname, "..", "handlers");

/**
 * The car dealership of docs/design.md section 2, built from the component library: orders queue by
 * vehicle class for the factory, each step publishes the next event, the paperwork runs as a
 * workflow with compensation, failures go to an operations bus, and every event is archived and
 * streamed to analytics.
 */
export function createDealership(config: DealershipConfig) {
  const context = stackContext({ application: "dealership" });
  // Stateful resources keep their data across deployments; prod protects them from deletion.
  const stateful: pulumi.ComponentResourceOptions = { protect: config.protect };

  const key =
    config.encryption === "customer-managed"
      ? new EncryptionKey("dealership", { description: "Dealership events at rest", users: ["events", "cloudwatch"], context }, stateful)
      : undefined;
  const queueEncryption: QueueEncryption = key ? { kind: "kms", key } : { kind: "sqs-managed" };
  const defaultRetry = { maximumRetryAttempts: config.targetRetryAttempts, maximumEventAgeInSeconds: config.targetMaxEventAgeSeconds };

  const bus = new EventBus(
    "dealership",
    {
      description: "Events of the car dealership: orders, production, transport, paperwork, handover",
      archive: { retentionDays: config.archiveRetentionDays },
      logging: config.busLogLevel === "OFF" ? undefined : { level: config.busLogLevel, includeDetail: false, retentionDays: config.logRetentionDays },
      allowPutEventsFrom: config.allowPutEventsFromAccounts.length > 0 ? { accounts: config.allowPutEventsFromAccounts } : undefined,
      defaultRetry,
      deadLetterEncryption: queueEncryption,
      context,
    },
    stateful,
  );
  const operationsBus = new EventBus(
    "operations",
    { description: "Failures of the dealership flow, for people and tools that act on them", defaultRetry, deadLetterEncryption: queueEncryption, context },
    stateful,
  );

  const stateTable = new aws.dynamodb.Table(
    "state",
    {
      name: `${context.namePrefix}-state`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      ttl: { attributeName: "expiration", enabled: true },
      pointInTimeRecovery: { enabled: config.protect },
      serverSideEncryption: key ? { enabled: true, kmsKeyArn: key.arn } : { enabled: false },
      tags: context.tags,
    },
    stateful,
  );
  const analyticsStream = new aws.kinesis.Stream(
    "analytics",
    {
      name: `${context.namePrefix}-analytics`,
      streamModeDetails: { streamMode: "ON_DEMAND" },
      retentionPeriod: 24,
      encryptionType: "KMS",
      kmsKeyId: key ? key.arn : "alias/aws/kinesis",
      tags: context.tags,
    },
    stateful,
  );

  const asyncFailures = new Queue("async-failures", { deadLetter: false, messageRetentionSeconds: 1_209_600, encryption: queueEncryption, context }, stateful);
  // A table under the stack's key is usable only with the key: DynamoDB decrypts the table key
  // for every read and write of the caller.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
  const stateTableAccess: pulumi.Input<PolicyStatement>[] = [
    { Effect: "Allow" as const, Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], Resource: stateTable.arn },
    ...(key ? [key.grantStatement("write")] : []),
  ];
  const handler = (name: string, extra: Partial<BundledFunctionArgs> & { usesState?: boolean } = {}) => {
    const { usesState, ...args } = extra;
    const fn = new BundledFunction(name, {
      entry: path.join(HANDLERS, `${name}.ts`),
      memorySize: config.lambdaMemoryMb,
      timeoutSeconds: config.lambdaTimeoutSeconds,
      logRetentionDays: config.logRetentionDays,
      tracing: config.tracing,
      environment: { POWERTOOLS_SERVICE_NAME: name, ...(usesState ? { STATE_TABLE_NAME: stateTable.name } : {}) },
      context,
      ...args,
    });
    if (usesState) fn.grant("state", stateTableAccess);
    return fn;
  };
  const publishes = (source: string) => ({ publishes: { bus, sources: [source] } });
  const asyncInvoke = { asyncInvoke: { maximumRetryAttempts: 2, onFailure: asyncFailures } };
  // AWS recommends a visibility timeout of six times the consumer's timeout.
  const consumerQueue = { visibilityTimeoutSeconds: 6 * config.lambdaTimeoutSeconds, deadLetter: { maxReceiveCount: config.maxReceiveCount }, encryption: queueEncryption, eventSources: [bus], context };

  // Orders queue per vehicle class; the factory takes each queue in arrival order.
  const factory = handler("factory", { ...publishes(events.VehicleProduced.source), usesState: true });
  const orderQueues = (["standard", "premium"] as const).map((vehicleClass) => {
    const queue = new Queue(`${vehicleClass}-orders`, { ...consumerQueue, fifo: true, contentBasedDeduplication: true }, stateful);
    bus.route(`${vehicleClass}-orders`, {
      description: `${vehicleClass} vehicle orders to the factory queue`,
      pattern: patternFor(events.OrderPlaced, { vehicleClass: [vehicleClass] }),
      targets: [queueTarget(queue, { messageGroupId: vehicleClass })],
    });
    // One batch at a time per queue: an EventBridge rule gives every message the target's one
    // constant message group id, and Lambda runs one batch per message group at a time
    // (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-scaling). A concurrency
    // setting would change nothing; see the README on FIFO order queues.
    factory.consume(queue, { batchSize: 10 });
    return queue;
  });

  // Transport and preparation: each consumes one event and publishes the next.
  const dispatch = handler("transport-dispatch", { ...publishes(events.VehicleShipped.source), ...asyncInvoke });
  bus.route("vehicle-produced", { pattern: patternFor(events.VehicleProduced), targets: [lambdaTarget(dispatch)] });
  const arrival = handler("transport-arrival", { ...publishes(events.VehicleDelivered.source), ...asyncInvoke });
  bus.route("vehicle-shipped-arrival", { pattern: patternFor(events.VehicleShipped), targets: [lambdaTarget(arrival)] });
  const preparation = handler("preparation", { ...publishes(events.VehiclePrepared.source), ...asyncInvoke });
  bus.route("vehicle-delivered", { pattern: patternFor(events.VehicleDelivered), targets: [lambdaTarget(preparation)] });

  // Paperwork in parallel while the vehicle travels, with compensation.
  const customerTopic = new Topic("customer-notifications", { encryptionKey: key, eventSources: [bus], context });
  const tasks = {
    invoice: handler("invoice"),
    payment: handler("payment", { usesState: true }),
    insurance: handler("insurance"),
    registration: handler("registration"),
    compensation: handler("compensation", { usesState: true }),
  };
  const paperwork = new Workflow("paperwork", {
    type: config.workflowType,
    definition: paperworkDefinition({
      invoice: tasks.invoice.arn,
      payment: tasks.payment.arn,
      insurance: tasks.insurance.arn,
      registration: tasks.registration.arn,
      compensation: tasks.compensation.arn,
      busName: bus.name,
      customerTopicArn: customerTopic.arn,
    }),
    calls: { functions: Object.values(tasks), topics: [customerTopic], publishes: { bus, sources: [PAPERWORK_SOURCE] } },
    logging: { level: config.workflowType === "EXPRESS" ? "ALL" : "ERROR", includeExecutionData: false, retentionDays: config.logRetentionDays },
    tracing: config.tracing,
    context,
  });
  bus.route("vehicle-shipped-paperwork", { pattern: patternFor(events.VehicleShipped), targets: [workflowTarget(paperwork)] });

  // Handover when both the paperwork and the preparation are done; then the customer is told.
  const handoverQueue = new Queue("handover", consumerQueue, stateful);
  bus.route("handover-milestones", {
    pattern: patternForAny([events.PaperworkCompleted, events.VehiclePrepared]),
    targets: [queueTarget(handoverQueue)],
  });
  const handover = handler("handover", { ...publishes(events.VehicleReadyForHandover.source), usesState: true });
  handover.consume(handoverQueue, { batchSize: 10 });
  bus.route("notify-customer", {
    pattern: patternFor(events.VehicleReadyForHandover),
    targets: [
      topicTarget(customerTopic, {
        // Plain text: the customer reads the e-mail itself, not a JSON string in quotes.
        input: TargetInput.plainText`Good news: your ${EventField.fromPath("$.detail.model")} is ready for handover at the dealership. Vehicle identification number: ${EventField.fromPath("$.detail.vin")}. Order reference: ${EventField.fromPath("$.detail.orderId")}.`,
      }),
    ],
  });

  // Every event to analytics (the archive keeps them for replay); failures to operations.
  bus.route("analytics", {
    description: "Every dealership event to the analytics stream, partitioned by order",
    pattern: { source: [{ prefix: "dealership." }] },
    targets: [streamTarget(analyticsStream, { partitionKeyPath: "$.detail.orderId", encryptionKey: key })],
  });
  const failures = patternForAny([events.PaymentDeclined, events.RegistrationRejected, events.PaperworkFailed]);
  bus.route("failures-to-operations", { pattern: failures, targets: [busTarget(operationsBus)] });
  const operationsInbox = new Queue("operations-inbox", { ...consumerQueue, eventSources: [operationsBus] }, stateful);
  operationsBus.route("inbox", { pattern: failures, targets: [queueTarget(operationsInbox)] });

  const alarmTopic = new Topic("alarms", { encryptionKey: key, cloudWatchAlarms: true, context });
  config.alarmEmails.forEach((email, i) => alarmTopic.subscribe(`email-${i + 1}`, { protocol: "email", endpoint: email }));
  const functions = [factory, dispatch, arrival, preparation, handover, ...Object.values(tasks)];
  const observability = new Observability("dealership", {
    alarmTopic,
    buses: [bus, operationsBus],
    queues: [...orderQueues, handoverQueue, operationsInbox, asyncFailures],
    functions,
    workflows: [paperwork],
    context,
  });

  return { bus, operationsBus, orderQueues, handoverQueue, operationsInbox, asyncFailures, customerTopic, alarmTopic, analyticsStream, stateTable, paperwork, functions, observability, key };
}
