import { createHash } from "crypto";
import { DeployError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Operation, type Service } from "../../cloud";
import { parsePolicy, type Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { RANGES } from "@event-routes/aws-model";
import { SqsError, sqsErrors } from "./errors";
import { md5OfBody, md5OfMessageAttributes } from "./md5";
import { MessageMoveTasks } from "./move-tasks";
import { Queue, type QueueConfig, type QueueDepth, type StoredMessage, systemAttributesOf } from "./queue";
import {
  integerAttribute,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
  redriveAllowed,
  type SendInput,
  validateQueueName,
  validateSend,
} from "./validation";
import { sqsQueryOperations } from "./query";
import { sqsOperations } from "./wire";
import { useKey } from "../kms/service";

export { SqsError } from "./errors";

const OPERATOR: Principal = { kind: "operator" };

/** What a send returns: the IDs and the digests SendMessage answers with. */
export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
  /** A FIFO duplicate within the deduplication window: accepted, not enqueued. */
  duplicate: boolean;
}

/** A received message as the receiver sees it (a snapshot: the queue's copy changes on the next receive). */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** System attributes (ApproximateReceiveCount, SentTimestamp, MessageGroupId ...). */
  attributes: Record<string, string>;
  messageAttributes?: Message["attributes"];
  md5OfMessageAttributes?: string;
}

export interface ReceiveOptions {
  /** MaxNumberOfMessages (the API allows 1..10; the programmatic API takes any positive number). */
  max?: number;
  visibilityTimeout?: number;
  /** Long polling: wait up to this many seconds of cloud time for a message. */
  waitTimeSeconds?: number;
}

const QUEUE_TYPES = {
  queue: "aws:sqs/queue:Queue",
  policy: "aws:sqs/queuePolicy:QueuePolicy",
  redrive: "aws:sqs/redrivePolicy:RedrivePolicy",
  redriveAllow: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
} as const;

/**
 * Amazon SQS: standard and FIFO queues with AWS's delivery semantics (see {@link Queue}), queue
 * policies enforced on every send from another service or a role, redrive to dead-letter queues
 * and back (message move tasks), and the JSON protocol operations of the endpoint.
 *
 * Queue references in the programmatic API are an ARN, a URL or a queue name.
 */
export class SqsService implements Service {
  readonly namespace = "sqs";
  readonly resourceTypes = Object.values(QUEUE_TYPES);
  readonly operations: Record<string, Operation>;
  readonly moveTasks: MessageMoveTasks;
  private readonly byName = new Map<string, Queue>();
  private readonly byArn = new Map<string, Queue>();
  /** The resource that set each queue's redrive policy, to name it when the policy is invalid. */
  private readonly redriveSources = new Map<Queue, RegisteredResource>();
  private readonly senderIds = new Map<string, string>();
  private readonly longPolls = new Set<() => void>();

  constructor(private readonly cloud: LocalCloud) {
    this.moveTasks = new MessageMoveTasks({
      clock: cloud.clock,
      queueByArn: (arn) => this.byArn.get(arn),
      sourcesOf: (deadLetterQueue) => this.deadLetterSourcesOf(deadLetterQueue),
      redrive: (message, destination) => this.redrive(message, destination),
    });
    const json = sqsOperations(this, cloud);
    // The query protocol too, for SDKs and CLIs older than SQS's JSON protocol.
    this.operations = { ...json, ...sqsQueryOperations(json) };
  }

  materialize(resource: RegisteredResource): void {
    switch (resource.type) {
      case QUEUE_TYPES.queue:
        return this.createQueue(resource);
      case QUEUE_TYPES.policy: {
        const queue = this.requireQueue(resource.inputs.queueUrl);
        this.setPolicy(queue, resource.inputs.policy, `${resource.type} "${resource.name}"`);
        return;
      }
      case QUEUE_TYPES.redrive: {
        const queue = this.requireQueue(resource.inputs.queueUrl);
        queue.config.redrivePolicy = parseRedrivePolicy(resource.inputs.redrivePolicy);
        this.redriveSources.set(queue, resource);
        return;
      }
      case QUEUE_TYPES.redriveAllow: {
        const queue = this.requireQueue(resource.inputs.queueUrl);
        queue.config.redriveAllowPolicy = parseRedriveAllowPolicy(resource.inputs.redriveAllowPolicy);
        return;
      }
    }
  }

