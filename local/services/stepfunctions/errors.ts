import { randomUUID } from "crypto";
import { AwsError } from "../../aws-error";

/**
 * Errors as a state reports them (the `Error` and `Cause` a Catch passes on), and the Retry
 * policy of Amazon States Language, applied by the local cloud on its own clock.
 */

/**
 * An error a state reports. The interpreter reads `isRetryable`/`isCatchable` to leave
 * `States.Runtime` errors to fail the execution, as AWS does.
 */
export class StateError extends Error {
  constructor(
    name: string,
    cause: string,
    readonly isRetryable = true,
    readonly isCatchable = true,
  ) {
    super(cause);
    this.name = name;
  }
}

/** `States.Runtime`: bad Parameters, a path to nothing. Neither retried nor caught. */
export function runtimeError(cause: string): StateError {
  return new StateError("States.Runtime", cause, false, false);
}

/** Ends a state's handler when the execution (or the Parallel/Map branch it runs in) stops. */
export class StateAborted extends StateError {
  constructor(reason: string) {
    super("States.Aborted", reason, false, false);
  }
}

const NOT_MATCHED_BY_WILDCARDS = new Set(["States.Runtime", "States.DataLimitExceeded", "States.Aborted"]);

function errorMatches(pattern: string, error: Error): boolean {
  if (pattern === error.name) return true;
  if (NOT_MATCHED_BY_WILDCARDS.has(error.name)) return false;
  if (pattern === "States.ALL") return true;
  if (pattern === "States.TaskFailed") return error.name !== "States.Timeout" && error.name !== "States.HeartbeatTimeout";
  // A missed heartbeat is a timeout too.
  return pattern === "States.Timeout" && error.name === "States.HeartbeatTimeout";
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

/**
 * The Retry field of one state entry: the first retrier whose ErrorEquals matches decides; once
 * it has used its MaxAttempts the error goes on to Catch. Attempt n (from 1) waits
 * IntervalSeconds × BackoffRate^(n-1) seconds, at most MaxDelaySeconds; FULL jitter waits a
 * random time up to that.
 */
export class RetryPolicy {
  private readonly attempts: number[];

  constructor(private readonly retriers: readonly Retrier[]) {
    this.attempts = retriers.map(() => 0);
  }

  /** Milliseconds to wait before the next attempt, or undefined when `error` is not retried. */
  nextDelayMs(error: unknown): number | undefined {
    if (!(error instanceof Error) || (error as { isRetryable?: boolean }).isRetryable === false) return undefined;
    const index = this.retriers.findIndex((retrier) => retrier.ErrorEquals.some((pattern) => errorMatches(pattern, error)));
    if (index < 0) return undefined;
    const retrier = this.retriers[index];
    if (this.attempts[index] >= (retrier.MaxAttempts ?? 3)) return undefined;
    this.attempts[index]++;
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (this.attempts[index] - 1);
    const cappedMs = Math.min(seconds, retrier.MaxDelaySeconds ?? Infinity) * 1000;
    return retrier.JitterStrategy === "FULL" ? Math.floor(Math.random() * (cappedMs + 1)) : cappedMs;
  }
}

/** How Step Functions names the errors of a service it calls: `Lambda.ResourceNotFoundException`. */
export interface ServiceErrorNaming {
  prefix: string;
  /** The service as the SDK names it in a cause (`Service: AWSLambda`). */
  sdkName: string;
  /** Exceptions the service's SDK models; others surface as `fallback`. */
  modeled?: ReadonlySet<string>;
  fallback?: string;
  /** Local error codes named otherwise by the real service (SNS: AccessDenied is AuthorizationError). */
  renamed?: Record<string, string>;
}

export const LAMBDA_ERRORS: ServiceErrorNaming = {
  prefix: "Lambda",
  sdkName: "AWSLambda",
  modeled: new Set([
    "ResourceNotFoundException",
    "TooManyRequestsException",
    "ServiceException",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "RequestTooLargeException",
    "ResourceConflictException",
    "ResourceNotReadyException",
    "UnsupportedMediaTypeException",
    "InvalidRuntimeException",
    "KMSAccessDeniedException",
    "RecursiveInvocationException",
  ]),
  // Lambda models no AccessDeniedException: a missing lambda:InvokeFunction grant is an AWSLambdaException.
  fallback: "AWSLambdaException",
};
export const SNS_ERRORS: ServiceErrorNaming = { prefix: "SNS", sdkName: "AmazonSNS", renamed: { AccessDeniedException: "AuthorizationErrorException" } };
export const EVENTBRIDGE_ERRORS: ServiceErrorNaming = { prefix: "EventBridge", sdkName: "AmazonEventBridge" };
export const SQS_ERRORS: ServiceErrorNaming = { prefix: "SQS", sdkName: "AmazonSQS" };

/** The state error for a service call that failed (an AwsError from the service, or anything else). */
export function serviceError(naming: ServiceErrorNaming, error: unknown): StateError {
  if (error instanceof StateError) return error;
  if (!(error instanceof AwsError)) return new StateError("States.TaskFailed", `${naming.prefix}: ${error instanceof Error ? error.message : String(error)}`);
  // SQS's errors carry their model namespace (com.amazonaws.sqs#KmsAccessDenied): the state error has the shape name.
  let code = naming.renamed?.[error.code] ?? error.code.replace(/^.*#/, "");
  if (!code.endsWith("Exception")) code += "Exception";
  if (naming.modeled && !naming.modeled.has(code)) code = naming.fallback ?? code;
  const status = error.code === "AccessDeniedException" ? 403 : error.status;
  return new StateError(
    `${naming.prefix}.${code}`,
    `${error.message} (Service: ${naming.sdkName}; Status Code: ${status}; Error Code: ${error.code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}
