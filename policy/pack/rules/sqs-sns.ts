/** SQS queues and their policies, SNS topics and subscriptions. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { inRange, nameFormat } from "./formats";
import { str } from "./graph";
import { decide, parseDocument } from "./iam-documents";
import { CannotTell, Rule, StackResource, T } from "./model";

const CREATE_QUEUE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html";

/** A queue's redrive policy as an object (Pulumi takes it as JSON text). */
export function redriveOf(queue: StackResource): { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined {
  const own = queue.props.redrivePolicy;
  if (own === undefined || own === null || own === "") return undefined;
  if (typeof own !== "string") throw new CannotTell("redrivePolicy is not known JSON text");
  try {
    return JSON.parse(own);
  } catch {
    return { deadLetterTargetArn: undefined, maxReceiveCount: Number.NaN };
  }
}

/** Every queue ARN that serves as a dead-letter queue in the stack. */
export function deadLetterArns(resources: { of(type: string): StackResource[] }): Set<string> {
  const arns = new Set<string>();
  for (const q of resources.of(T.queue)) {
    try {
      const arn = redriveOf(q)?.deadLetterTargetArn;
      if (arn) arns.add(arn);
    } catch {
      // unknown redrive policies are reported by sqs-redrive
    }
  }
  for (const p of resources.of(T.redrivePolicy)) {
    try {
      const arn = JSON.parse(p.props.redrivePolicy).deadLetterTargetArn;
      if (arn) arns.add(arn);
    } catch {
      // idem
    }
  }
  for (const t of resources.of(T.target)) if (t.props.deadLetterConfig?.arn) arns.add(t.props.deadLetterConfig.arn);
  for (const c of resources.of(T.invokeConfig)) if (c.props.destinationConfig?.onFailure?.destination) arns.add(c.props.destinationConfig.onFailure.destination);
  for (const f of resources.of(T.fn)) if (f.props.deadLetterConfig?.targetArn) arns.add(f.props.deadLetterConfig.targetArn);
  return arns;
}

const isJsonText = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

export const sqsSnsRules: Rule[] = [
  {
    name: "sqs-queue-attributes",
    severity: "mandatory",
    description: "Queue attributes within SQS's ranges: visibility 0-43200 s, retention 60-1209600 s, delay 0-900 s, message size 1024-1048576 bytes, receive wait 0-20 s, data key reuse 60-86400 s",
    docs: CREATE_QUEUE,
    subjects: [T.queue],
    check(queue, context) {
      const p = queue.props;
      inRange(context, p.visibilityTimeoutSeconds, RANGES.sqs.visibilityTimeoutSeconds, "visibilityTimeoutSeconds");
      inRange(context, p.messageRetentionSeconds, RANGES.sqs.messageRetentionSeconds, "messageRetentionSeconds");
      inRange(context, p.delaySeconds, RANGES.sqs.delaySeconds, "delaySeconds");
      inRange(context, p.maxMessageSize, RANGES.sqs.maxMessageSizeBytes, "maxMessageSize");
      inRange(context, p.receiveWaitTimeSeconds, RANGES.sqs.receiveWaitTimeSeconds, "receiveWaitTimeSeconds");
      inRange(context, p.kmsDataKeyReusePeriodSeconds, RANGES.sqs.kmsDataKeyReusePeriodSeconds, "kmsDataKeyReusePeriodSeconds");
      if (p.sqsManagedSseEnabled && p.kmsMasterKeyId) context.report("the queue sets both sqsManagedSseEnabled and kmsMasterKeyId: SQS refuses both kinds of encryption at once. Keep one.");
    },
  },
  {
    name: "sqs-queue-name",
    severity: "mandatory",
    description: "A queue name is 1-80 characters of [A-Za-z0-9_-]; a FIFO queue's ends in .fifo and only a FIFO queue's; FIFO-only attributes only on FIFO queues",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    subjects: [T.queue],
    check(queue, context) {
      const name = str(queue.props.name, "name");
      nameFormat(context, name, NAMES.queue, "queue name");
      const fifo = Boolean(queue.props.fifoQueue);
      if (fifo !== name.endsWith(".fifo")) context.report(fifo ? `FIFO queue name "${name}" does not end in .fifo: CreateQueue refuses it. Add the suffix.` : `queue "${name}" ends in .fifo but fifoQueue is not set: CreateQueue refuses it. Set fifoQueue: true or drop the suffix.`);
      for (const attribute of ["contentBasedDeduplication", "deduplicationScope", "fifoThroughputLimit"]) {
        if (!fifo && queue.props[attribute]) context.report(`${attribute} is set on a standard queue: it is a FIFO attribute and SQS refuses it. Remove it or make the queue FIFO.`);
      }
    },
  },
  {
    name: "sqs-redrive",
    severity: "mandatory",
    description: "A redrive policy names a queue of the same kind (FIFO to FIFO, standard to standard) in the same account and Region whose redrive allow policy admits it, and a maxReceiveCount of 1-1000",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
    subjects: [T.queue],
    check(queue, context) {
      const redrive = redriveOf(queue);
      if (!redrive) return;
      if (Number.isNaN(redrive.maxReceiveCount) && !redrive.deadLetterTargetArn) return context.report("redrivePolicy is not valid JSON: SQS refuses it. Use JSON.stringify({ deadLetterTargetArn, maxReceiveCount }).");
      inRange(context, redrive.maxReceiveCount, RANGES.sqs.maxReceiveCount, "redrivePolicy.maxReceiveCount");
      if (redrive.maxReceiveCount === undefined) context.report("redrivePolicy has no maxReceiveCount: SQS refuses it. Set maxReceiveCount.");
      const target = redrive.deadLetterTargetArn;
      const own = queue.props.arn;
      if (typeof target === "string" && typeof own === "string" && target.startsWith("arn:") && (target.split(":")[3] !== own.split(":")[3] || target.split(":")[4] !== own.split(":")[4])) {
        context.report(`the dead-letter queue ${target} is in another account or Region: SQS requires it in the queue's own account and Region. Use a dead-letter queue beside the queue.`);
      }
      const dlq = context.graph.queue(target);
      if (!dlq) return context.cannotTell(`dead-letter queue ${target} is not a queue of this program`);
      // The dead-letter queue's redrive allow policy must admit this queue (SQS refuses the redrive policy otherwise).
      const allow = typeof dlq.props.redriveAllowPolicy === "string" && dlq.props.redriveAllowPolicy !== "" ? JSON.parse(dlq.props.redriveAllowPolicy) : undefined;
      if (allow?.redrivePermission === "denyAll" || (allow?.redrivePermission === "byQueue" && !(allow.sourceQueueArns ?? []).includes(queue.props.arn))) {
        context.report(`the redrive allow policy of dead-letter queue ${dlq.name} does not admit this queue (${allow.redrivePermission}): SQS refuses the redrive policy. Allow this queue in redriveAllowPolicy.`, queue, dlq);
      }
      if (Boolean(dlq.props.fifoQueue) !== Boolean(queue.props.fifoQueue)) {
        context.report(`the dead-letter queue ${dlq.name} is ${dlq.props.fifoQueue ? "FIFO" : "standard"} but this queue is ${queue.props.fifoQueue ? "FIFO" : "standard"}: SQS requires the same kind and refuses the redrive policy. Use a dead-letter queue of the same kind.`, queue, dlq);
      }
    },
  },
  {
    name: "sqs-queue-baseline",
    severity: "advisory",
    description: "Every queue is encrypted at rest and has a redrive policy, every dead-letter queue has an alarm on its depth, and a dead-letter queue keeps messages at least as long as its sources (docs/design.md 3.2, 3.7)",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
    subjects: [T.queue],
    check(queue, context) {
      const p = queue.props;
      if (p.sqsManagedSseEnabled === false && !p.kmsMasterKeyId) context.report("the queue is not encrypted at rest. Set sqsManagedSseEnabled or a customer-managed key.");
      const dlqs = deadLetterArns(context.graph);
      const isDlq = dlqs.has(p.arn);
      if (!isDlq && !redriveOf(queue) && !context.graph.of(T.redrivePolicy).some((r) => r.props.queueUrl === p.url)) {
        context.report("no redrive policy: a message that keeps failing is received again and again until it expires. Give the queue a dead-letter queue.");
      }
      if (isDlq) {
        const alarmed = context.graph.of(T.alarm).some((a) => a.props.namespace === "AWS/SQS" && a.props.dimensions?.QueueName === p.name && /ApproximateNumberOfMessages/.test(a.props.metricName ?? ""));
        if (!alarmed) context.report("this dead-letter queue has no alarm on its depth: failures park here unnoticed. Add a CloudWatch alarm on ApproximateNumberOfMessagesVisible.");
      }
      const redrive = redriveOf(queue);
      const dlq = redrive && context.graph.queue(redrive.deadLetterTargetArn);
      if (dlq && (dlq.props.messageRetentionSeconds ?? 345600) < (p.messageRetentionSeconds ?? 345600)) {
        context.report(`dead-letter queue ${dlq.name} keeps messages shorter than this queue; a moved message keeps its original enqueue time, so it can expire right after moving. Give the dead-letter queue a longer retention.`);
      }
    },
  },
  {
    name: "sqs-tls-only",
    severity: "advisory",
    description: "Queue and topic policies deny requests without TLS (aws:SecureTransport false) (docs/design.md 3.7)",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html",
    subjects: [T.queuePolicy, T.topicPolicy],
    check(policy, context) {
      const statements = parseDocument(policy.props.policy, "the policy").Statement;
      const denies = statements.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).toLowerCase().includes("aws:securetransport"));
      if (!denies) context.report("the policy does not deny requests over plain HTTP. Add a Deny statement on aws:SecureTransport = false.");
    },
  },
  {
    name: "sns-topic",
    severity: "mandatory",
    description: "A topic name is 1-256 characters of [A-Za-z0-9_-]; a FIFO topic's ends in .fifo and only a FIFO topic's; content-based deduplication only on FIFO topics",
    docs: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    subjects: [T.topic],
    check(topic, context) {
      const name = str(topic.props.name, "name");
      nameFormat(context, name, NAMES.topic, "topic name");
      const fifo = Boolean(topic.props.fifoTopic);
      if (fifo !== name.endsWith(".fifo")) context.report(fifo ? `FIFO topic name "${name}" does not end in .fifo: CreateTopic refuses it.` : `topic "${name}" ends in .fifo but fifoTopic is not set: CreateTopic refuses it.`);
      if (!fifo && topic.props.contentBasedDeduplication) context.report("contentBasedDeduplication is set on a standard topic: it is a FIFO attribute and CreateTopic refuses it. Remove it or make the topic FIFO.");
    },
  },
  {
    name: "sns-subscription-delivery",
    severity: "mandatory",
    description: "A topic's SQS subscriber lets sns.amazonaws.com send (queue policy), a Lambda subscriber lets SNS invoke it; a FIFO topic delivers only to FIFO queues; raw delivery only to SQS, HTTP(S) and Firehose; filter and redrive policies are JSON",
    docs: "https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html",
    subjects: [T.subscription],
    check(subscription, context) {
      const protocol = subscription.props.protocol;
      const endpoint = subscription.props.endpoint;
      const topicArn = str(subscription.props.topic, "topic");
      const context0 = { "aws:sourcearn": topicArn, "aws:sourceaccount": topicArn.split(":")[4], "aws:securetransport": "true" };
      // https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
      if (subscription.props.rawMessageDelivery && !["sqs", "http", "https", "firehose"].includes(protocol)) context.report(`rawMessageDelivery on a ${protocol} subscription: SNS supports it for SQS, HTTP(S) and Firehose only and refuses it. Remove it.`);
      for (const field of ["filterPolicy", "redrivePolicy", "deliveryPolicy"]) {
        const value = subscription.props[field];
        if (typeof value === "string" && value !== "" && !isJsonText(value)) context.report(`${field} is not JSON: Subscribe refuses it. Build it with JSON.stringify.`);
      }
      if (protocol === "sqs") {
        const queue = context.graph.queue(endpoint);
        if (!queue) return context.cannotTell(`queue ${endpoint} is not a queue of this program`);
        const policies = context.graph.of(T.queuePolicy).filter((p) => p.props.queueUrl === queue.props.url);
        const statements = policies.flatMap((p) => parseDocument(p.props.policy, "the queue policy").Statement);
        const decision = decide(statements, { principal: { Service: "sns.amazonaws.com" }, action: "sqs:SendMessage", resource: queue.props.arn, context: context0 });
        if (decision === false) context.report(`queue ${queue.name}: no queue policy statement lets sns.amazonaws.com sqs:SendMessage from topic ${topicArn}, so every notification is lost. Add one with aws:SourceArn of the topic.`, subscription, ...(policies.length > 0 ? policies : [queue]));
        const topic = context.graph.arn(topicArn, T.topic);
        if (topic?.props.fifoTopic && !queue.props.fifoQueue) context.report(`FIFO topic ${topic.name} cannot deliver to standard queue ${queue.name}: Subscribe refuses it. Subscribe a FIFO queue.`);
      } else if (protocol === "lambda") {
        const fn = context.graph.fn(endpoint);
        if (!fn) return context.cannotTell(`function ${endpoint} is not a function of this program`);
        const granted = context.graph.of(T.permission).some((p) => context.graph.fn(p.props.function) === fn && p.props.principal === "sns.amazonaws.com" && (!p.props.sourceArn || p.props.sourceArn === topicArn));
        if (!granted) context.report(`function ${fn.props.name}: no permission lets sns.amazonaws.com invoke it for topic ${topicArn}, so every notification fails. Add an aws.lambda.Permission.`, subscription, fn);
      }
    },
  },
];
