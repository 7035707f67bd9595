import type { MessageAttribute } from "../../cloud";
import { sqsErrors } from "./errors";
import { md5OfMessageAttributes } from "./md5";
import type { MoveTask } from "./move-tasks";
import { type Queue, type StoredMessage, systemAttributesOf } from "./queue";
import type { SendResult } from "./service";

/** The answers of SQS's operations, in the JSON protocol's shape (the query protocol writes them as XML). */

export function sendResponse(result: SendResult): Record<string, unknown> {
  const response: Record<string, unknown> = { MessageId: result.messageId, MD5OfMessageBody: result.md5OfMessageBody };
  if (result.md5OfMessageAttributes) response.MD5OfMessageAttributes = result.md5OfMessageAttributes;
  if (result.md5OfMessageSystemAttributes) response.MD5OfMessageSystemAttributes = result.md5OfMessageSystemAttributes;
  if (result.sequenceNumber) response.SequenceNumber = result.sequenceNumber;
  return response;
}

/** A received message in the wire shape, with the attributes the request asked for. */
export function wireMessage(message: StoredMessage, systemNames: Set<string>, userNames: string[]): Record<string, unknown> {
  const shaped: Record<string, unknown> = {
    MessageId: message.id,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  if (systemNames.size > 0) {
    const all = systemAttributesOf(message);
    const everything = systemNames.has("All");
    const selected = everything ? all : Object.fromEntries(Object.entries(all).filter(([name]) => systemNames.has(name)));
    if (Object.keys(selected).length > 0) shaped.Attributes = selected;
  }
  if (message.attributes && userNames.length > 0) {
    const selected = selectAttributes(message.attributes, userNames);
    if (selected) {
      shaped.MD5OfMessageAttributes = selected === message.attributes ? message.md5OfAttributes : md5OfMessageAttributes(selected);
      shaped.MessageAttributes = selected;
    }
  }
  return shaped;
}

/** MessageAttributeNames: `All` or `.*`, exact names, or prefixes written `name.*`. */
function selectAttributes(attributes: Record<string, MessageAttribute>, names: string[]): Record<string, MessageAttribute> | undefined {
  if (names.includes("All") || names.includes(".*")) return attributes;
  const selected: Record<string, MessageAttribute> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (names.some((wanted) => wanted === name || (wanted.endsWith(".*") && name.startsWith(wanted.slice(0, -1))))) selected[name] = attribute;
  }
  return Object.keys(selected).length > 0 ? selected : undefined;
}

const QUEUE_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesDelayed",
  "ApproximateNumberOfMessagesNotVisible",
  "CreatedTimestamp",
  "DelaySeconds",
  "LastModifiedTimestamp",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "Policy",
  "QueueArn",
  "ReceiveMessageWaitTimeSeconds",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "VisibilityTimeout",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "SqsManagedSseEnabled",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
] as const;

/** GetQueueAttributes: `All` or the named attributes that apply to the queue. */
export function queueAttributes(queue: Queue, names: string[]): Record<string, string> {
  for (const name of names) {
    if (name !== "All" && !(QUEUE_ATTRIBUTES as readonly string[]).includes(name)) throw sqsErrors.invalidAttributeName(name);
  }
  const wanted = names.includes("All") ? QUEUE_ATTRIBUTES : names;
  const { config } = queue;
  const depth = queue.depth();
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  const values: Record<string, string | undefined> = {
    ApproximateNumberOfMessages: String(depth.visible),
    ApproximateNumberOfMessagesDelayed: String(depth.delayed),
    ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
    CreatedTimestamp: seconds(config.createdAt),
    DelaySeconds: String(config.delaySeconds),
    LastModifiedTimestamp: seconds(queue.lastModifiedAt),
    MaximumMessageSize: String(config.maximumMessageSize),
    MessageRetentionPeriod: String(config.messageRetentionSeconds),
    Policy: config.policy,
    QueueArn: config.arn,
    ReceiveMessageWaitTimeSeconds: String(config.receiveWaitTimeSeconds),
    RedrivePolicy: config.redrivePolicy ? JSON.stringify(config.redrivePolicy) : undefined,
    RedriveAllowPolicy: config.redriveAllowPolicy ? JSON.stringify(config.redriveAllowPolicy) : undefined,
    VisibilityTimeout: String(config.visibilityTimeoutSeconds),
    KmsMasterKeyId: config.kmsMasterKeyId,
    KmsDataKeyReusePeriodSeconds: config.kmsDataKeyReusePeriodSeconds === undefined ? undefined : String(config.kmsDataKeyReusePeriodSeconds),
    SqsManagedSseEnabled: config.kmsMasterKeyId ? undefined : String(config.sqsManagedSseEnabled),
    FifoQueue: config.fifo ? "true" : undefined,
    ContentBasedDeduplication: config.fifo ? String(config.contentBasedDeduplication) : undefined,
    DeduplicationScope: config.fifo ? config.deduplicationScope : undefined,
    FifoThroughputLimit: config.fifo ? config.fifoThroughputLimit : undefined,
  };
  const attributes: Record<string, string> = {};
  for (const name of wanted) {
    const value = values[name];
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}

export function moveTaskEntry(task: MoveTask): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    Status: task.status,
    SourceArn: task.sourceArn,
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    StartedTimestamp: task.startedAt,
  };
  if (task.status === "RUNNING") entry.TaskHandle = task.handle;
  if (task.destinationArn) entry.DestinationArn = task.destinationArn;
  if (task.maxNumberOfMessagesPerSecond !== undefined) entry.MaxNumberOfMessagesPerSecond = task.maxNumberOfMessagesPerSecond;
  if (task.failureReason) entry.FailureReason = task.failureReason;
  return entry;
}
