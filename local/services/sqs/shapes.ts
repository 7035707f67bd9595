import type {
  CancelMessageMoveTaskRequest,
  ChangeMessageVisibilityBatchRequestEntry,
  ChangeMessageVisibilityRequest,
  DeleteMessageBatchRequestEntry,
  DeleteMessageRequest,
  GetQueueAttributesRequest,
  GetQueueUrlRequest,
  ListDeadLetterSourceQueuesRequest,
  ListMessageMoveTasksRequest,
  ListQueuesRequest,
  ListQueueTagsRequest,
  MessageAttributeValue,
  MessageSystemAttributeValue,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  SendMessageBatchRequestEntry,
  SendMessageRequest,
  StartMessageMoveTaskRequest,
} from "@aws-sdk/client-sqs";
import { z } from "zod";
import type { ShapeProblem } from "../../shared/operation";
import { sdkShape, type Wire } from "../../shared/sdk-shape";
import { type SqsError, sqsErrors } from "./errors";

/**
 * The request shapes of SQS's operations, tied to @aws-sdk/client-sqs's request types. The query
 * protocol (./query.ts) carries every value as text, so numbers may come as numeric text: the
 * operations read them with SQS's own range checks and messages. Binary attribute values are
 * base64 text on the wire, Uint8Array in the SDK (see Wire).
 */
type SqsWire<T> = Wire<T, number | string>;

/**
 * SQS words a request of the wrong shape with its own codes: MissingParameter for an absent
 * member, InvalidParameterValue for a value of the wrong type; both carry the
 * x-amzn-query-error header (SqsError). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export function sqsShapeError(problem: ShapeProblem): SqsError {
  if (problem.missing) return sqsErrors.missingParameter(problem.path);
  return sqsErrors.invalidParameterValue(`Value for parameter ${problem.path} is invalid. Reason: ${problem.message}`);
}

const integer = z.union([z.number(), z.string()]);
const names = z.array(z.string());

const MessageAttribute = sdkShape<SqsWire<MessageAttributeValue>>()({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: names.optional(),
  BinaryListValues: names.optional(),
});
const MessageSystemAttribute = sdkShape<SqsWire<MessageSystemAttributeValue>>()({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});
const messageAttributes = z.record(z.string(), MessageAttribute);
const messageSystemAttributes = z.record(z.string(), MessageSystemAttribute);

export const SendMessageInput = sdkShape<SqsWire<SendMessageRequest>>()({
  QueueUrl: z.string(),
  MessageBody: z.string(),
  DelaySeconds: integer.optional(),
  MessageAttributes: messageAttributes.optional(),
  MessageSystemAttributes: messageSystemAttributes.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
});

/** A batch's entries are checked one by one (./batch.ts): an entry without a body fails alone. */
const SendEntry = sdkShape<SqsWire<SendMessageBatchRequestEntry>>()({
  Id: z.string().optional(),
  MessageBody: z.string().optional(),
  DelaySeconds: integer.optional(),
  MessageAttributes: messageAttributes.optional(),
  MessageSystemAttributes: messageSystemAttributes.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
});
export type SendEntry = z.infer<typeof SendEntry>;

/** An absent or empty Entries is SQS's EmptyBatchRequest, not a missing parameter. */
export const SendMessageBatchInput = z.object({ QueueUrl: z.string(), Entries: z.array(SendEntry).optional() });

export const ReceiveMessageInput = sdkShape<SqsWire<ReceiveMessageRequest>>()({
  QueueUrl: z.string(),
  AttributeNames: names.optional(),
  MessageSystemAttributeNames: names.optional(),
  MessageAttributeNames: names.optional(),
  MaxNumberOfMessages: integer.optional(),
  VisibilityTimeout: integer.optional(),
  WaitTimeSeconds: integer.optional(),
  ReceiveRequestAttemptId: z.string().optional(),
});

export const DeleteMessageInput = sdkShape<SqsWire<DeleteMessageRequest>>()({ QueueUrl: z.string(), ReceiptHandle: z.string() });
const DeleteEntry = sdkShape<SqsWire<DeleteMessageBatchRequestEntry>>()({ Id: z.string().optional(), ReceiptHandle: z.string().optional() });
export const DeleteMessageBatchInput = z.object({ QueueUrl: z.string(), Entries: z.array(DeleteEntry).optional() });

export const ChangeMessageVisibilityInput = sdkShape<SqsWire<ChangeMessageVisibilityRequest>>()({ QueueUrl: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: integer });
const ChangeVisibilityEntry = sdkShape<SqsWire<ChangeMessageVisibilityBatchRequestEntry>>()({
  Id: z.string().optional(),
  ReceiptHandle: z.string().optional(),
  VisibilityTimeout: integer.optional(),
});
export const ChangeMessageVisibilityBatchInput = z.object({ QueueUrl: z.string(), Entries: z.array(ChangeVisibilityEntry).optional() });

export const GetQueueUrlInput = sdkShape<SqsWire<GetQueueUrlRequest>>()({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() });
export const GetQueueAttributesInput = sdkShape<SqsWire<GetQueueAttributesRequest>>()({ QueueUrl: z.string(), AttributeNames: names.optional() });
export const ListQueuesInput = sdkShape<SqsWire<ListQueuesRequest>>()({ QueueNamePrefix: z.string().optional(), NextToken: z.string().optional(), MaxResults: integer.optional() });
export const ListQueueTagsInput = sdkShape<SqsWire<ListQueueTagsRequest>>()({ QueueUrl: z.string() });
export const PurgeQueueInput = sdkShape<SqsWire<PurgeQueueRequest>>()({ QueueUrl: z.string() });
export const ListDeadLetterSourceQueuesInput = sdkShape<SqsWire<ListDeadLetterSourceQueuesRequest>>()({
  QueueUrl: z.string(),
  NextToken: z.string().optional(),
  MaxResults: integer.optional(),
});

export const StartMessageMoveTaskInput = sdkShape<SqsWire<StartMessageMoveTaskRequest>>()({
  SourceArn: z.string(),
  DestinationArn: z.string().optional(),
  MaxNumberOfMessagesPerSecond: integer.optional(),
});
export const ListMessageMoveTasksInput = sdkShape<SqsWire<ListMessageMoveTasksRequest>>()({ SourceArn: z.string(), MaxResults: integer.optional() });
export const CancelMessageMoveTaskInput = sdkShape<SqsWire<CancelMessageMoveTaskRequest>>()({ TaskHandle: z.string() });
