import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus } from "./bus-ref";
import { DeploymentContext, stackContext } from "./context";
import { EncryptionKey } from "./encryption-key";
import { eventBridgeDeliveryStatement, policyJson, PolicyStatement, tlsOnlyStatement } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";
import { assertInteger } from "./validation";

/** How a queue is encrypted at rest. EventBridge cannot use the AWS managed key alias/aws/sqs. */
export type QueueEncryption = { kind: "sqs-managed" } | { kind: "kms"; key: EncryptionKey };

export interface QueueArgs {
  /** FIFO queue: ordered per message group, deduplicated for 5 minutes. Default: false (a standard queue). */
  fifo?: boolean;
  /** FIFO only: deduplicate on a hash of the body instead of an explicit deduplication id. Default: false. */
  contentBasedDeduplication?: boolean;
  /** Must be at least the timeout of any consuming function (AWS rejects the mapping otherwise). Default: 30. */
  visibilityTimeoutSeconds?: number;
  /** Seconds a message is kept (60 to 1,209,600). Default: 345,600 (4 days), as in AWS. */
  messageRetentionSeconds?: number;
  /**
   * Redrive to a dead-letter queue after `maxReceiveCount` receives (default 5), the DLQ keeping
   * messages `messageRetentionSeconds` (default 14 days); `false` for a queue that is itself a DLQ.
   * Default: a dead-letter queue with those defaults.
   */
  deadLetter?: { maxReceiveCount?: number; messageRetentionSeconds?: number } | false;
  /** Encryption at rest (the DLQ gets the same). Default: SQS-managed (SSE-SQS). */
  encryption?: QueueEncryption;
  /** Event buses whose rules may send to this queue (as a route target or a route's DLQ). Default: none. */
  eventSources?: EventSourceBus[];
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

export interface QueueConsumerArgs {
  /** The consuming function's timeout, checked against the visibility timeout. Required. */
  functionTimeoutSeconds: number;
  /** Records per invocation (1 to 10 for FIFO, 10,000 for standard queues; over 10 needs a batching window). Default: 10. */
  batchSize?: number;
  /** Seconds to gather records before invoking (0 to 300; not for FIFO queues). Default: none (0). */
  maximumBatchingWindowInSeconds?: number;
  /** Upper bound of concurrent function invocations for this queue (2 to 1000). Default: none (up to the function's concurrency). */
  maximumConcurrency?: number;
}

/** What a consumer needs to grant itself: the function's name and role. */
export interface QueueConsumerFunction {
  readonly logicalName: string;
  readonly function: aws.lambda.Function;
  grant(name: string, statements: pulumi.Input<PolicyStatement>[]): pulumi.Resource;
}

const MAX_RETENTION = 1_209_600;

/**
 * An SQS queue that is safe by default: encrypted, TLS only, with a redrive dead-letter queue, and
 * one resource policy holding every grant (a queue has one policy; two would overwrite each other).
 */
export class Queue extends pulumi.ComponentResource {
  readonly logicalName: string;
  readonly queue: aws.sqs.Queue;
  readonly policy: aws.sqs.QueuePolicy;
  readonly deadLetterQueue?: Queue;
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly encryption: QueueEncryption;
  readonly eventSources: ReadonlySet<EventSourceBus>;
  readonly consumers: aws.lambda.EventSourceMapping[] = [];
  private readonly context: DeploymentContext;

  constructor(name: string, args: QueueArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:Queue", name, {}, opts);
    this.logicalName = name;
    this.context = args.context ?? stackContext();
    this.fifo = args.fifo ?? false;
    this.contentBasedDeduplication = this.fifo && (args.contentBasedDeduplication ?? false);
    this.visibilityTimeoutSeconds = args.visibilityTimeoutSeconds ?? 30;
    this.encryption = args.encryption ?? { kind: "sqs-managed" };
    this.eventSources = new Set(args.eventSources ?? []);
    validateQueueArgs(name, args, this.visibilityTimeoutSeconds);
    if (this.encryption.kind === "kms" && this.eventSources.size > 0) {
      this.encryption.key.assertUsableBy("events", `Queue "${name}"`);
    }

    if (args.deadLetter !== false) {
      this.deadLetterQueue = new Queue(
        `${name}-dlq`,
        {
          fifo: this.fifo,
          deadLetter: false,
          messageRetentionSeconds: args.deadLetter?.messageRetentionSeconds ?? MAX_RETENTION,
          encryption: this.encryption,
          context: this.context,
        },
        { parent: this },
      );
    }
    const maxReceiveCount = args.deadLetter ? (args.deadLetter.maxReceiveCount ?? 5) : 5;

    this.queue = new aws.sqs.Queue(
      name,
      {
        name: physicalName([this.context.namePrefix, name], NAME_LIMITS.queue, this.fifo ? ".fifo" : ""),
        fifoQueue: this.fifo || undefined,
        contentBasedDeduplication: this.fifo ? this.contentBasedDeduplication : undefined,
        visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
        messageRetentionSeconds: args.messageRetentionSeconds ?? 345_600,
        ...(this.encryption.kind === "kms"
          ? { kmsMasterKeyId: this.encryption.key.arn, kmsDataKeyReusePeriodSeconds: 300 }
          : { sqsManagedSseEnabled: true }),
        redrivePolicy: this.deadLetterQueue
          ? pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount })
          : undefined,
        tags: this.context.tags,
      },
      { parent: this },
    );
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.name = this.queue.name;

