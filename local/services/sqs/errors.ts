import { AwsError } from "../../aws-error";

/**
 * SQS errors as the JSON protocol (awsJson1_0) reports them. `code` is the `__type` AWS answers
 * with — `com.amazonaws.sqs#<Shape>` for the errors the SQS model declares, the Coral shapes for the
 * common ones — and `queryCode` is the legacy Query code AWS also sends, in the
 * `x-amzn-query-error: <queryCode>;Sender` header, which SDKs expose as `Error.Code`.
 */
export class SqsError extends AwsError {
  constructor(
    code: string,
    readonly queryCode: string,
    message: string,
    status = 400,
  ) {
    super(code, message, status);
  }

  /** The value of the `x-amzn-query-error` response header. */
  get queryErrorHeader(): string {
    return `${this.queryCode};${this.status >= 500 ? "Receiver" : "Sender"}`;
  }
}

const modeled = (shape: string, queryCode: string, message: string) => new SqsError(`com.amazonaws.sqs#${shape}`, queryCode, message);

export const sqsErrors = {
  nonExistentQueue: () => modeled("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."),
  invalidParameterValue: (message: string) => new SqsError("com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue", message),
  /** `Value <value> for parameter <name> is invalid. Reason: <reason>` */
  invalidParameter: (name: string, value: unknown, reason: string) =>
    sqsErrors.invalidParameterValue(`Value ${typeof value === "string" ? value : JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}`),
  missingParameter: (name: string) =>
    new SqsError("com.amazon.coral.service#MissingRequiredParameterException", "MissingParameter", `The request must contain the parameter ${name}.`),
  invalidAttributeName: (name: string) => modeled("InvalidAttributeName", "InvalidAttributeName", `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string) => modeled("InvalidAttributeValue", "InvalidAttributeValue", `Invalid value for the parameter ${name}.`),
  receiptHandleIsInvalid: (handle: string) =>
    modeled("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`),
  messageNotInflight: () => modeled("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight."),
  invalidMessageContents: () =>
    modeled("InvalidMessageContents", "InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"),
  purgeQueueInProgress: (queueName: string) =>
    modeled("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`),
  emptyBatchRequest: () => modeled("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request."),
  tooManyEntriesInBatchRequest: (count: number) =>
    modeled("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${count}.`),
  batchEntryIdsNotDistinct: (id: string) =>
    modeled("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    modeled(
      "InvalidBatchEntryId",
      "AWS.SimpleQueueService.InvalidBatchEntryId",
      "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
    ),
  batchRequestTooLong: (limit: number) =>
    modeled("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", `Batch requests cannot be longer than ${limit} bytes.`),
  resourceNotFound: (message = "One or more specified resources don't exist.") => modeled("ResourceNotFoundException", "ResourceNotFoundException", message),
  /** SQS reports a key its caller may not use with the KMS.AccessDeniedException query code. */
  kmsAccessDenied: (message: string) => modeled("KmsAccessDenied", "KMS.AccessDeniedException", message),
  unsupportedOperation: (message: string) => modeled("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message),
};
