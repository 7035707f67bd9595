import type { Principal } from "../iam";
import type { PutEventsEntry } from "./eventbridge/wire";

/**
 * What services of the local cloud call on each other. Each service implements `Service` (see
 * ../cloud.ts) and is looked up with `cloud.service<T>(namespace)`.
 */

/** The result of a synchronous (RequestResponse) invoke, as the Invoke API reports it. */
export interface InvokeResult {
  /** The handler's return value (JSON-compatible), when it succeeded. */
  payload?: unknown;
  /** Set when the function failed: an `Unhandled` error, a timeout, a crash. */
  functionError?: FunctionError;
  /** Id of the invocation (the handler's context.awsRequestId). */
  requestId: string;
}

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface LambdaApi {
  /**
   * Invokes a function synchronously as `from` (checked against the function's resource policy
   * or the caller role's policies). `functionRef` is a name, an ARN or a qualified ARN. Throws an
   * AwsError for what the Invoke API answers with an error (ResourceNotFoundException,
   * AccessDeniedException, TooManyRequestsException); a failing handler is not a throw but a
   * `functionError` in the result.
   */
  invoke(functionRef: string, payload: unknown, from: Principal): Promise<InvokeResult>;
  /** Queues an asynchronous invoke (InvocationType Event): AWS's retries and failure destination apply. */
  invokeAsync(functionRef: string, payload: unknown, from: Principal): Promise<{ requestId: string }>;
  /** The function's unqualified ARN, or undefined when no such function exists. */
  functionArn(functionRef: string): string | undefined;
  /** The ARN of the function's execution role. */
  roleOf(functionRef: string): string | undefined;
  /** The function's timeout in seconds (event source mappings compare it to the queue's visibility timeout). */
  timeoutSecondsOf?(functionRef: string): number | undefined;
}

/** A PutEvents entry: the shape the endpoint checks (./eventbridge/wire.ts), Time in epoch seconds or ISO text. */
export type { PutEventsEntry };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

export interface EventBridgeApi {
  /** PutEvents as `from`: each entry is validated and authorized on its own, as AWS does. */
  putEvents(entries: PutEventsEntry[], from: Principal): Promise<PutEventsResult>;
}

export interface SnsApi {
  /** Publish to a topic as `from`; returns the MessageId. */
  publish(topicArn: string, message: { Message: string; Subject?: string; MessageAttributes?: Record<string, { DataType: string; StringValue?: string }> }, from: Principal): Promise<string>;
}
