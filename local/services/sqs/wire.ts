import { authorizeOrThrow, type LocalCloud, type MessageAttribute, type Operation } from "../../cloud";
import type { Principal } from "../../iam";
import { SqsError, sqsErrors } from "./errors";
import { md5OfMessageAttributes } from "./md5";
import type { MoveTask } from "./move-tasks";
import { type Queue, type StoredMessage, systemAttributesOf } from "./queue";
import { type SendInput, validateAttributes } from "./validation";
import type { SendResult, SqsService } from "./service";
import { NAMES, nameFits, RANGES } from "@event-routes/aws-model";

const { visibilityTimeoutSeconds: VISIBILITY, receiveWaitTimeSeconds: WAIT } = RANGES.sqs;

/**
 * The SQS operations of the endpoint, in the JSON protocol (awsJson1_0, `X-Amz-Target:
 * AmazonSQS.<Operation>`): each takes the parsed request body and the signing principal and
 * returns the response body. Each call is authorized as `sqs:<Action>` on the queue (batch
 * operations as their single-message action).
 */
export function sqsOperations(sqs: SqsService, cloud: LocalCloud): Record<string, Operation> {
  // Queue URLs on the wire point at the endpoint: SDKs send each request to its QueueUrl's host.
  const localUrl = (queue: Queue) => `${cloud.endpointUrl}/${cloud.identity.account}/${queue.name}`;
  const queueOf = (body: any): Queue => {
    if (body?.QueueUrl === undefined || body.QueueUrl === "") throw sqsErrors.missingParameter("QueueUrl");
    const queue = sqs.queueByUrl(String(body.QueueUrl));
    if (!queue) throw sqsErrors.nonExistentQueue();
    return queue;
  };
  const authorized = (body: any, caller: Principal, action: string): Queue => {
    const queue = queueOf(body);
    authorizeOrThrow(cloud, caller, `sqs:${action}`, queue.arn);
    return queue;
  };
  const queueByArnParameter = (value: unknown, parameter: string): Queue => {
    if (value === undefined || value === "") throw sqsErrors.missingParameter(parameter);
    const queue = sqs.queueByArn(String(value));
    if (!queue) throw sqsErrors.resourceNotFound();
    return queue;
  };

  const operations: Record<string, Operation> = {
    SendMessage: (body, caller) => {
      const queue = authorized(body, caller, "SendMessage");
      return sendResponse(sqs.sendTo(queue, sendInput(body), caller));
    },

    SendMessageBatch: (body, caller) => {
      const queue = authorized(body, caller, "SendMessage");
      const entries = batchEntries(body.Entries);
      // SQS counts bodies and message attributes toward a batch's size.
      const totalBytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? ""), "utf8") + attributeBytes(entry.MessageAttributes), 0);
      if (totalBytes > queue.config.maximumMessageSize) throw sqsErrors.batchRequestTooLong(queue.config.maximumMessageSize);
      return eachEntry(entries, (entry) => ({ ...sendResponse(sqs.sendTo(queue, sendInput(entry), caller)) }));
    },

    ReceiveMessage: async (body, caller) => {
      const queue = authorized(body, caller, "ReceiveMessage");
      sqs.useKey(queue, caller, "receive");
      const max = numberParameter(body.MaxNumberOfMessages, "MaxNumberOfMessages", 1, 1, 10, "Must be between 1 and 10, if provided.");
      const visibilityTimeout = numberParameter(body.VisibilityTimeout, "VisibilityTimeout", queue.config.visibilityTimeoutSeconds, VISIBILITY.min, VISIBILITY.max, "Must be >= 0 and <= 43200, if provided.");
      const waitTimeSeconds = numberParameter(body.WaitTimeSeconds, "WaitTimeSeconds", queue.config.receiveWaitTimeSeconds, WAIT.min, WAIT.max, "Must be >= 0 and <= 20, if provided.");
      const systemNames = new Set<string>([...stringList(body.AttributeNames), ...stringList(body.MessageSystemAttributeNames)]);
      const userNames = stringList(body.MessageAttributeNames);
      const messages = await sqs.receiveFrom(queue, { max, visibilityTimeout, waitTimeSeconds }, (message) => wireMessage(message, systemNames, userNames));
      return messages.length > 0 ? { Messages: messages } : {};
    },

    DeleteMessage: (body, caller) => {
      const queue = authorized(body, caller, "DeleteMessage");
      queue.delete(receiptHandleOf(body));
      return {};
    },

    DeleteMessageBatch: (body, caller) => {
      const queue = authorized(body, caller, "DeleteMessage");
      return eachEntry(batchEntries(body.Entries), (entry) => {
        queue.delete(receiptHandleOf(entry));
        return {};
      });
    },

    ChangeMessageVisibility: (body, caller) => {
      const queue = authorized(body, caller, "ChangeMessageVisibility");
      queue.changeVisibility(receiptHandleOf(body), visibilityTimeoutOf(body));
      return {};
    },

    ChangeMessageVisibilityBatch: (body, caller) => {
      const queue = authorized(body, caller, "ChangeMessageVisibility");
      return eachEntry(batchEntries(body.Entries), (entry) => {
        queue.changeVisibility(receiptHandleOf(entry), visibilityTimeoutOf(entry));
        return {};
      });
    },

    GetQueueUrl: (body, caller) => {
      if (!body?.QueueName) throw sqsErrors.missingParameter("QueueName");
      if (body.QueueOwnerAWSAccountId !== undefined && String(body.QueueOwnerAWSAccountId) !== cloud.identity.account) throw sqsErrors.nonExistentQueue();
      const queue = sqs.queueByName(String(body.QueueName));
      if (!queue) throw sqsErrors.nonExistentQueue();
      authorizeOrThrow(cloud, caller, "sqs:GetQueueUrl", queue.arn);
      return { QueueUrl: localUrl(queue) };
    },

    GetQueueAttributes: (body, caller) => {
      const queue = authorized(body, caller, "GetQueueAttributes");
      const attributes = queueAttributes(queue, stringList(body.AttributeNames));
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },

    ListQueues: (body, caller) => {
      authorizeOrThrow(cloud, caller, "sqs:ListQueues", cloud.arn("sqs", "*"));
      const urls = sqs.listQueues(body?.QueueNamePrefix ?? "").map(localUrl);
      return paginate(urls, body, "QueueUrls");
    },

    ListQueueTags: (body, caller) => {
      const queue = authorized(body, caller, "ListQueueTags");
      return Object.keys(queue.config.tags).length > 0 ? { Tags: { ...queue.config.tags } } : {};
    },

    PurgeQueue: (body, caller) => {
      sqs.purgeQueue(authorized(body, caller, "PurgeQueue"));
      return {};
    },

    ListDeadLetterSourceQueues: (body, caller) => {
      const queue = authorized(body, caller, "ListDeadLetterSourceQueues");
      // AWS spells this member in lower camel case.
      return paginate(
        sqs.deadLetterSourcesOf(queue).map(localUrl),
        body,
        "queueUrls",
        true,
      );
    },

    StartMessageMoveTask: (body, caller) => {
      const source = queueByArnParameter(body?.SourceArn, "SourceArn");
      authorizeOrThrow(cloud, caller, "sqs:StartMessageMoveTask", source.arn);
      const destination = body.DestinationArn === undefined ? undefined : queueByArnParameter(body.DestinationArn, "DestinationArn");
      if (destination) authorizeOrThrow(cloud, caller, "sqs:SendMessage", destination.arn);
      const rate = body.MaxNumberOfMessagesPerSecond === undefined ? undefined : Number(body.MaxNumberOfMessagesPerSecond);
      return { TaskHandle: sqs.moveTasks.start(source, destination, rate).handle };
    },

    ListMessageMoveTasks: (body, caller) => {
      const source = queueByArnParameter(body?.SourceArn, "SourceArn");
      authorizeOrThrow(cloud, caller, "sqs:ListMessageMoveTasks", source.arn);
      const max = numberParameter(body.MaxResults, "MaxResults", 1, 1, 10, "Must be between 1 and 10, if provided.");
      return { Results: sqs.moveTasks.list(source.arn, max).map(moveTaskEntry) };
    },

    CancelMessageMoveTask: (body, caller) => {
      if (!body?.TaskHandle) throw sqsErrors.missingParameter("TaskHandle");
      let sourceArn: string | undefined;
      try {
        sourceArn = JSON.parse(Buffer.from(String(body.TaskHandle), "base64").toString("utf8")).sourceArn;
      } catch {
        throw sqsErrors.resourceNotFound("Task does not exist.");
      }
      if (sourceArn) authorizeOrThrow(cloud, caller, "sqs:CancelMessageMoveTask", sourceArn);
      return { ApproximateNumberOfMessagesMoved: sqs.moveTasks.cancel(String(body.TaskHandle)).moved };
    },
  };
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [`AmazonSQS.${name}`, operation]));
}

