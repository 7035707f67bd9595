import type {
  CancelMessageMoveTaskRequest,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchRequestEntry,
  ChangeMessageVisibilityRequest,
  DeleteMessageBatchRequest,
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
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageRequest,
  StartMessageMoveTaskRequest,
} from "@aws-sdk/client-sqs";
import { z } from "zod";
import type { ShapeProblem } from "../../common/operation";
import { type CheckedLater, type Override, type TextNumbersWire, tiedTo, type Wire } from "../../common/sdk-shape";
import { type SqsError, sqsErrors } from "./errors";

/**
 * The request shapes of SQS's operations, tied to @aws-sdk/client-sqs's request types. The query
 * protocol (./query.ts) carries every value as text, so numbers may come as numeric text: the
 * operations read them with SQS's own range checks and messages. Binary attribute values are
 * base64 text on the wire, Uint8Array in the SDK (see Wire).
 */
type SqsWire<T> = Wire<T, TextNumbersWire<readonly [MessageAttributeValue, WireMessageAttribute]>>;

/** A message (system) attribute on the wire: its DataType checked by the operation, in SQS's words (./requests.ts). */
type WireMessageAttribute = CheckedLater<Wire<MessageAttributeValue, TextNumbersWire>, "DataType">;

/**
 * SQS words a request of the wrong shape with its own codes: MissingParameter for an absent
 * member, InvalidParameterValue for a value of the wrong type; both carry the
 * x-amzn-query-error header (SqsError). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export function sqsShapeError(problem: ShapeProblem): SqsError {
  if (problem.missing) return sqsErrors.missingParameter(problem.path);
  return sqsErrors.invalidParameterValue(`Value for parameter ${problem.path} is invalid. Reason: ${problem.message}`);
}

/**
 * A batch request as the wire carries it: its entries checked one by one (`Entry`), and an absent
 * Entries SQS's EmptyBatchRequest rather than a missing parameter (batchEntries, ./requests.ts).
 */
type Batch<Request extends { Entries: unknown }, Entry> = CheckedLater<Override<SqsWire<Request>, { Entries: Entry[] }>, "Entries">;

const integer = z.union([z.number(), z.string()]);
const names = z.array(z.string());

const MessageAttribute = tiedTo<SqsWire<MessageAttributeValue>>()(z.object({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: names.optional(),
  BinaryListValues: names.optional(),
}));
const MessageSystemAttribute = tiedTo<SqsWire<MessageSystemAttributeValue>>()(z.object({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
}));
const messageAttributes = z.record(z.string(), MessageAttribute);
const messageSystemAttributes = z.record(z.string(), MessageSystemAttribute);

export const SendMessageInput = tiedTo<SqsWire<SendMessageRequest>>()(z.object({
  QueueUrl: z.string(),
  MessageBody: z.string(),
  DelaySeconds: integer.optional(),
  MessageAttributes: messageAttributes.optional(),
  MessageSystemAttributes: messageSystemAttributes.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
}));

/** A batch's entries are checked one by one (batchEntries, ./requests.ts): an entry without a body fails alone. */
const SendEntry = tiedTo<CheckedLater<SqsWire<SendMessageBatchRequestEntry>, "Id" | "MessageBody">>()(z.object({
  Id: z.string().optional(),
  MessageBody: z.string().optional(),
  DelaySeconds: integer.optional(),
  MessageAttributes: messageAttributes.optional(),
  MessageSystemAttributes: messageSystemAttributes.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
}));
export type SendEntry = z.infer<typeof SendEntry>;

/** An absent or empty Entries is SQS's EmptyBatchRequest, not a missing parameter. */
export const SendMessageBatchInput = tiedTo<Batch<SendMessageBatchRequest, SendEntry>>()(z.object({ QueueUrl: z.string(), Entries: z.array(SendEntry).optional() }));

export const ReceiveMessageInput = tiedTo<SqsWire<ReceiveMessageRequest>>()(z.object({
  QueueUrl: z.string(),
  AttributeNames: names.optional(),
  MessageSystemAttributeNames: names.optional(),
  MessageAttributeNames: names.optional(),
  MaxNumberOfMessages: integer.optional(),
  VisibilityTimeout: integer.optional(),
  WaitTimeSeconds: integer.optional(),
  ReceiveRequestAttemptId: z.string().optional(),
}));

export const DeleteMessageInput = tiedTo<SqsWire<DeleteMessageRequest>>()(z.object({ QueueUrl: z.string(), ReceiptHandle: z.string() }));
const DeleteEntry = tiedTo<CheckedLater<SqsWire<DeleteMessageBatchRequestEntry>, "Id" | "ReceiptHandle">>()(z.object({ Id: z.string().optional(), ReceiptHandle: z.string().optional() }));
export const DeleteMessageBatchInput = tiedTo<Batch<DeleteMessageBatchRequest, z.infer<typeof DeleteEntry>>>()(z.object({ QueueUrl: z.string(), Entries: z.array(DeleteEntry).optional() }));

export const ChangeMessageVisibilityInput = tiedTo<SqsWire<ChangeMessageVisibilityRequest>>()(z.object({ QueueUrl: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: integer }));
const ChangeVisibilityEntry = tiedTo<CheckedLater<SqsWire<ChangeMessageVisibilityBatchRequestEntry>, "Id" | "ReceiptHandle">>()(z.object({
  Id: z.string().optional(),
  ReceiptHandle: z.string().optional(),
  VisibilityTimeout: integer.optional(),
}));
export const ChangeMessageVisibilityBatchInput = tiedTo<Batch<ChangeMessageVisibilityBatchRequest, z.infer<typeof ChangeVisibilityEntry>>>()(z.object({ QueueUrl: z.string(), Entries: z.array(ChangeVisibilityEntry).optional() }));

export const GetQueueUrlInput = tiedTo<SqsWire<GetQueueUrlRequest>>()(z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() }));
export const GetQueueAttributesInput = tiedTo<SqsWire<GetQueueAttributesRequest>>()(z.object({ QueueUrl: z.string(), AttributeNames: names.optional() }));
export const ListQueuesInput = tiedTo<SqsWire<ListQueuesRequest>>()(z.object({ QueueNamePrefix: z.string().optional(), NextToken: z.string().optional(), MaxResults: integer.optional() }));
export const ListQueueTagsInput = tiedTo<SqsWire<ListQueueTagsRequest>>()(z.object({ QueueUrl: z.string() }));
export const PurgeQueueInput = tiedTo<SqsWire<PurgeQueueRequest>>()(z.object({ QueueUrl: z.string() }));
export const ListDeadLetterSourceQueuesInput = tiedTo<SqsWire<ListDeadLetterSourceQueuesRequest>>()(z.object({
  QueueUrl: z.string(),
  NextToken: z.string().optional(),
  MaxResults: integer.optional(),
}));

export const StartMessageMoveTaskInput = tiedTo<SqsWire<StartMessageMoveTaskRequest>>()(z.object({
  SourceArn: z.string(),
  DestinationArn: z.string().optional(),
  MaxNumberOfMessagesPerSecond: integer.optional(),
}));
export const ListMessageMoveTasksInput = tiedTo<SqsWire<ListMessageMoveTasksRequest>>()(z.object({ SourceArn: z.string(), MaxResults: integer.optional() }));
export const CancelMessageMoveTaskInput = tiedTo<SqsWire<CancelMessageMoveTaskRequest>>()(z.object({ TaskHandle: z.string() }));
