import { AwsError } from "../../aws-error";
import { jsonShapeError, lowerCamelPath, type ShapeProblem } from "../../common/operation";
import type { Item } from "./attribute-values";
import { ConditionFailed } from "./table";

/**
 * DynamoDB's errors as the service sends them: `__type` in DynamoDB's namespaces, the item a
 * condition failed on beside the message, and AWS's wording for a request without the shape.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */

const DYNAMODB = "com.amazonaws.dynamodb.v20120810#";
/** The `__type` of DynamoDB errors as the service sends them. */
export const DYNAMODB_ERROR_TYPES: Record<string, string> = {
  ConditionalCheckFailedException: `${DYNAMODB}ConditionalCheckFailedException`,
  ResourceNotFoundException: `${DYNAMODB}ResourceNotFoundException`,
  ResourceInUseException: `${DYNAMODB}ResourceInUseException`,
  ValidationException: "com.amazon.coral.validate#ValidationException",
  SerializationException: "com.amazon.coral.service#SerializationException",
  AccessDeniedException: "com.amazon.coral.service#AccessDeniedException",
};

/**
 * ConditionalCheckFailedException; `fields` holds what the JSON error body carries beside
 * `__type` and `message` (the item, for ALL_OLD), for the endpoint to add.
 */
export class ConditionalCheckFailedError extends AwsError {
  readonly fields: { Item?: Item };

  constructor(item: Item | undefined) {
    super(DYNAMODB_ERROR_TYPES.ConditionalCheckFailedException, "The conditional request failed", 400);
    this.fields = item ? { Item: item } : {};
  }
}

/** DynamoDB's error types on the wire. */
export function wireError(error: unknown): unknown {
  if (error instanceof ConditionFailed) return new ConditionalCheckFailedError(error.item);
  if (error instanceof AwsError && DYNAMODB_ERROR_TYPES[error.code]) {
    const typed = new AwsError(DYNAMODB_ERROR_TYPES[error.code], error.message, error.status);
    typed.stack = error.stack;
    return typed;
  }
  return error;
}

/**
 * A request without the operation's shape: a missing member is a ValidationException naming it
 * as DynamoDB does (`tableName`, `key`), a member of the wrong JSON type a SerializationException.
 */
export function invalidRequest(problem: ShapeProblem): AwsError {
  return jsonShapeError(problem, { member: lowerCamelPath, validation: DYNAMODB_ERROR_TYPES.ValidationException, serialization: DYNAMODB_ERROR_TYPES.SerializationException });
}