/** The size of an entry's attributes; an invalid entry counts 0 here and fails on its own when sent. */
function attributeBytes(attributes: unknown): number {
  try {
    return validateAttributes(wireAttributes(attributes, "message"));
  } catch {
    return 0;
  }
}

function sendInput(body: any): SendInput {
  return {
    body: body?.MessageBody,
    attributes: wireAttributes(body?.MessageAttributes, "message"),
    groupId: body?.MessageGroupId ?? undefined,
    deduplicationId: body?.MessageDeduplicationId ?? undefined,
    delaySeconds: body?.DelaySeconds === undefined || body.DelaySeconds === null ? undefined : Number(body.DelaySeconds),
    traceHeader: traceHeaderOf(body?.MessageSystemAttributes),
  };
}

/** Message attributes as sent: DataType with StringValue or BinaryValue (base64 in JSON). */
function wireAttributes(value: unknown, kind: string): Record<string, MessageAttribute> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw sqsErrors.invalidParameterValue(`The ${kind} attributes must be a map of names to values.`);
  const entries = Object.entries(value as Record<string, any>);
  if (entries.length === 0) return undefined;
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, attribute] of entries) {
    const normalized: MessageAttribute = { DataType: attribute?.DataType };
    if (attribute?.StringValue !== undefined && attribute.StringValue !== null) normalized.StringValue = String(attribute.StringValue);
    if (attribute?.BinaryValue !== undefined && attribute.BinaryValue !== null) normalized.BinaryValue = String(attribute.BinaryValue);
    attributes[name] = normalized;
  }
  return attributes;
}

function traceHeaderOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const attributes = value as Record<string, any>;
  for (const name of Object.keys(attributes)) {
    if (name !== "AWSTraceHeader") throw sqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
  }
  const header = attributes.AWSTraceHeader;
  if (header === undefined) return undefined;
  if (header?.DataType !== "String" || typeof header.StringValue !== "string" || header.StringValue === "") {
    throw sqsErrors.invalidParameterValue("Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.");
  }
  return header.StringValue;
}

function sendResponse(result: SendResult): Record<string, unknown> {
  const response: Record<string, unknown> = { MessageId: result.messageId, MD5OfMessageBody: result.md5OfMessageBody };
  if (result.md5OfMessageAttributes) response.MD5OfMessageAttributes = result.md5OfMessageAttributes;
  if (result.md5OfMessageSystemAttributes) response.MD5OfMessageSystemAttributes = result.md5OfMessageSystemAttributes;
  if (result.sequenceNumber) response.SequenceNumber = result.sequenceNumber;
  return response;
}

/** A received message in the wire shape, with the attributes the request asked for. */
function wireMessage(message: StoredMessage, systemNames: Set<string>, userNames: string[]): Record<string, unknown> {
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

function moveTaskEntry(task: MoveTask): Record<string, unknown> {
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

function receiptHandleOf(body: any): string {
  if (body?.ReceiptHandle === undefined || body.ReceiptHandle === "") throw sqsErrors.missingParameter("ReceiptHandle");
  return String(body.ReceiptHandle);
}

function visibilityTimeoutOf(body: any): number {
  if (body?.VisibilityTimeout === undefined || body.VisibilityTimeout === null) throw sqsErrors.missingParameter("VisibilityTimeout");
  return numberParameter(body.VisibilityTimeout, "VisibilityTimeout", 0, VISIBILITY.min, VISIBILITY.max, "Must be >= 0 and <= 43200, if provided.");
}

function numberParameter(value: unknown, name: string, fallback: number, min: number, max: number, reason: string): number {
  if (value === undefined || value === null) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw sqsErrors.invalidParameter(name, value, reason);
  return number;
}

function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw sqsErrors.invalidParameterValue("Expected a list of names.");
  return value.map(String);
}


/** The checks every *Batch operation makes on its entries. */
function batchEntries(entries: unknown): any[] {
  if (!Array.isArray(entries) || entries.length === 0) throw sqsErrors.emptyBatchRequest();
  if (entries.length > RANGES.sqs.batchEntries.max) throw sqsErrors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry?.Id;
    if (typeof id !== "string" || !nameFits(NAMES.sqsBatchEntryId, id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw sqsErrors.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

/** Runs each entry on its own: an entry AWS would reject is a Failed item, the others succeed. */
function eachEntry(entries: any[], run: (entry: any) => Record<string, unknown>): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** MaxResults / NextToken paging over a list of URLs (the token is the offset). */
function paginate(items: string[], body: any, member: string, alwaysPresent = false): Record<string, unknown> {
  const hasMax = body?.MaxResults !== undefined && body.MaxResults !== null;
  const max = numberParameter(body?.MaxResults, "MaxResults", 1000, 1, 1000, "Must be between 1 and 1000, if provided.");
  let offset = 0;
  if (body?.NextToken) {
    offset = Number(Buffer.from(String(body.NextToken), "base64").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0) throw sqsErrors.invalidParameter("NextToken", body.NextToken, "Invalid NextToken value.");
  }
  const page = items.slice(offset, offset + max);
  const response: Record<string, unknown> = {};
  if (page.length > 0 || alwaysPresent) response[member] = page;
  if (hasMax && offset + max < items.length) response.NextToken = Buffer.from(String(offset + max)).toString("base64");
  return response;
}