  /** Resolves each redrive policy to its dead-letter queue, with the checks SetQueueAttributes makes. */
  start(): void {
    for (const queue of this.byArn.values()) {
      const policy = queue.config.redrivePolicy;
      if (!policy) {
        queue.deadLetterQueue = undefined;
        continue;
      }
      const fail = (reason: string) => {
        const error = sqsErrors.invalidParameter("RedrivePolicy", JSON.stringify(policy), reason);
        const resource = this.redriveSources.get(queue);
        throw resource ? new DeployError(resource, error) : error;
      };
      const target = this.byArn.get(policy.deadLetterTargetArn);
      if (!target) fail("Dead letter target does not exist.");
      else if (target === queue) fail("Dead letter target cannot be the source queue itself.");
      else if (target.fifo !== queue.fifo) fail("Dead-letter queue must be same type of queue as the source.");
      else if (!redriveAllowed(target.config.redriveAllowPolicy, queue.arn)) fail(`Queue ${target.arn} does not allow redrive from source queue ${queue.arn}.`);
      queue.deadLetterQueue = target;
    }
  }

  /** A send from EventBridge, SNS or a Lambda destination, checked against the queue policy. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const queue = this.byArn.get(arn);
    if (!queue) throw sqsErrors.nonExistentQueue();
    authorizeOrThrow(this.cloud, from, "sqs:SendMessage", queue.arn);
    this.sendTo(queue, { body: message.body, attributes: message.attributes, groupId: message.groupId, deduplicationId: message.deduplicationId }, from);
  }

  async stop(): Promise<void> {
    for (const end of [...this.longPolls]) end();
    for (const queue of this.byArn.values()) queue.stop();
  }

  // ---- programmatic API ----------------------------------------------------------------------

  /** A queue by ARN, URL or name. */
  queue(ref: string): Queue | undefined {
    if (typeof ref !== "string") return undefined;
    if (ref.startsWith("arn:")) return this.byArn.get(ref);
    if (ref.includes("/")) return this.queueByUrl(ref);
    return this.byName.get(ref);
  }

  queueByArn(arn: string): Queue | undefined {
    return this.byArn.get(arn);
  }

  queueByName(name: string): Queue | undefined {
    return this.byName.get(name);
  }

