import { checkProgram } from "../../policy/checks";
import { runIsolated } from "../support/program";

/**
 * Whole programs written the way AWS's and Pulumi's documentation write them, correct on AWS: the
 * rules must not raise a mandatory finding on any of them (no false alarms).
 */
function shop() {
  const aws = require("@pulumi/aws");
  const pulumi = require("@pulumi/pulumi");
  const account = "123456789012";
  const doc = (statements: object[]) => aws.iam.getPolicyDocumentOutput({ statements }).json;
  const assume = (service: string) => doc([{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }]);
  const code = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ batchItemFailures: [] });") });

  // A scheduled rule on the default bus invokes a function (permission by rule ARN).
  const cronRole = new aws.iam.Role("cron", { assumeRolePolicy: assume("lambda.amazonaws.com") });
  new aws.iam.RolePolicyAttachment("cron-logs", { role: cronRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" });
  const cron = new aws.lambda.Function("cron", { runtime: "nodejs24.x", handler: "index.handler", code, role: cronRole.arn });
  const nightly = new aws.cloudwatch.EventRule("nightly", { scheduleExpression: "cron(0 2 * * ? *)" });
  new aws.cloudwatch.EventTarget("nightly", { rule: nightly.name, arn: cron.arn });
  new aws.lambda.Permission("nightly", { action: "lambda:InvokeFunction", function: cron.name, principal: "events.amazonaws.com", sourceArn: nightly.arn });

  // A custom bus routes orders to a FIFO queue under a customer key, consumed by a function.
  const bus = new aws.cloudwatch.EventBus("orders", { name: "orders" });
  const key = new aws.kms.Key("orders", {
    enableKeyRotation: true,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        { Sid: "EventBridge", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "*" },
      ],
    }),
  });
  const dlq = new aws.sqs.Queue("orders-dlq", { name: "orders-dlq.fifo", fifoQueue: true, kmsMasterKeyId: key.arn, messageRetentionSeconds: 1209600 });
  const queue = new aws.sqs.Queue("orders", {
    name: "orders.fifo",
    fifoQueue: true,
    contentBasedDeduplication: true,
    kmsMasterKeyId: key.arn,
    visibilityTimeoutSeconds: 180,
    redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
  });
  const big = new aws.cloudwatch.EventRule("big-orders", { eventBusName: bus.name, eventPattern: JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 1000] }] } }) });
  new aws.sqs.QueuePolicy("orders", {
    queueUrl: queue.url,
    policy: doc([{ principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }], actions: ["sqs:SendMessage"], resources: [queue.arn], conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [big.arn] }] }]),
  });
  new aws.cloudwatch.EventTarget("big-orders", { rule: big.name, eventBusName: bus.name, arn: queue.arn, sqsTarget: { messageGroupId: "orders" } });
  const workerRole = new aws.iam.Role("worker", { assumeRolePolicy: assume("lambda.amazonaws.com") });
  new aws.iam.RolePolicyAttachment("worker-sqs", { role: workerRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" });
  new aws.iam.RolePolicy("worker-key", { role: workerRole.id, policy: doc([{ actions: ["kms:Decrypt"], resources: [key.arn] }]) });
  const worker = new aws.lambda.Function("worker", { runtime: "nodejs24.x", handler: "index.handler", code, role: workerRole.arn, timeout: 30 });
  new aws.lambda.EventSourceMapping("worker", { eventSourceArn: queue.arn, functionName: worker.arn, batchSize: 10, functionResponseTypes: ["ReportBatchItemFailures"] });

  // The same bus starts a workflow that calls the worker and publishes to a topic.
  const topic = new aws.sns.Topic("shipped", {});
  const machineRole = new aws.iam.Role("workflow", { assumeRolePolicy: assume("states.amazonaws.com") });
  new aws.iam.RolePolicy("workflow", { role: machineRole.id, policy: doc([{ actions: ["lambda:InvokeFunction"], resources: [worker.arn, pulumi.interpolate`${worker.arn}:*`] }, { actions: ["sns:Publish"], resources: [topic.arn] }]) });
  const machine = new aws.sfn.StateMachine("workflow", {
    roleArn: machineRole.arn,
    definition: pulumi.jsonStringify({
      StartAt: "Work",
      States: {
        Work: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: worker.arn, "Payload.$": "$" }, Next: "Tell" },
        Tell: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: topic.arn, "Message.$": "$" }, End: true },
      },
    }),
  });
  const startRole = new aws.iam.Role("start-workflow", { assumeRolePolicy: assume("events.amazonaws.com") });
  new aws.iam.RolePolicy("start-workflow", { role: startRole.id, policy: doc([{ actions: ["states:StartExecution"], resources: [machine.arn] }]) });
  const shipped = new aws.cloudwatch.EventRule("shipped", { eventBusName: bus.name, eventPattern: JSON.stringify({ "detail-type": ["OrderShipped"] }) });
  new aws.cloudwatch.EventTarget("shipped", { rule: shipped.name, eventBusName: bus.name, arn: machine.arn, roleArn: startRole.arn, inputPath: "$.detail" });

  // The topic fans out to a standard queue (policy for SNS) and an alarm watches the DLQ.
  const audit = new aws.sqs.Queue("audit", {});
  new aws.sqs.QueuePolicy("audit", {
    queueUrl: audit.url,
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: audit.arn, Condition: { ArnEquals: { "aws:SourceArn": topic.arn } } }] }),
  });
  new aws.sns.TopicSubscription("audit", { topic: topic.arn, protocol: "sqs", endpoint: audit.arn });
  new aws.cloudwatch.MetricAlarm("orders-dlq", { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: dlq.name }, statistic: "Maximum", period: 300, evaluationPeriods: 1, threshold: 0, comparisonOperator: "GreaterThanThreshold" });

  // A Kinesis stream and a DynamoDB table with an index.
  const stream = new aws.kinesis.Stream("clicks", { shardCount: 1, retentionPeriod: 48 });
  const putRole = new aws.iam.Role("clicks", { assumeRolePolicy: assume("events.amazonaws.com") });
  new aws.iam.RolePolicy("clicks", { role: putRole.id, policy: doc([{ actions: ["kinesis:PutRecord"], resources: [stream.arn] }]) });
  const clicks = new aws.cloudwatch.EventRule("clicks", { eventBusName: bus.name, eventPattern: JSON.stringify({ "detail-type": ["Click"] }) });
  new aws.cloudwatch.EventTarget("clicks", { rule: clicks.name, eventBusName: bus.name, arn: stream.arn, roleArn: putRole.arn, kinesisTarget: { partitionKeyPath: "$.detail.user" } });
  new aws.dynamodb.Table("carts", {
    billingMode: "PAY_PER_REQUEST",
    hashKey: "id",
    rangeKey: "at",
    attributes: [
      { name: "id", type: "S" },
      { name: "at", type: "N" },
      { name: "user", type: "S" },
    ],
    globalSecondaryIndexes: [{ name: "by-user", hashKey: "user", projectionType: "ALL" }],
  });
}

test("a shop written from AWS's and Pulumi's examples has no mandatory finding", async () => {
  const run = await runIsolated({ project: "shop", stack: "dev", program: shop });
  const findings = checkProgram(run.mocks.resources);
  expect(findings.filter((f) => f.severity === "mandatory")).toEqual([]);
  // Hardening advice it does deserve: source conditions, DLQs, retention; nothing it cannot evaluate.
  expect(findings.filter((f) => f.message.startsWith("cannot evaluate"))).toEqual([]);
});
