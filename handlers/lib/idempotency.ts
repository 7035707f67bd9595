import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";
import { dynamoDb, stateTableName } from "./dynamodb";

/**
 * Idempotency records outlive any redelivery: SQS keeps a message (and its DLQ
 * redrive) for at most 14 days, Step Functions retries within minutes.
 */
const RECORD_TTL_SECONDS = 14 * 24 * 60 * 60;

export interface IdempotencyOptions {
  /** Stable prefix of the record key in the state table: `<keyPrefix>#<hash of orderId>`. */
  keyPrefix: string;
  /**
   * JMESPath of the fields that must be equal on a replay; a replay with different
   * values fails with IdempotencyValidationError instead of returning a stale result.
   */
  payloadValidationJmesPath?: string;
}

export type IdempotentOperation<I, R> = (input: I, context?: Context) => Promise<R>;

/**
 * Makes `operation` idempotent per `orderId` with Powertools idempotency, persisted
 * in the state table (partition key `id`, TTL attribute `expiration`):
 * - the first call writes an INPROGRESS record with a conditional PutItem, runs the
 *   operation and stores its JSON result (COMPLETED);
 * - a later call for the same orderId returns the stored result without running it;
 * - a concurrent call fails with IdempotencyAlreadyInProgressError (retry later);
 * - if the operation throws, the record is deleted, so a retry runs it again.
 * The persistence layer is created on first use (the table name is read then).
 */
export function idempotentPerOrder<I extends { orderId: string }, R>(
  operation: (input: I) => Promise<R>,
  options: IdempotencyOptions,
): IdempotentOperation<I, R> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "orderId",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: RECORD_TTL_SECONDS,
    payloadValidationJmesPath: options.payloadValidationJmesPath,
  });
  let idempotent: ((input: I) => Promise<R>) | undefined;

  return (input, context) => {
    // Lets Powertools expire an INPROGRESS record when this invocation times out.
    if (context) config.registerLambdaContext(context);
    idempotent ??= makeIdempotent(operation, {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: stateTableName(),
        expiryAttr: "expiration",
        awsSdkV3Client: dynamoDb(),
      }),
      config,
      keyPrefix: options.keyPrefix,
    });
    return idempotent(input);
  };
}