    const statements: pulumi.Input<PolicyStatement>[] = [tlsOnlyStatement("sqs:*", this.arn)];
    for (const bus of this.eventSources) statements.push(eventBridgeDeliveryStatement(bus, "sqs:SendMessage", this.arn));
    this.policy = new aws.sqs.QueuePolicy(name, { queueUrl: this.url, policy: policyJson(statements) }, { parent: this });
    this.registerOutputs({ arn: this.arn, url: this.url, deadLetterQueueArn: this.deadLetterQueue?.arn });
  }

  /** Throws unless rules of `bus` may send to this queue; `what` names the route that needs it. */
  assertAcceptsEventsFrom(bus: EventSourceBus, what: string): void {
    if (!this.eventSources.has(bus)) {
      throw new Error(
        `${what} sends to queue "${this.logicalName}", whose policy does not let bus "${bus.logicalName}" send: add that bus to the queue's eventSources`,
      );
    }
  }

  /**
   * Makes `fn` consume this queue: an event source mapping with partial batch responses, and the
   * grants the function's role needs. AWS rejects a mapping whose queue visibility timeout is
   * shorter than the function timeout; so do we, here, before any deployment.
   */
  addConsumer(fn: QueueConsumerFunction, args: QueueConsumerArgs): aws.lambda.EventSourceMapping {
    const where = `Queue "${this.logicalName}" consumer "${fn.logicalName}"`;
    validateConsumer(where, this.fifo, this.visibilityTimeoutSeconds, args);
    const statements: pulumi.Input<PolicyStatement>[] = [
      {
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        Resource: this.arn,
      },
    ];
    if (this.encryption.kind === "kms") {
      statements.push({ Effect: "Allow", Action: "kms:Decrypt", Resource: this.encryption.key.arn });
    }
    // AWS checks the role at CreateEventSourceMapping: the grant must exist first.
    const grant = fn.grant(`consume-${this.logicalName}`, statements);
    const mapping = new aws.lambda.EventSourceMapping(
      `${this.logicalName}-to-${fn.logicalName}`,
      {
        eventSourceArn: this.arn,
        functionName: fn.function.arn,
        batchSize: args.batchSize ?? 10,
        maximumBatchingWindowInSeconds: args.maximumBatchingWindowInSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: args.maximumConcurrency ? { maximumConcurrency: args.maximumConcurrency } : undefined,
        tags: this.context.tags,
      },
      { parent: this, dependsOn: [grant] },
    );
    this.consumers.push(mapping);
    return mapping;
  }

  /** Statements that let an identity send to this queue (and use its key). */
  sendStatements(): pulumi.Input<PolicyStatement>[] {
    const statements: pulumi.Input<PolicyStatement>[] = [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: this.arn }];
    if (this.encryption.kind === "kms") {
      statements.push({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: this.encryption.key.arn });
    }
    return statements;
  }
}

function validateQueueArgs(name: string, args: QueueArgs, visibility: number): void {
  const where = `Queue "${name}"`;
  assertInteger(where, "visibilityTimeoutSeconds", visibility, 0, 43_200);
  assertInteger(where, "messageRetentionSeconds", args.messageRetentionSeconds, 60, MAX_RETENTION);
  if (args.deadLetter) {
    assertInteger(where, "deadLetter.maxReceiveCount", args.deadLetter.maxReceiveCount, 1, 1000);
    assertInteger(where, "deadLetter.messageRetentionSeconds", args.deadLetter.messageRetentionSeconds, 60, MAX_RETENTION);
  }
  if (args.contentBasedDeduplication && !args.fifo) {
    throw new Error(`${where}: contentBasedDeduplication applies to FIFO queues only`);
  }
}

function validateConsumer(where: string, fifo: boolean, visibility: number, args: QueueConsumerArgs): void {
  if (visibility < args.functionTimeoutSeconds) {
    throw new Error(
      `${where}: the queue's visibility timeout (${visibility} s) is shorter than the function timeout (${args.functionTimeoutSeconds} s); AWS rejects this event source mapping. Set visibilityTimeoutSeconds to at least ${args.functionTimeoutSeconds} (AWS recommends 6x the timeout)`,
    );
  }
  assertInteger(where, "batchSize", args.batchSize, 1, fifo ? 10 : 10_000);
  assertInteger(where, "maximumBatchingWindowInSeconds", args.maximumBatchingWindowInSeconds, 0, 300);
  assertInteger(where, "maximumConcurrency", args.maximumConcurrency, 2, 1000);
  if (fifo && args.maximumBatchingWindowInSeconds) {
    throw new Error(`${where}: FIFO queues do not support a batching window`);
  }
  if (!fifo && (args.batchSize ?? 10) > 10 && !args.maximumBatchingWindowInSeconds) {
    throw new Error(`${where}: a batchSize above 10 needs maximumBatchingWindowInSeconds of at least 1`);
  }
}