  /**
   * A queue by URL: AWS's (`https://sqs.<region>.amazonaws.com/<account>/<name>`) or any URL whose
   * path ends in `/<account>/<name>`, such as the local endpoint's.
   */
  queueByUrl(url: string): Queue | undefined {
    if (typeof url !== "string") return undefined;
    const path = url.replace(/^[a-z]+:\/\/[^/]*/i, "").replace(/[?#].*$/, "").replace(/\/+$/, "");
    const [account, name] = path.split("/").slice(-2);
    if (account !== this.cloud.identity.account || !name) return undefined;
    return this.byName.get(name);
  }

  /** A queue by reference, or AWS's QueueDoesNotExist. */
  requireQueue(ref: string): Queue {
    const queue = this.queue(ref);
    if (!queue) throw sqsErrors.nonExistentQueue();
    return queue;
  }

  listQueues(prefix = ""): Queue[] {
    return [...this.byName.values()].filter((queue) => queue.name.startsWith(prefix));
  }

  /** The queues whose redrive policy names `deadLetterQueue` (ListDeadLetterSourceQueues). */
  deadLetterSourcesOf(deadLetterQueue: Queue): Queue[] {
    return [...this.byArn.values()].filter((queue) => queue.config.redrivePolicy?.deadLetterTargetArn === deadLetterQueue.arn);
  }

  /** SendMessage as `from`. */
  send(ref: string, message: Message, from: Principal = OPERATOR, options: { delaySeconds?: number; traceHeader?: string } = {}): SendResult {
    const queue = this.requireQueue(ref);
    authorizeOrThrow(this.cloud, from, "sqs:SendMessage", queue.arn);
    return this.sendTo(queue, { body: message.body, attributes: message.attributes, groupId: message.groupId, deduplicationId: message.deduplicationId, ...options }, from);
  }

  /** ReceiveMessage as `from`; with `waitTimeSeconds`, waits on the cloud's clock for a message. */
  async receive(ref: string, options: ReceiveOptions = {}, from: Principal = OPERATOR): Promise<ReceivedMessage[]> {
    const queue = this.requireQueue(ref);
    authorizeOrThrow(this.cloud, from, "sqs:ReceiveMessage", queue.arn);
    this.useKey(queue, from, "receive");
    return this.receiveFrom(queue, options, receivedMessage);
  }

  /** DeleteMessage as `from`; false when the handle is stale (AWS still answers with success). */
  delete(ref: string, receiptHandle: string, from: Principal = OPERATOR): boolean {
    const queue = this.requireQueue(ref);
    authorizeOrThrow(this.cloud, from, "sqs:DeleteMessage", queue.arn);
    return queue.delete(receiptHandle);
  }

  changeVisibility(ref: string, receiptHandle: string, visibilityTimeoutSeconds: number, from: Principal = OPERATOR): void {
    const queue = this.requireQueue(ref);
    authorizeOrThrow(this.cloud, from, "sqs:ChangeMessageVisibility", queue.arn);
    queue.changeVisibility(receiptHandle, visibilityTimeoutSeconds);
  }

  depth(ref: string): QueueDepth {
    return this.requireQueue(ref).depth();
  }

  /** Calls `listener` whenever the queue gets a message to receive; returns the unsubscribe. */
  onMessage(ref: string, listener: () => void): () => void {
    return this.requireQueue(ref).onAvailable(listener);
  }

  purge(ref: string, from: Principal = OPERATOR): void {
    const queue = this.requireQueue(ref);
    authorizeOrThrow(this.cloud, from, "sqs:PurgeQueue", queue.arn);
    this.purgeQueue(queue);
  }

  // ---- shared by the wire operations ---------------------------------------------------------

  /**
   * Throws SQS's KMS.AccessDeniedException unless `from` may use the queue's customer or AWS
   * managed key: a producer needs kms:GenerateDataKey and kms:Decrypt, a consumer kms:Decrypt.
   * SSE-SQS uses no KMS key. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#sqs-what-permissions-for-sse
   */
  useKey(queue: Queue, from: Principal, use: "send" | "receive"): void {
    const actions = use === "send" ? ["kms:GenerateDataKey", "kms:Decrypt"] : ["kms:Decrypt"];
    useKey(this.cloud, queue.config.kmsMasterKeyId, actions, from, "sqs", sqsErrors.kmsAccessDenied);
  }

  /** Validates and enqueues a send already authorized for `from`. */
  sendTo(queue: Queue, input: SendInput, from: Principal): SendResult {
    this.useKey(queue, from, "send");
    validateSend(queue.config, input);
    const result = queue.enqueue({ ...input, senderId: this.senderIdOf(from) });
    if (!result.duplicate) {
      this.cloud.trace.record({
        at: this.cloud.clock.now(),
        kind: "message.sent",
        resource: queue.name,
        summary: `${queue.name} got ${result.messageId} from ${describe(from)}`,
        payload: { messageId: result.messageId, groupId: input.groupId, body: input.body },
      });
    }
    return {
      messageId: result.messageId,
      md5OfMessageBody: result.message?.md5OfBody ?? md5OfBody(input.body),
      md5OfMessageAttributes: result.message ? result.message.md5OfAttributes : md5OfMessageAttributes(input.attributes),
      md5OfMessageSystemAttributes: input.traceHeader === undefined ? undefined : md5OfMessageAttributes({ AWSTraceHeader: { DataType: "String", StringValue: input.traceHeader } }),
      sequenceNumber: result.sequenceNumber,
      duplicate: result.duplicate,
    };
  }

  /**
   * Receives up to `max` messages, long polling for up to `waitTimeSeconds` when none is there.
   * `snapshot` reads each message at once, before anything else can receive it again.
   */
  receiveFrom<T>(queue: Queue, options: ReceiveOptions, snapshot: (message: StoredMessage) => T): Promise<T[]> {
    const max = options.max ?? 1;
    const visibility = options.visibilityTimeout ?? queue.config.visibilityTimeoutSeconds;
    const first = queue.receive(max, visibility).map(snapshot);
    const wait = options.waitTimeSeconds ?? queue.config.receiveWaitTimeSeconds;
    if (first.length > 0 || wait <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      const end = (messages: T[]) => {
        unsubscribe();
        timer.cancel();
        this.longPolls.delete(stop);
        resolve(messages);
      };
      const stop = () => end([]);
      const unsubscribe = queue.onAvailable(() => {
        const messages = queue.receive(max, visibility);
        if (messages.length > 0) end(messages.map(snapshot));
      });
      const timer = this.cloud.clock.schedule(wait * 1000, stop);
      this.longPolls.add(stop);
    });
  }

  purgeQueue(queue: Queue): void {
    const now = this.cloud.clock.now();
    if (now - queue.lastPurgeAt < 60_000) throw sqsErrors.purgeQueueInProgress(queue.name);
    queue.lastPurgeAt = now;
    queue.purge();
  }

  // ---- internals -----------------------------------------------------------------------------

  private createQueue(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const fifo = inputs.fifoQueue === true || inputs.fifoQueue === "true";
    const name: string = state.name ?? inputs.name ?? resource.name;
    validateQueueName(name, fifo);
    if (!fifo) {
      for (const [input, attribute] of [
        ["contentBasedDeduplication", "ContentBasedDeduplication"],
        ["deduplicationScope", "DeduplicationScope"],
        ["fifoThroughputLimit", "FifoThroughputLimit"],
      ]) {
        if (inputs[input] !== undefined && inputs[input] !== false) throw sqsErrors.invalidAttributeName(attribute);
      }
    }
    if (this.byName.has(name)) {
      throw new SqsError("com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", `A queue already exists with the same name (${name}) and a different value for attributes.`);
    }
    const deduplicationScope = inputs.deduplicationScope ?? "queue";
    if (deduplicationScope !== "queue" && deduplicationScope !== "messageGroup") throw sqsErrors.invalidAttributeValue("DeduplicationScope");
    const fifoThroughputLimit = inputs.fifoThroughputLimit ?? "perQueue";
    if (fifoThroughputLimit !== "perQueue" && fifoThroughputLimit !== "perMessageGroupId") throw sqsErrors.invalidAttributeValue("FifoThroughputLimit");
    const { region, account } = this.cloud.identity;
    const config: QueueConfig = {
      name,
      arn: state.arn ?? this.cloud.arn("sqs", name),
      url: state.url ?? `https://sqs.${region}.amazonaws.com/${account}/${name}`,
      fifo,
      contentBasedDeduplication: fifo && (inputs.contentBasedDeduplication === true || inputs.contentBasedDeduplication === "true"),
      deduplicationScope,
      fifoThroughputLimit,
      visibilityTimeoutSeconds: integerAttribute("VisibilityTimeout", inputs.visibilityTimeoutSeconds, 30, RANGES.sqs.visibilityTimeoutSeconds),
      delaySeconds: integerAttribute("DelaySeconds", inputs.delaySeconds, 0, RANGES.sqs.delaySeconds),
      messageRetentionSeconds: integerAttribute("MessageRetentionPeriod", inputs.messageRetentionSeconds, 345_600, RANGES.sqs.messageRetentionSeconds),
      maximumMessageSize: integerAttribute("MaximumMessageSize", inputs.maxMessageSize, 262_144, RANGES.sqs.maxMessageSizeBytes),
      receiveWaitTimeSeconds: integerAttribute("ReceiveMessageWaitTimeSeconds", inputs.receiveWaitTimeSeconds, 0, RANGES.sqs.receiveWaitTimeSeconds),
      redrivePolicy: parseRedrivePolicy(inputs.redrivePolicy),
      redriveAllowPolicy: parseRedriveAllowPolicy(inputs.redriveAllowPolicy),
      sqsManagedSseEnabled: inputs.kmsMasterKeyId ? false : inputs.sqsManagedSseEnabled !== false,
      kmsMasterKeyId: inputs.kmsMasterKeyId,
      kmsDataKeyReusePeriodSeconds: inputs.kmsMasterKeyId ? integerAttribute("KmsDataKeyReusePeriodSeconds", inputs.kmsDataKeyReusePeriodSeconds, 300, RANGES.sqs.kmsDataKeyReusePeriodSeconds) : undefined,
      tags: inputs.tags ?? {},
      createdAt: this.cloud.clock.now(),
    };
    const queue = new Queue(config, this.cloud.clock, {
      deadLettered: (source, message, target) =>
        this.cloud.trace.record({
          at: this.cloud.clock.now(),
          kind: "message.dead-lettered",
          resource: source.name,
          summary: `${source.name} moved ${message.id} to ${target.name} after ${message.receiveCount} receives`,
          payload: { messageId: message.id, deadLetterQueue: target.arn, receiveCount: message.receiveCount, body: message.body },
        }),
      deleted: (owner, message) =>
        this.cloud.trace.record({
          at: this.cloud.clock.now(),
          kind: "message.deleted",
          resource: owner.name,
          summary: `${owner.name} deleted ${message.id}`,
          payload: { messageId: message.id },
        }),
    });
    this.byName.set(name, queue);
    this.byArn.set(config.arn, queue);
    if (config.redrivePolicy) this.redriveSources.set(queue, resource);
    if (inputs.policy) this.setPolicy(queue, inputs.policy, `${resource.type} "${resource.name}" policy`);
  }

  private setPolicy(queue: Queue, policy: unknown, where: string): void {
    const text = typeof policy === "string" ? policy : JSON.stringify(policy);
    this.cloud.iam.putResourcePolicy(queue.arn, "queue-policy", parsePolicy(text, where));
    queue.config.policy = text;
    queue.lastModifiedAt = this.cloud.clock.now();
  }

  /** A message a move task takes out of a dead-letter queue, sent again into `destination`. */
  private redrive(message: StoredMessage, destination: Queue): void {
    const result = destination.enqueue(
      {
        body: message.body,
        attributes: message.attributes,
        traceHeader: message.traceHeader,
        groupId: message.groupId,
        deduplicationId: message.deduplicationId,
        senderId: message.senderId,
        delaySeconds: 0,
      },
      false,
    );
    this.cloud.trace.record({
      at: this.cloud.clock.now(),
      kind: "message.sent",
      resource: destination.name,
      summary: `${destination.name} got ${result.messageId} redriven from ${message.deadLetterSourceArn ? "its dead-letter queue" : "a message move task"}`,
      payload: { messageId: result.messageId, groupId: message.groupId, body: message.body, redrivenFrom: message.id },
    });
  }

  /** SenderId as AWS reports it: the account for the operator, `AROA…:<role>` for a role. */
  private senderIdOf(from: Principal): string {
    const key = from.kind === "operator" ? "operator" : from.kind === "role" ? from.arn : `service:${from.service}`;
    let id = this.senderIds.get(key);
    if (!id) {
      const digest = createHash("sha256").update(key).digest("hex").slice(0, 17).toUpperCase();
      id = from.kind === "operator" ? this.cloud.identity.account : from.kind === "role" ? `AROA${digest}:${from.arn.split("/").pop()}` : `AIDA${digest}`;
      this.senderIds.set(key, id);
    }
    return id;
  }
}

function describe(from: Principal): string {
  return from.kind === "operator" ? "the operator" : from.kind === "role" ? from.arn : `${from.service}${from.sourceArn ? ` for ${from.sourceArn}` : ""}`;
}

function receivedMessage(message: StoredMessage): ReceivedMessage {
  return {
    messageId: message.id,
    receiptHandle: message.receiptHandle!,
    body: message.body,
    md5OfBody: message.md5OfBody,
    attributes: systemAttributesOf(message),
    messageAttributes: message.attributes,
    md5OfMessageAttributes: message.md5OfAttributes,
  };
}
