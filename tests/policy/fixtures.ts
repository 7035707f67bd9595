/**
 * Small raw @pulumi/aws programs, one per defect AWS documents: `bent` builds the defect, otherwise
 * the same program done right. Every fixture names the rule that must report it and the logical
 * name of the resource it must report. Names carry a prefix so that all fixtures run in one program.
 */
type Aws = typeof import("@pulumi/aws");
type Pulumi = typeof import("@pulumi/pulumi");
type Input<T> = import("@pulumi/pulumi").Input<T>;

export interface Kit {
  aws: Aws;
  pulumi: Pulumi;
  /** The fixture's prefix: logical and physical names start with it. */
  p: string;
  n(name: string): string;
  role(name: string, service: string, statements?: Input<object>[]): import("@pulumi/aws").iam.Role;
  queue(name: string, args?: Partial<import("@pulumi/aws").sqs.QueueArgs>): import("@pulumi/aws").sqs.Queue;
  /** A queue policy letting `service` send, with the conditions given (default: aws:SourceArn and aws:SourceAccount). */
  letSend(queue: import("@pulumi/aws").sqs.Queue, service: string, condition?: Input<object>, name?: string): import("@pulumi/aws").sqs.QueuePolicy;
  fn(name: string, args?: Partial<import("@pulumi/aws").lambda.FunctionArgs>): import("@pulumi/aws").lambda.Function;
  bus(name?: string): import("@pulumi/aws").cloudwatch.EventBus;
  rule(name: string, bus: import("@pulumi/aws").cloudwatch.EventBus, args?: Partial<import("@pulumi/aws").cloudwatch.EventRuleArgs>): import("@pulumi/aws").cloudwatch.EventRule;
  /** aws:SourceArn of the bus's rules and aws:SourceAccount. */
  fromBus(bus: import("@pulumi/aws").cloudwatch.EventBus): Input<object>;
}

export interface Fixture {
  rule: string;
  /** Logical name (without prefix) of the resource the rule must report. */
  resource: string;
  /** Other resources the same defect is reported on (a broken grant: the target and the grant's holder). */
  also?: string[];
  what: string;
  build(kit: Kit, bent: boolean): void;
}

export const ACCOUNT = "123456789012";

