/**
 * An order intake written only with raw @pulumi/aws resources, as a user new to this project would:
 * OrderPlaced on a bus -> rule -> SQS queue -> event source mapping -> a function whose code is
 * inline (not bundled) and uses the AWS SDK for JavaScript v3 the Node.js runtime provides, to
 * publish OrderAccepted -> rule -> a second queue. No component of this repository is used.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const prefix = `raw-orders-${pulumi.getStack()}`;

const bus = new aws.cloudwatch.EventBus("bus", { name: prefix });

/** A queue EventBridge may send to from the one rule named. */
function ruleQueue(name: string, rule: aws.cloudwatch.EventRule): aws.sqs.Queue {
  const queue = new aws.sqs.Queue(name, { name: `${prefix}-${name}`, visibilityTimeoutSeconds: 60, sqsManagedSseEnabled: true });
  new aws.sqs.QueuePolicy(`${name}-policy`, {
    queueUrl: queue.url,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queue.arn, Condition: { ArnEquals: { "aws:SourceArn": rule.arn } } }],
    }),
  });
  new aws.cloudwatch.EventTarget(`${name}-target`, { rule: rule.name, eventBusName: bus.name, targetId: name, arn: queue.arn });
  return queue;
}

const placed = new aws.cloudwatch.EventRule("placed", {
  name: `${prefix}-placed`,
  eventBusName: bus.name,
  eventPattern: JSON.stringify({ source: ["shop.web"], "detail-type": ["OrderPlaced"] }),
});
const inbox = ruleQueue("inbox", placed);

const acceptedRule = new aws.cloudwatch.EventRule("accepted", {
  name: `${prefix}-accepted`,
  eventBusName: bus.name,
  eventPattern: JSON.stringify({ source: ["shop.intake"], "detail-type": ["OrderAccepted"] }),
});
const accepted = ruleQueue("accepted", acceptedRule);

const role = new aws.iam.Role("intake-role", {
  name: `${prefix}-intake`,
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicy("intake-policy", {
  role: role.name,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: inbox.arn },
      { Effect: "Allow", Action: "events:PutEvents", Resource: bus.arn, Condition: { StringEquals: { "events:source": "shop.intake" } } },
    ],
  }),
});

// Inline code: nothing is bundled; @aws-sdk/client-eventbridge comes from the Lambda runtime.
const intakeCode = `
const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");
const events = new EventBridgeClient({});
exports.handler = async (event) => {
  const orders = event.Records.map((record) => JSON.parse(record.body).detail);
  const result = await events.send(new PutEventsCommand({
    Entries: orders.map((order) => ({ EventBusName: process.env.BUS_NAME, Source: "shop.intake", DetailType: "OrderAccepted", Detail: JSON.stringify({ orderId: order.orderId }) })),
  }));
  if (result.FailedEntryCount) throw new Error("PutEvents failed for " + result.FailedEntryCount + " entries");
  return {};
};
`;

const intake = new aws.lambda.Function("intake", {
  name: `${prefix}-intake`,
  runtime: "nodejs24.x",
  handler: "index.handler",
  role: role.arn,
  timeout: 10,
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(intakeCode) }),
  environment: { variables: { BUS_NAME: bus.name } },
});

new aws.lambda.EventSourceMapping("intake-inbox", { eventSourceArn: inbox.arn, functionName: intake.name, batchSize: 10 });

// Operators may invoke the function from the bus's rules (GetPolicy shows this statement).
new aws.lambda.Permission("intake-from-bus", {
  function: intake.name,
  action: "lambda:InvokeFunction",
  principal: "events.amazonaws.com",
  sourceArn: bus.arn.apply((arn) => `${arn.replace(":event-bus/", ":rule/")}/*`),
});

export const busName = bus.name;
export const inboxQueueUrl = inbox.url;
export const acceptedQueueUrl = accepted.url;
export const functionName = intake.name;
