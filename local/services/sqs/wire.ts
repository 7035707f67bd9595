import { RANGES } from "@event-routes/aws-model";
import { authorizeOrThrow, type LocalCloud, type Operation } from "../../cloud";
import type { Principal } from "../../iam";
import { operation } from "../../common/operation";
import { paginate } from "../../common/pagination";
import { moveTaskEntry, queueAttributes, sendResponse, wireMessage } from "./answers";
import { sqsErrors } from "./errors";
import type { Queue } from "./queue";
import { attributeBytes, batchEntries, eachEntry, numberParameter, required, sendInput, visibilityTimeoutOf } from "./requests";
import type { SqsService } from "./service";
import * as shapes from "./shapes";

const { visibilityTimeoutSeconds: VISIBILITY, receiveWaitTimeSeconds: WAIT } = RANGES.sqs;

/**
 * The SQS operations of the endpoint, in the JSON protocol (awsJson1_0, `X-Amz-Target:
 * AmazonSQS.<Operation>`): each has its request shape (./shapes.ts) checked first, with SQS's own
 * error codes, and returns the response body. Each call is authorized as `sqs:<Action>` on the
 * queue (batch operations as their single-message action).
 */
export function sqsOperations(sqs: SqsService, cloud: LocalCloud): Record<string, Operation> {
  const invalid = shapes.sqsShapeError;
  // Queue URLs on the wire point at the endpoint: SDKs send each request to its QueueUrl's host.
  const localUrl = (queue: Queue) => `${cloud.endpointUrl}/${cloud.identity.account}/${queue.name}`;
  const authorized = (request: { QueueUrl: string }, caller: Principal, action: string): Queue => {
    const queue = sqs.queueByUrl(required(request.QueueUrl, "QueueUrl"));
    if (!queue) throw sqsErrors.nonExistentQueue();
    authorizeOrThrow(cloud, caller, `sqs:${action}`, queue.arn);
    return queue;
  };
  const queueByArnParameter = (value: string | undefined, parameter: string): Queue => {
    const queue = sqs.queueByArn(required(value, parameter));
    if (!queue) throw sqsErrors.resourceNotFound();
    return queue;
  };
  /** MaxResults / NextToken paging (the shared scheme) over a list of URLs; a token only when MaxResults is given, as SQS does. */
  const page = (urls: string[], request: { NextToken?: string; MaxResults?: number | string }, member: string, alwaysPresent = false) => {
    const max = numberParameter(request.MaxResults, "MaxResults", 1000, 1, 1000, "Must be between 1 and 1000, if provided.");
    const token = request.NextToken;
    const { page, next } = paginate(urls, token, max, () => sqsErrors.invalidParameter("NextToken", token, "Invalid NextToken value."));
    const response: Record<string, unknown> = {};
    if (page.length > 0 || alwaysPresent) response[member] = page;
    if (request.MaxResults !== undefined && next) response.NextToken = next;
    return response;
  };

  const operations: Record<string, Operation> = {
    SendMessage: operation(
      shapes.SendMessageInput,
      (request, caller) => {
        const queue = authorized(request, caller, "SendMessage");
        return sendResponse(sqs.sendTo(queue, sendInput(request), caller));
      },
      { invalid },
    ),

    SendMessageBatch: operation(
      shapes.SendMessageBatchInput,
      (request, caller) => {
        const queue = authorized(request, caller, "SendMessage");
        const entries = batchEntries(request.Entries);
        // SQS counts bodies and message attributes toward a batch's size.
        const totalBytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? "", "utf8") + attributeBytes(entry.MessageAttributes), 0);
        if (totalBytes > queue.config.maximumMessageSize) throw sqsErrors.batchRequestTooLong(queue.config.maximumMessageSize);
        return eachEntry(entries, (entry) => sendResponse(sqs.sendTo(queue, sendInput(entry), caller)));
      },
      { invalid },
    ),

    ReceiveMessage: operation(
      shapes.ReceiveMessageInput,
      async (request, caller) => {
        const queue = authorized(request, caller, "ReceiveMessage");
        sqs.useKey(queue, caller, "receive");
        const max = numberParameter(request.MaxNumberOfMessages, "MaxNumberOfMessages", 1, 1, 10, "Must be between 1 and 10, if provided.");
        const visibilityTimeout = numberParameter(request.VisibilityTimeout, "VisibilityTimeout", queue.config.visibilityTimeoutSeconds, VISIBILITY.min, VISIBILITY.max, "Must be >= 0 and <= 43200, if provided.");
        const waitTimeSeconds = numberParameter(request.WaitTimeSeconds, "WaitTimeSeconds", queue.config.receiveWaitTimeSeconds, WAIT.min, WAIT.max, "Must be >= 0 and <= 20, if provided.");
        const systemNames = new Set<string>([...(request.AttributeNames ?? []), ...(request.MessageSystemAttributeNames ?? [])]);
        const userNames = request.MessageAttributeNames ?? [];
        const messages = await sqs.receiveFrom(queue, { max, visibilityTimeout, waitTimeSeconds }, (message) => wireMessage(message, systemNames, userNames));
        return messages.length > 0 ? { Messages: messages } : {};
      },
      { invalid },
    ),

    DeleteMessage: operation(
      shapes.DeleteMessageInput,
      (request, caller) => {
        authorized(request, caller, "DeleteMessage").delete(required(request.ReceiptHandle, "ReceiptHandle"));
        return {};
      },
      { invalid },
    ),

    DeleteMessageBatch: operation(
      shapes.DeleteMessageBatchInput,
      (request, caller) => {
        const queue = authorized(request, caller, "DeleteMessage");
        return eachEntry(batchEntries(request.Entries), (entry) => {
          queue.delete(required(entry.ReceiptHandle, "ReceiptHandle"));
          return {};
        });
      },
      { invalid },
    ),

    ChangeMessageVisibility: operation(
      shapes.ChangeMessageVisibilityInput,
      (request, caller) => {
        const queue = authorized(request, caller, "ChangeMessageVisibility");
        queue.changeVisibility(required(request.ReceiptHandle, "ReceiptHandle"), visibilityTimeoutOf(request.VisibilityTimeout));
        return {};
      },
      { invalid },
    ),

    ChangeMessageVisibilityBatch: operation(
      shapes.ChangeMessageVisibilityBatchInput,
      (request, caller) => {
        const queue = authorized(request, caller, "ChangeMessageVisibility");
        return eachEntry(batchEntries(request.Entries), (entry) => {
          queue.changeVisibility(required(entry.ReceiptHandle, "ReceiptHandle"), visibilityTimeoutOf(entry.VisibilityTimeout));
          return {};
        });
      },
      { invalid },
    ),

    GetQueueUrl: operation(
      shapes.GetQueueUrlInput,
      (request, caller) => {
        const name = required(request.QueueName, "QueueName");
        if (request.QueueOwnerAWSAccountId !== undefined && request.QueueOwnerAWSAccountId !== cloud.identity.account) throw sqsErrors.nonExistentQueue();
        const queue = sqs.queueByName(name);
        if (!queue) throw sqsErrors.nonExistentQueue();
        authorizeOrThrow(cloud, caller, "sqs:GetQueueUrl", queue.arn);
        return { QueueUrl: localUrl(queue) };
      },
      { invalid },
    ),

    GetQueueAttributes: operation(
      shapes.GetQueueAttributesInput,
      (request, caller) => {
        const queue = authorized(request, caller, "GetQueueAttributes");
        const attributes = queueAttributes(queue, request.AttributeNames ?? []);
        return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
      },
      { invalid },
    ),

    ListQueues: operation(
      shapes.ListQueuesInput,
      (request, caller) => {
        authorizeOrThrow(cloud, caller, "sqs:ListQueues", cloud.arn("sqs", "*"));
        return page(sqs.listQueues(request.QueueNamePrefix ?? "").map(localUrl), request, "QueueUrls");
      },
      { invalid },
    ),

    ListQueueTags: operation(
      shapes.ListQueueTagsInput,
      (request, caller) => {
        const queue = authorized(request, caller, "ListQueueTags");
        return Object.keys(queue.config.tags).length > 0 ? { Tags: { ...queue.config.tags } } : {};
      },
      { invalid },
    ),

    PurgeQueue: operation(
      shapes.PurgeQueueInput,
      (request, caller) => {
        sqs.purgeQueue(authorized(request, caller, "PurgeQueue"));
        return {};
      },
      { invalid },
    ),

    ListDeadLetterSourceQueues: operation(
      shapes.ListDeadLetterSourceQueuesInput,
      (request, caller) => {
        const queue = authorized(request, caller, "ListDeadLetterSourceQueues");
        // AWS spells this member in lower camel case, and answers it even when empty.
        return page(sqs.deadLetterSourcesOf(queue).map(localUrl), request, "queueUrls", true);
      },
      { invalid },
    ),

    StartMessageMoveTask: operation(
      shapes.StartMessageMoveTaskInput,
      (request, caller) => {
        const source = queueByArnParameter(request.SourceArn, "SourceArn");
        authorizeOrThrow(cloud, caller, "sqs:StartMessageMoveTask", source.arn);
        const destination = request.DestinationArn === undefined ? undefined : queueByArnParameter(request.DestinationArn, "DestinationArn");
        if (destination) authorizeOrThrow(cloud, caller, "sqs:SendMessage", destination.arn);
        const rate = request.MaxNumberOfMessagesPerSecond === undefined ? undefined : Number(request.MaxNumberOfMessagesPerSecond);
        return { TaskHandle: sqs.moveTasks.start(source, destination, rate).handle };
      },
      { invalid },
    ),

    ListMessageMoveTasks: operation(
      shapes.ListMessageMoveTasksInput,
      (request, caller) => {
        const source = queueByArnParameter(request.SourceArn, "SourceArn");
        authorizeOrThrow(cloud, caller, "sqs:ListMessageMoveTasks", source.arn);
        const max = numberParameter(request.MaxResults, "MaxResults", 1, 1, 10, "Must be between 1 and 10, if provided.");
        return { Results: sqs.moveTasks.list(source.arn, max).map(moveTaskEntry) };
      },
      { invalid },
    ),

    CancelMessageMoveTask: operation(
      shapes.CancelMessageMoveTaskInput,
      (request, caller) => {
        const handle = required(request.TaskHandle, "TaskHandle");
        const sourceArn = sourceArnOfTask(handle);
        if (sourceArn) authorizeOrThrow(cloud, caller, "sqs:CancelMessageMoveTask", sourceArn);
        return { ApproximateNumberOfMessagesMoved: sqs.moveTasks.cancel(handle).moved };
      },
      { invalid },
    ),
  };
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [`AmazonSQS.${name}`, operation]));
}

/** The source queue a task handle (base64 JSON, ./move-tasks.ts) names; a handle that is not ours names no task. */
function sourceArnOfTask(handle: string): string | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(handle, "base64").toString("utf8"));
  } catch {
    throw sqsErrors.resourceNotFound("Task does not exist.");
  }
  const sourceArn = (decoded as { sourceArn?: unknown } | null)?.sourceArn;
  return typeof sourceArn === "string" ? sourceArn : undefined;
}
