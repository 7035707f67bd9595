import {
  BatchProcessor,
  EventType,
  SqsFifoPartialProcessorAsync,
  processPartialResponse,
} from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { InvalidEventError } from "./errors";
import { logger, withLogContext } from "./logger";

/** Handles one SQS record; throwing marks only this record as failed. */
export type RecordHandler = (record: SQSRecord, context: Context) => Promise<void>;
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The JSON body of a record. EventBridge delivers the whole event to an SQS
 * target, so this is an EventBridge envelope for the contracts to validate.
 */
export function jsonBody(record: SQSRecord, expected: string): unknown {
  try {
    return JSON.parse(record.body) as unknown;
  } catch {
    throw new InvalidEventError(expected, [{ path: "body", message: "is not valid JSON" }]);
  }
}

/**
 * A record is not started with less than this left before the function's timeout: cut off
 * half-way, it would take the whole batch back to the queue, the records already done included.
 * Failed now, it alone comes back.
 */
export const RECORD_TIME_MARGIN_MS = 3_000;

/** Retryable: too little time was left in the invocation to start the record. */
export class NotEnoughTimeError extends Error {
  override readonly name = "NotEnoughTimeError";
}

function withFailureLog(handle: RecordHandler, context: Context) {
  return async (record: SQSRecord): Promise<void> => {
    try {
      if (context.getRemainingTimeInMillis() < RECORD_TIME_MARGIN_MS) {
        throw new NotEnoughTimeError(`${context.getRemainingTimeInMillis()} ms left before the timeout; the record is retried`);
      }
      await handle(record, context);
    } catch (error) {
      logger.error("Record failed; reported as a batch item failure", {
        messageId: record.messageId,
        messageGroupId: record.attributes?.MessageGroupId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
  };
}

/*
 * Both helpers return `{ batchItemFailures }` (the event source mapping needs
 * `ReportBatchItemFailures`): the failed records return to the queue and reach the
 * DLQ after maxReceiveCount, the others are deleted. A batch that fails entirely
 * is reported the same way instead of throwing. A processor holds the state of
 * one batch, so each invocation gets its own (safe if a host runs invocations
 * of one module concurrently, as a local emulator may).
 */

/** Standard queue: records are processed one after the other. */
export function sqsBatchHandler(handle: RecordHandler): SqsBatchHandler {
  return withLogContext((event: SQSEvent, context: Context) =>
    processPartialResponse(event, withFailureLog(handle, context), new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    }),
  );
}

/**
 * FIFO queue: after a record fails, the later records of the same message group
 * are not processed and are reported as failed too, so the group keeps its order;
 * other groups go on.
 */
export function sqsFifoBatchHandler(handle: RecordHandler): SqsBatchHandler {
  return withLogContext((event: SQSEvent, context: Context) =>
    processPartialResponse(event, withFailureLog(handle, context), new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    }),
  );
}