export function makeKit(aws: Aws, pulumi: Pulumi, p: string): Kit {
  const n = (name: string) => `${p}-${name}`;
  const kit: Kit = {
    aws,
    pulumi,
    p,
    n,
    role: (name, service, statements = []) => {
      const role = new aws.iam.Role(n(name), {
        name: n(name),
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] }),
      });
      if (statements.length > 0) new aws.iam.RolePolicy(n(`${name}-policy`), { role: role.name, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) });
      return role;
    },
    queue: (name, args = {}) => new aws.sqs.Queue(n(name), { name: n(name), sqsManagedSseEnabled: true, ...args }),
    letSend: (queue, service, condition, name) =>
      new aws.sqs.QueuePolicy(n(name ?? `queue-policy-${service.split(".")[0]}`), {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "Send", Effect: "Allow", Principal: { Service: service }, Action: "sqs:SendMessage", Resource: queue.arn, ...(condition ? { Condition: condition } : {}) },
          ],
        }),
      }),
    fn: (name, args = {}) =>
      new aws.lambda.Function(n(name), {
        name: n(name),
        runtime: "nodejs24.x",
        handler: "index.handler",
        timeout: 10,
        memorySize: 256,
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};") }),
        role: args.role ?? kit.role(`${name}-role`, "lambda.amazonaws.com").arn,
        ...args,
      }),
    bus: (name = "bus") => new aws.cloudwatch.EventBus(n(name), { name: n(name) }),
    rule: (name, bus, args = {}) => new aws.cloudwatch.EventRule(n(name), { name: n(name), eventBusName: bus.name, eventPattern: JSON.stringify({ source: ["shop"] }), ...args }),
    fromBus: (bus) => ({ ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:events:eu-west-1:${ACCOUNT}:rule/${bus.name}/*` }, StringEquals: { "aws:SourceAccount": ACCOUNT } }),
  };
  return kit;
}

/** A rule on a bus with one SQS target and a dead-letter queue, all granted: the baseline of many fixtures. */
function routeToQueue(kit: Kit, args: Partial<import("@pulumi/aws").cloudwatch.EventTargetArgs> = {}, queueArgs: Partial<import("@pulumi/aws").sqs.QueueArgs> = {}) {
  const { aws } = kit;
  const bus = kit.bus();
  const rule = kit.rule("rule", bus);
  const queue = kit.queue("queue", queueArgs);
  kit.letSend(queue, "events.amazonaws.com", kit.fromBus(bus));
  const target = new aws.cloudwatch.EventTarget(kit.n("target"), {
    rule: rule.name,
    eventBusName: bus.name,
    arn: queue.arn,
    retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 },
    ...args,
  });
  return { bus, rule, queue, target };
}

const statement = (Action: Input<string | string[]>, Resource: Input<string | string[]>) => ({ Effect: "Allow", Action, Resource });

export const FIXTURES: Fixture[] = [
  // --- EventBridge ---
  { rule: "eventbridge-bus-name", resource: "bus", what: 'a bus named "default"', build: (k, bent) => void new k.aws.cloudwatch.EventBus(k.n("bus"), { name: bent ? "default" : k.n("bus") }) },
  { rule: "eventbridge-rule-name", resource: "rule", what: "a rule name with a space", build: (k, bent) => void k.rule("rule", k.bus(), bent ? { name: `${k.p} rule` } : {}) },
  {
    rule: "eventbridge-event-pattern",
    resource: "rule",
    what: "a pattern whose value is not an array",
    build: (k, bent) => void k.rule("rule", k.bus(), { eventPattern: JSON.stringify({ source: bent ? "shop" : ["shop"] }) }),
  },
  {
    rule: "eventbridge-schedule-expression",
    resource: "rule",
    what: "rate(1 minutes): the plural with 1",
    build: (k, bent) => void new k.aws.cloudwatch.EventRule(k.n("rule"), { name: k.n("rule"), scheduleExpression: bent ? "rate(1 minutes)" : "rate(1 minute)" }),
  },
  {
    rule: "eventbridge-schedule-expression",
    resource: "rule",
    what: "a schedule on a custom bus",
    build: (k, bent) => void new k.aws.cloudwatch.EventRule(k.n("rule"), { name: k.n("rule"), scheduleExpression: "cron(0 12 * * ? *)", ...(bent ? { eventBusName: k.bus().name } : {}) }),
  },
  {
    rule: "eventbridge-rule-target-limit",
    resource: "rule",
    also: ["target-5"], what: "six targets on one rule",
    build: (k, bent) => {
      const { bus, rule, queue } = routeToQueue(k, { targetId: "t0" });
      for (let i = 1; i < (bent ? 6 : 5); i++) new k.aws.cloudwatch.EventTarget(k.n(`target-${i}`), { rule: rule.name, eventBusName: bus.name, arn: queue.arn, targetId: `t${i}` });
    },
  },
  {
    rule: "eventbridge-target-rule",
    resource: "target-2",
    what: "a target of a rule on a custom bus that names no bus",
    build: (k, bent) => {
      const { rule, queue, bus } = routeToQueue(k);
      new k.aws.cloudwatch.EventTarget(k.n("target-2"), { rule: rule.name, arn: queue.arn, ...(bent ? {} : { eventBusName: bus.name }) });
    },
  },
  {
    rule: "eventbridge-target-id",
    resource: "target-2",
    what: "two targets with one id on a rule",
    build: (k, bent) => {
      const { bus, rule, queue } = routeToQueue(k, { targetId: "same" });
      new k.aws.cloudwatch.EventTarget(k.n("target-2"), { rule: rule.name, eventBusName: bus.name, arn: queue.arn, targetId: bent ? "same" : "other" });
    },
  },
  { rule: "eventbridge-target-input", resource: "target", what: "an input that is not JSON", build: (k, bent) => void routeToQueue(k, { input: bent ? "{not json" : JSON.stringify({ ok: true }) }) },
  { rule: "eventbridge-target-input", resource: "target", what: "input and inputPath together", build: (k, bent) => void routeToQueue(k, { inputPath: "$.detail", ...(bent ? { input: "{}" } : {}) }) },
  {
    rule: "eventbridge-target-input",
    resource: "target",
    what: "101 input paths",
    build: (k, bent) => {
      const count = bent ? 101 : 100;
      const inputPaths = Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, `$.detail.v${i}`]));
      routeToQueue(k, { inputTransformer: { inputPaths, inputTemplate: `{${Object.keys(inputPaths).map((v) => `"${v}": <${v}>`).join(", ")}}` } });
    },
  },
  {
    rule: "eventbridge-target-input",
    resource: "target",
    what: "an input template that is not JSON",
    build: (k, bent) => void routeToQueue(k, { inputTransformer: { inputPaths: { id: "$.detail.id" }, inputTemplate: bent ? '{"id": <id>,}' : '{"id": <id>, "text": "order <id>"}' } }),
  },
  {
    rule: "eventbridge-target-input",
    resource: "target",
    what: "a placeholder the input paths do not define",
    build: (k, bent) => void routeToQueue(k, { inputTransformer: { inputPaths: { id: "$.detail.id" }, inputTemplate: bent ? '{"id": <orderId>}' : '{"id": <id>}' } }),
  },
  { rule: "eventbridge-target-input", resource: "target", what: "an input of 9,000 characters", build: (k, bent) => void routeToQueue(k, { input: JSON.stringify({ text: "x".repeat(bent ? 9000 : 8000) }) }) },
  { rule: "eventbridge-target-retry", resource: "target", what: "200 retry attempts", build: (k, bent) => void routeToQueue(k, { retryPolicy: { maximumRetryAttempts: bent ? 200 : 185, maximumEventAgeInSeconds: 3600 } }) },
  {
    rule: "eventbridge-target-dead-letter-queue",
    resource: "target",
    what: "a FIFO dead-letter queue",
    build: (k, bent) => {
      const dlq = k.queue("dlq", bent ? { name: k.n("dlq.fifo"), fifoQueue: true } : {});
      const { bus } = routeToQueue(k, { deadLetterConfig: { arn: dlq.arn } });
      k.letSend(dlq, "events.amazonaws.com", k.fromBus(bus), "dlq-policy");
    },
  },
  {
    rule: "eventbridge-target-dead-letter-queue",
    resource: "target",
    what: "a dead-letter queue whose policy does not let the rule send",
    build: (k, bent) => {
      const dlq = k.queue("dlq");
      const { bus } = routeToQueue(k, { deadLetterConfig: { arn: dlq.arn } });
      if (!bent) k.letSend(dlq, "events.amazonaws.com", k.fromBus(bus), "dlq-policy");
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    also: ["fn"], what: "a Lambda target without a permission for EventBridge",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const fn = k.fn("fn");
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: fn.arn });
      if (!bent) new k.aws.lambda.Permission(k.n("permission"), { function: fn.name, action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: rule.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    also: ["queue-policy-sns"], what: "a queue target whose policy admits another service; aws:SourceArn alone is enough when right",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const queue = k.queue("queue");
      // aws:SourceArn alone lets the rule deliver on AWS: only the advisory hardening rule may speak.
      k.letSend(queue, bent ? "sns.amazonaws.com" : "events.amazonaws.com", { ArnEquals: { "aws:SourceArn": rule.arn } });
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: queue.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    what: "a queue policy conditioned on another rule",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const queue = k.queue("queue");
      k.letSend(queue, "events.amazonaws.com", { ArnEquals: { "aws:SourceArn": bent ? k.pulumi.interpolate`${rule.arn}-other` : rule.arn } });
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: queue.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    also: ["topic"], what: "a topic target without a topic policy",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const topic = new k.aws.sns.Topic(k.n("topic"), { name: k.n("topic") });
      if (!bent) {
        new k.aws.sns.TopicPolicy(k.n("topic-policy"), {
          arn: topic.arn,
          policy: k.pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topic.arn, Condition: { ArnEquals: { "aws:SourceArn": rule.arn } } }] }),
        });
      }
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: topic.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    what: "a Step Functions target without a role",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const machine = new k.aws.sfn.StateMachine(k.n("machine"), { name: k.n("machine"), roleArn: k.role("machine-role", "states.amazonaws.com").arn, definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }) });
      const role = bent ? undefined : k.role("delivery", "events.amazonaws.com", [statement("states:StartExecution", machine.arn)]);
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: machine.arn, ...(role ? { roleArn: role.arn } : {}) });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    what: "a Kinesis target whose role may not put records",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const stream = new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), streamModeDetails: { streamMode: "ON_DEMAND" } });
      const role = k.role("delivery", "events.amazonaws.com", [statement(bent ? "kinesis:DescribeStream" : "kinesis:PutRecord", stream.arn)]);
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: stream.arn, roleArn: role.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "delivery",
    also: ["target"], what: "a delivery role EventBridge cannot assume",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const stream = new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), streamModeDetails: { streamMode: "ON_DEMAND" } });
      const role = k.role("delivery", bent ? "lambda.amazonaws.com" : "events.amazonaws.com", [statement("kinesis:PutRecord", stream.arn)]);
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: stream.arn, roleArn: role.arn });
    },
  },
  {
    rule: "eventbridge-target-permission",
    resource: "target",
    what: "a FIFO queue target without a message group id",
    build: (k, bent) => void routeToQueue(k, bent ? {} : { sqsTarget: { messageGroupId: "orders" } }, { name: k.n("queue.fifo"), fifoQueue: true, contentBasedDeduplication: true }),
  },
  {
    rule: "eventbridge-target-reliability",
    resource: "target",
    what: "a target without retry policy and dead-letter queue",
    build: (k, bent) => {
      const dlq = k.queue("dlq");
      const { bus } = routeToQueue(k, bent ? { retryPolicy: undefined } : { deadLetterConfig: { arn: dlq.arn } });
      k.letSend(dlq, "events.amazonaws.com", k.fromBus(bus), "dlq-policy");
    },
  },
  {
    rule: "eventbridge-grant-source-conditions",
    resource: "queue-policy-events",
    what: "a queue policy for EventBridge with aws:SourceArn only",
    build: (k, bent) => {
      const bus = k.bus();
      const rule = k.rule("rule", bus);
      const queue = k.queue("queue");
      k.letSend(queue, "events.amazonaws.com", bent ? { ArnEquals: { "aws:SourceArn": rule.arn } } : { ArnEquals: { "aws:SourceArn": rule.arn }, StringEquals: { "aws:SourceAccount": ACCOUNT } });
      new k.aws.cloudwatch.EventTarget(k.n("target"), { rule: rule.name, eventBusName: bus.name, arn: queue.arn });
    },
  },
  {
    rule: "eventbridge-archive",
    resource: "archive",
    what: "an archive name of 49 characters",
    build: (k, bent) => {
      const bus = k.bus();
      new k.aws.cloudwatch.EventArchive(k.n("archive"), { name: bent ? `${k.p}-${"a".repeat(48)}`.slice(0, 49) : k.n("archive"), eventSourceArn: bus.arn, retentionDays: 7 });
    },
  },
  {
    rule: "eventbridge-bus-policy",
    resource: "bus-policy",
    what: "a bus policy statement without a principal",
    build: (k, bent) => {
      const bus = k.bus();
      new k.aws.cloudwatch.EventBusPolicy(k.n("bus-policy"), {
        eventBusName: bus.name,
        policy: k.pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Sid: "Partner", Effect: "Allow", ...(bent ? {} : { Principal: { AWS: "arn:aws:iam::210987654321:root" } }), Action: "events:PutEvents", Resource: bus.arn }] }),
      });
    },
  },
  // --- SQS, SNS ---
  { rule: "sqs-queue-attributes", resource: "queue", what: "a visibility timeout of 50,000 s", build: (k, bent) => void k.queue("queue", { visibilityTimeoutSeconds: bent ? 50000 : 43200 }) },
  { rule: "sqs-queue-attributes", resource: "queue", what: "a retention of 30 s", build: (k, bent) => void k.queue("queue", { messageRetentionSeconds: bent ? 30 : 60 }) },
  { rule: "sqs-queue-name", resource: "queue", what: "a FIFO queue without .fifo", build: (k, bent) => void k.queue("queue", { fifoQueue: true, name: bent ? k.n("queue") : k.n("queue.fifo") }) },
  {
    rule: "sqs-redrive",
    resource: "queue",
    what: "a FIFO queue redriven to a standard queue",
    build: (k, bent) => {
      const dlq = k.queue("dlq", bent ? {} : { name: k.n("dlq.fifo"), fifoQueue: true });
      k.queue("queue", { name: k.n("queue.fifo"), fifoQueue: true, redrivePolicy: k.pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) });
    },
  },
  {
    rule: "sqs-redrive",
    resource: "queue",
    what: "maxReceiveCount 0",
    build: (k, bent) => {
      const dlq = k.queue("dlq");
      k.queue("queue", { redrivePolicy: k.pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: bent ? 0 : 5 }) });
    },
  },
  {
    rule: "sqs-redrive",
    resource: "queue",
    what: "a dead-letter queue in another Region",
    build: (k, bent) => {
      const dlq = k.queue("dlq");
      k.queue("queue", { redrivePolicy: k.pulumi.jsonStringify({ deadLetterTargetArn: bent ? `arn:aws:sqs:us-east-1:${ACCOUNT}:${k.n("dlq")}` : dlq.arn, maxReceiveCount: 5 }) });
    },
  },
  {
    rule: "sqs-redrive",
    resource: "queue",
    what: "a dead-letter queue whose redrive allow policy denies every source",
    also: ["dlq"],
    build: (k, bent) => {
      const dlq = k.queue("dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: bent ? "denyAll" : "allowAll" }) });
      k.queue("queue", { redrivePolicy: k.pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }) });
    },
  },
  {
    rule: "sqs-queue-baseline",
    resource: "queue",
    what: "an unencrypted queue without a dead-letter queue",
    build: (k, bent) => {
      if (bent) return void k.queue("queue", { sqsManagedSseEnabled: false });
      const dlq = k.queue("dlq", { messageRetentionSeconds: 1209600 });
      k.queue("queue", { redrivePolicy: k.pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }) });
      new k.aws.cloudwatch.MetricAlarm(k.n("dlq-depth"), { name: k.n("dlq-depth"), namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: dlq.name }, statistic: "Maximum", period: 60, evaluationPeriods: 1, threshold: 0, comparisonOperator: "GreaterThanThreshold" });
    },
  },
  {
    rule: "sqs-tls-only",
    resource: "queue-policy",
    what: "a queue policy that allows plain HTTP",
    build: (k, bent) => {
      const queue = k.queue("queue");
      new k.aws.sqs.QueuePolicy(k.n("queue-policy"), {
        queueUrl: queue.url,
        policy: k.pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            ...(bent ? [] : [{ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } }]),
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sqs:SendMessage", Resource: queue.arn },
          ],
        }),
      });
    },
  },
  { rule: "sns-topic", resource: "topic", what: "a FIFO topic without .fifo", build: (k, bent) => void new k.aws.sns.Topic(k.n("topic"), { fifoTopic: true, name: bent ? k.n("topic") : k.n("topic.fifo") }) },
  { rule: "sns-topic", resource: "topic", what: "content-based deduplication on a standard topic", build: (k, bent) => void new k.aws.sns.Topic(k.n("topic"), { name: k.n("topic"), ...(bent ? { contentBasedDeduplication: true } : {}) }) },
  {
    rule: "sns-subscription-delivery",
    resource: "subscription",
    what: "raw message delivery to a function",
    build: (k, bent) => {
      const topic = new k.aws.sns.Topic(k.n("topic"), { name: k.n("topic") });
      const fn = k.fn("fn");
      new k.aws.lambda.Permission(k.n("permission"), { function: fn.name, action: "lambda:InvokeFunction", principal: "sns.amazonaws.com", sourceArn: topic.arn });
      new k.aws.sns.TopicSubscription(k.n("subscription"), { topic: topic.arn, protocol: "lambda", endpoint: fn.arn, ...(bent ? { rawMessageDelivery: true } : {}) });
    },
  },
  {
    rule: "sns-subscription-delivery",
    resource: "subscription",
    also: ["queue-policy-events"], what: "a queue subscribed to a topic without a policy for SNS",
    build: (k, bent) => {
      const topic = new k.aws.sns.Topic(k.n("topic"), { name: k.n("topic") });
      const queue = k.queue("queue");
      k.letSend(queue, bent ? "events.amazonaws.com" : "sns.amazonaws.com", { ArnEquals: { "aws:SourceArn": topic.arn } });
      new k.aws.sns.TopicSubscription(k.n("subscription"), { topic: topic.arn, protocol: "sqs", endpoint: queue.arn });
    },
  },
  // --- Lambda ---
  { rule: "lambda-function-settings", resource: "fn", what: "a timeout of 901 s", build: (k, bent) => void k.fn("fn", { timeout: bent ? 901 : 900 }) },
  { rule: "lambda-function-settings", resource: "fn", what: "64 MB of memory", build: (k, bent) => void k.fn("fn", { memorySize: bent ? 64 : 128 }) },
  { rule: "lambda-function-settings", resource: "fn", what: "5 KB of environment variables", build: (k, bent) => void k.fn("fn", { environment: { variables: { BIG: "x".repeat(bent ? 5000 : 3000) } } }) },
  { rule: "lambda-function-settings", resource: "fn", what: "six layers", build: (k, bent) => void k.fn("fn", { layers: Array.from({ length: bent ? 6 : 5 }, (_, i) => `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:l${i}:1`) }) },
  { rule: "lambda-runtime", resource: "fn", what: "the retired nodejs14.x", build: (k, bent) => void k.fn("fn", { runtime: bent ? "nodejs14.x" : "nodejs24.x" }) },
  { rule: "lambda-runtime", resource: "fn", what: "a runtime that does not exist", build: (k, bent) => void k.fn("fn", { runtime: bent ? "nodejs22" : "nodejs24.x" }) },
  { rule: "lambda-runtime", resource: "fn", what: "nodejs18.x, blocked for new functions since 2026-02-03", build: (k, bent) => void k.fn("fn", { runtime: bent ? "nodejs18.x" : "nodejs24.x" }) },
  { rule: "lambda-runtime-deprecated", resource: "fn", what: "the deprecated python3.9", build: (k, bent) => void k.fn("fn", { runtime: bent ? "python3.9" : "python3.13", handler: "index.handler" }) },
  { rule: "lambda-execution-role", resource: "fn", what: "a role Lambda cannot assume", build: (k, bent) => void k.fn("fn", { role: k.role("role", bent ? "ec2.amazonaws.com" : "lambda.amazonaws.com").arn }) },
  {
    rule: "lambda-execution-role",
    resource: "fn",
    what: "a dead-letter queue the role may not send to",
    build: (k, bent) => {
      const dlq = k.queue("dlq");
      k.fn("fn", { deadLetterConfig: { targetArn: dlq.arn }, role: k.role("role", "lambda.amazonaws.com", bent ? [] : [statement("sqs:SendMessage", dlq.arn)]).arn });
    },
  },
  {
    rule: "lambda-permission",
    resource: "permission",
    what: 'the action "invoke"',
    build: (k, bent) => void new k.aws.lambda.Permission(k.n("permission"), { function: k.fn("fn").name, action: bent ? "invoke" : "lambda:InvokeFunction", principal: "sns.amazonaws.com" }),
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "maximumConcurrency 1",
    build: (k, bent) => {
      const queue = k.queue("queue", { visibilityTimeoutSeconds: 60 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, scalingConfig: { maximumConcurrency: bent ? 1 : 2 }, functionResponseTypes: ["ReportBatchItemFailures"] });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    also: ["queue"], what: "a visibility timeout below the function timeout",
    build: (k, bent) => {
      const queue = k.queue("queue", { visibilityTimeoutSeconds: bent ? 5 : 60 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, functionResponseTypes: ["ReportBatchItemFailures"] });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    also: ["role"], what: "a role that may not receive from the queue",
    build: (k, bent) => {
      const queue = k.queue("queue", { visibilityTimeoutSeconds: 60 });
      const managed = bent ? [] : ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"];
      const role = k.role("role", "lambda.amazonaws.com");
      for (const [i, policyArn] of managed.entries()) new k.aws.iam.RolePolicyAttachment(k.n(`attach-${i}`), { role: role.name, policyArn });
      const fn = k.fn("fn", { role: role.arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, functionResponseTypes: ["ReportBatchItemFailures"] });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "a batching window on a FIFO queue",
    build: (k, bent) => {
      const queue = k.queue("queue", { name: k.n("queue.fifo"), fifoQueue: true, visibilityTimeoutSeconds: 60 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, functionResponseTypes: ["ReportBatchItemFailures"], ...(bent ? { maximumBatchingWindowInSeconds: 5 } : {}) });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "a consumer of a queue under a customer key without kms:Decrypt (through a managed policy)",
    build: (k, bent) => {
      const key = new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true });
      const queue = k.queue("queue", { sqsManagedSseEnabled: undefined, kmsMasterKeyId: key.arn, visibilityTimeoutSeconds: 60 });
      const role = k.role("role", "lambda.amazonaws.com", bent ? [] : [statement("kms:Decrypt", key.arn)]);
      new k.aws.iam.RolePolicyAttachment(k.n("attach"), { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" });
      const fn = k.fn("fn", { role: role.arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, functionResponseTypes: ["ReportBatchItemFailures"] });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "a stream mapping with parallelizationFactor 11",
    build: (k, bent) => {
      const stream = new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), shardCount: 1 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"], stream.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: stream.arn, functionName: fn.arn, startingPosition: "LATEST", parallelizationFactor: bent ? 11 : 10 });
    },
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "a filter pattern that is not a pattern",
    build: (k, bent) => {
      const queue = k.queue("queue", { visibilityTimeoutSeconds: 60 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, functionResponseTypes: ["ReportBatchItemFailures"], filterCriteria: { filters: [{ pattern: JSON.stringify({ body: { kind: bent ? "order" : ["order"] } }) }] } });
    },
  },
  {
    rule: "lambda-permission",
    resource: "permission",
    what: "a source account that is not 12 digits",
    build: (k, bent) => void new k.aws.lambda.Permission(k.n("permission"), { function: k.fn("fn").name, action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceAccount: bent ? "1234" : ACCOUNT }),
  },
  {
    rule: "lambda-event-source-mapping",
    resource: "mapping",
    what: "AT_TIMESTAMP without a timestamp",
    build: (k, bent) => {
      const stream = new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), shardCount: 1 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"], stream.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: stream.arn, functionName: fn.arn, startingPosition: "AT_TIMESTAMP", ...(bent ? {} : { startingPositionTimestamp: "2026-01-01T00:00:00Z" }) });
    },
  },
  {
    rule: "lambda-event-source-mapping-baseline",
    resource: "mapping",
    what: "no partial batch responses",
    build: (k, bent) => {
      const queue = k.queue("queue", { visibilityTimeoutSeconds: 60 });
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", [statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue.arn)]).arn });
      new k.aws.lambda.EventSourceMapping(k.n("mapping"), { eventSourceArn: queue.arn, functionName: fn.arn, ...(bent ? {} : { functionResponseTypes: ["ReportBatchItemFailures"] }) });
    },
  },
  {
    rule: "lambda-async-invoke-config",
    resource: "invoke-config",
    what: "three asynchronous retries",
    build: (k, bent) => void new k.aws.lambda.FunctionEventInvokeConfig(k.n("invoke-config"), { functionName: k.fn("fn").name, maximumRetryAttempts: bent ? 3 : 2 }),
  },
  {
    rule: "lambda-async-invoke-config",
    resource: "invoke-config",
    what: "a failure destination the role may not send to",
    build: (k, bent) => {
      const dlq = k.queue("failures");
      const fn = k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", bent ? [statement("sqs:GetQueueUrl", dlq.arn)] : [statement("sqs:SendMessage", dlq.arn)]).arn });
      new k.aws.lambda.FunctionEventInvokeConfig(k.n("invoke-config"), { functionName: fn.name, destinationConfig: { onFailure: { destination: dlq.arn } } });
    },
  },
  // --- Step Functions ---
  {
    rule: "stepfunctions-definition",
    resource: "machine",
    what: "a Next that names no state",
    build: (k, bent) =>
      void new k.aws.sfn.StateMachine(k.n("machine"), {
        name: k.n("machine"),
        roleArn: k.role("role", "states.amazonaws.com").arn,
        definition: JSON.stringify({ StartAt: "Wait", States: { Wait: { Type: "Wait", Seconds: 1, Next: bent ? "Missing" : "Done" }, Done: { Type: "Succeed" } } }),
      }),
  },
  {
    rule: "stepfunctions-definition",
    resource: "machine",
    what: "an EXPRESS workflow waiting for a task token",
    build: (k, bent) => {
      const queue = k.queue("queue");
      const role = k.role("role", "states.amazonaws.com", [statement("sqs:SendMessage", queue.arn)]);
      new k.aws.sfn.StateMachine(k.n("machine"), {
        name: k.n("machine"),
        type: bent ? "EXPRESS" : "STANDARD",
        roleArn: role.arn,
        definition: k.pulumi.jsonStringify({ StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters: { QueueUrl: queue.url, MessageBody: { "token.$": "$$.Task.Token" } }, End: true } } }),
      });
    },
  },
  {
    rule: "stepfunctions-definition",
    resource: "machine",
    what: "a name with a space (a dot is fine)",
    build: (k, bent) =>
      void new k.aws.sfn.StateMachine(k.n("machine"), { name: bent ? `${k.p} machine` : `${k.p}.machine`, roleArn: k.role("role", "states.amazonaws.com").arn, definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }) }),
  },
  {
    rule: "stepfunctions-role",
    resource: "machine",
    also: ["role"], what: "a role that may not invoke the function the definition calls",
    build: (k, bent) => {
      const fn = k.fn("fn");
      const role = k.role("role", "states.amazonaws.com", [statement(bent ? "lambda:GetFunction" : "lambda:InvokeFunction", fn.arn)]);
      new k.aws.sfn.StateMachine(k.n("machine"), {
        name: k.n("machine"),
        roleArn: role.arn,
        definition: k.pulumi.jsonStringify({ StartAt: "Call", States: { Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: fn.arn, "Payload.$": "$" }, End: true } } }),
      });
    },
  },
  {
    rule: "stepfunctions-role",
    resource: "machine",
    what: "an SDK integration (dynamodb:getItem) the role has no grant for",
    build: (k, bent) => {
      const table = new k.aws.dynamodb.Table(k.n("table"), { name: k.n("table"), billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }] });
      const role = k.role("role", "states.amazonaws.com", [statement(bent ? "dynamodb:PutItem" : "dynamodb:GetItem", table.arn)]);
      new k.aws.sfn.StateMachine(k.n("machine"), {
        name: k.n("machine"),
        roleArn: role.arn,
        definition: k.pulumi.jsonStringify({ StartAt: "Get", States: { Get: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:getItem", Parameters: { TableName: table.name, Key: { id: { "S.$": "$.id" } } }, End: true } } }),
      });
    },
  },
  {
    rule: "stepfunctions-logging",
    resource: "machine",
    what: "a log destination without :*",
    build: (k, bent) => {
      const group = new k.aws.cloudwatch.LogGroup(k.n("logs"), { name: k.n("logs"), retentionInDays: 14 });
      const role = k.role("role", "states.amazonaws.com", [statement(["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "*")]);
      new k.aws.sfn.StateMachine(k.n("machine"), {
        name: k.n("machine"),
        roleArn: role.arn,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
        loggingConfiguration: { level: "ERROR", includeExecutionData: false, logDestination: bent ? group.arn : k.pulumi.interpolate`${group.arn}:*` },
      });
    },
  },
  // --- Kinesis, DynamoDB ---
  { rule: "kinesis-stream", resource: "stream", what: "a retention of 10 hours", build: (k, bent) => void new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), shardCount: 1, retentionPeriod: bent ? 10 : 24 }) },
  { rule: "kinesis-stream", resource: "stream", what: "a provisioned stream without shards", build: (k, bent) => void new k.aws.kinesis.Stream(k.n("stream"), { name: k.n("stream"), ...(bent ? {} : { shardCount: 2 }) }) },
  {
    rule: "dynamodb-table",
    resource: "table",
    what: "an attribute that is no key",
    build: (k, bent) =>
      void new k.aws.dynamodb.Table(k.n("table"), { name: k.n("table"), billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }, ...(bent ? [{ name: "status", type: "S" }] : [])] }),
  },
  {
    rule: "dynamodb-table",
    resource: "table",
    what: "a stream view type without a stream",
    build: (k, bent) => void new k.aws.dynamodb.Table(k.n("table"), { name: k.n("table"), billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], streamViewType: "NEW_IMAGE", streamEnabled: !bent }),
  },
  {
    rule: "dynamodb-table",
    resource: "table",
    what: "a local index on a table without a sort key",
    build: (k, bent) =>
      void new k.aws.dynamodb.Table(k.n("table"), {
        name: k.n("table"),
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        ...(bent ? {} : { rangeKey: "at" }),
        attributes: [{ name: "id", type: "S" }, ...(bent ? [] : [{ name: "at", type: "N" }]), { name: "status", type: "S" }],
        localSecondaryIndexes: [{ name: "by-status", rangeKey: "status", projectionType: "KEYS_ONLY" }],
      }),
  },
  // --- KMS ---
  { rule: "kms-key-settings", resource: "key", what: "a deletion window of 3 days", build: (k, bent) => void new k.aws.kms.Key(k.n("key"), { deletionWindowInDays: bent ? 3 : 7, enableKeyRotation: true }) },
  {
    rule: "kms-key-settings",
    resource: "key",
    what: "a key policy nobody may change (lockout)",
    build: (k, bent) =>
      void new k.aws.kms.Key(k.n("key"), {
        enableKeyRotation: true,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: bent ? ["kms:Encrypt", "kms:Decrypt"] : "kms:*", Resource: "*" }],
        }),
      }),
  },
  { rule: "kms-key-settings", resource: "alias", what: "an alias under alias/aws/", build: (k, bent) => void new k.aws.kms.Alias(k.n("alias"), { name: bent ? `alias/aws/${k.p}` : `alias/${k.p}`, targetKeyId: new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true }).keyId }) },
  {
    rule: "kms-service-access",
    resource: "key",
    what: "a log group under a key CloudWatch Logs may not use",
    build: (k, bent) => {
      const key = new k.aws.kms.Key(k.n("key"), {
        enableKeyRotation: true,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
            ...(bent ? [] : [{ Sid: "Logs", Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } } }]),
          ],
        }),
      });
      new k.aws.cloudwatch.LogGroup(k.n("logs"), { name: k.n("logs"), retentionInDays: 14, kmsKeyId: key.arn });
    },
  },
  {
    rule: "kms-role-key-access",
    resource: "role",
    what: "a function role sending to a queue under a customer key without kms:GenerateDataKey",
    build: (k, bent) => {
      const key = new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true });
      const queue = k.queue("queue", { sqsManagedSseEnabled: undefined, kmsMasterKeyId: key.arn });
      const statements: Input<object>[] = [statement("sqs:SendMessage", queue.arn)];
      if (!bent) statements.push(statement(["kms:GenerateDataKey", "kms:Decrypt"], key.arn));
      k.fn("fn", { role: k.role("role", "lambda.amazonaws.com", statements).arn });
    },
  },
  {
    rule: "kms-service-access",
    resource: "queue",
    what: "an EventBridge target queue under the AWS managed key",
    build: (k, bent) => {
      const key = bent ? undefined : new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true, policy: keyPolicyFor("events.amazonaws.com") });
      routeToQueue(k, {}, { sqsManagedSseEnabled: undefined, kmsMasterKeyId: key ? key.arn : "alias/aws/sqs" });
    },
  },
  {
    rule: "kms-service-access",
    resource: "key",
    also: ["queue"], what: "a customer key whose policy shuts EventBridge out of a target queue",
    build: (k, bent) => {
      const key = new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true, policy: keyPolicyFor(bent ? "sns.amazonaws.com" : "events.amazonaws.com") });
      routeToQueue(k, {}, { sqsManagedSseEnabled: undefined, kmsMasterKeyId: key.arn });
    },
  },
  {
    rule: "kms-service-access",
    resource: "key",
    what: "a bus under a customer key whose policy shuts EventBridge out",
    build: (k, bent) => {
      const key = new k.aws.kms.Key(k.n("key"), { enableKeyRotation: true, policy: keyPolicyFor(bent ? "sqs.amazonaws.com" : "events.amazonaws.com") });
      new k.aws.cloudwatch.EventBus(k.n("bus"), { name: k.n("bus"), kmsKeyIdentifier: key.arn });
    },
  },
  // --- IAM ---
  { rule: "iam-policy-document", resource: "role-policy", what: "an identity policy that names a principal", build: (k, bent) => void k.role("role", "lambda.amazonaws.com", [{ ...statement("sqs:SendMessage", "*"), ...(bent ? { Principal: "*" } : {}) }]) },
  { rule: "iam-policy-document", resource: "role-policy", what: 'Effect "allow" (lower case)', build: (k, bent) => void k.role("role", "lambda.amazonaws.com", [{ Effect: bent ? "allow" : "Allow", Action: "sqs:SendMessage", Resource: "*" }]) },
  {
    rule: "iam-policy-document",
    resource: "role",
    what: "a trust policy with a Resource",
    build: (k, bent) =>
      void new k.aws.iam.Role(k.n("role"), { name: k.n("role"), assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", ...(bent ? { Resource: "*" } : {}) }] }) }),
  },
  { rule: "iam-role", resource: "role", what: "a role name of 65 characters", build: (k, bent) => void new k.aws.iam.Role(k.n("role"), { name: `${k.p}-${"r".repeat(64)}`.slice(0, bent ? 65 : 64), assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }) },
  { rule: "iam-role", resource: "role", what: "a path without its trailing /", build: (k, bent) => void new k.aws.iam.Role(k.n("role"), { name: k.n("role"), path: bent ? "/service" : "/service/", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }) },
  { rule: "iam-least-privilege", resource: "role-policy", what: "sqs:*", build: (k, bent) => void k.role("role", "lambda.amazonaws.com", [statement(bent ? "sqs:*" : "sqs:SendMessage", "*")]) },
  {
    rule: "single-resource-policy",
    resource: "queue-policy-second",
    what: "two policies on one queue",
    build: (k, bent) => {
      const queue = k.queue("queue");
      k.letSend(queue, "events.amazonaws.com", undefined, "queue-policy-first");
      if (bent) k.letSend(queue, "sns.amazonaws.com", undefined, "queue-policy-second");
    },
  },
  {
    rule: "resource-policy-size",
    resource: "queue-policy",
    what: "a queue policy of 21 statements",
    build: (k, bent) => {
      const queue = k.queue("queue");
      const count = bent ? 21 : 20;
      new k.aws.sqs.QueuePolicy(k.n("queue-policy"), {
        queueUrl: queue.url,
        policy: k.pulumi.jsonStringify({ Version: "2012-10-17", Statement: Array.from({ length: count }, (_, i) => ({ Sid: `S${i}`, Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sqs:SendMessage", Resource: queue.arn })) }),
      });
    },
  },
  // --- CloudWatch ---
  {
    rule: "cloudwatch-alarm",
    resource: "alarm",
    what: "a period of 45 s",
    build: (k, bent) =>
      void new k.aws.cloudwatch.MetricAlarm(k.n("alarm"), { name: k.n("alarm"), namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", statistic: "Maximum", period: bent ? 45 : 60, evaluationPeriods: 1, threshold: 0, comparisonOperator: "GreaterThanThreshold" }),
  },
  {
    rule: "cloudwatch-alarm",
    resource: "alarm",
    what: "two days of evaluation at one-minute periods",
    build: (k, bent) =>
      void new k.aws.cloudwatch.MetricAlarm(k.n("alarm"), { name: k.n("alarm"), namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", statistic: "Maximum", period: 60, evaluationPeriods: bent ? 2880 : 1440, threshold: 0, comparisonOperator: "GreaterThanThreshold" }),
  },
  { rule: "cloudwatch-log-group", resource: "logs", what: "a retention of 10 days", build: (k, bent) => void new k.aws.cloudwatch.LogGroup(k.n("logs"), { name: k.n("logs"), retentionInDays: bent ? 10 : 14 }) },
  { rule: "cloudwatch-log-group-retention", resource: "logs", what: "logs kept forever", build: (k, bent) => void new k.aws.cloudwatch.LogGroup(k.n("logs"), { name: k.n("logs"), ...(bent ? {} : { retentionInDays: 14 }) }) },
  {
    rule: "log-delivery",
    resource: "delivery",
    what: "a delivery to the log group's ARN instead of a delivery destination",
    build: (k, bent) => {
      const bus = k.bus();
      const group = new k.aws.cloudwatch.LogGroup(k.n("logs"), { name: `/aws/vendedlogs/events/${k.n("bus")}`, retentionInDays: 14 });
      const source = new k.aws.cloudwatch.LogDeliverySource(k.n("source"), { name: k.n("source"), logType: "ERROR_LOGS", resourceArn: bus.arn });
      const destination = new k.aws.cloudwatch.LogDeliveryDestination(k.n("destination"), { name: k.n("destination"), deliveryDestinationConfiguration: { destinationResourceArn: group.arn } });
      new k.aws.cloudwatch.LogDelivery(k.n("delivery"), { deliverySourceName: source.name, deliveryDestinationArn: bent ? group.arn : destination.arn });
    },
  },
  {
    rule: "log-delivery",
    resource: "source",
    what: "a bus log source with a log type buses do not send",
    build: (k, bent) => void new k.aws.cloudwatch.LogDeliverySource(k.n("source"), { name: k.n("source"), logType: bent ? "APPLICATION_LOGS" : "INFO_LOGS", resourceArn: k.bus().arn }),
  },
  { rule: "unique-physical-names", resource: "queue-2", also: ["queue"], what: "two queues with one name", build: (k, bent) => void [k.queue("queue"), k.queue("queue-2", { name: bent ? k.n("queue") : k.n("queue-2") })] },
];

/** A key policy: the account administers, `service` may encrypt and decrypt. */
function keyPolicyFor(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "Service", Effect: "Allow", Principal: { Service: service }, Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], Resource: "*" },
    ],
  });
}

/** All fixtures as one program: fixture i gets prefix `f<i>`. */
export function fixturesProgram(bent: boolean, fixtures: Fixture[] = FIXTURES): () => void {
  return () => {
    const aws: Aws = require("@pulumi/aws");
    const pulumi: Pulumi = require("@pulumi/pulumi");
    fixtures.forEach((fixture, i) => fixture.build(makeKit(aws, pulumi, `f${i}`), bent));
  };
}
