import { InvalidEventError, WorkflowErrors } from "../contracts";

export { InvalidEventError };

/*
 * Errors whose `name` a Step Functions Retry/Catch matches. Lambda reports
 * `error.name` as the errorType, so each class sets it to the exact contract
 * name (class names match too, in case a bundler keeps them).
 */

/** Terminal: the payment provider declined the charge. */
export class PaymentDeclined extends Error {
  override readonly name = WorkflowErrors.PaymentDeclined;
}

/** Retryable: the payment gateway did not answer. */
export class PaymentGatewayUnavailable extends Error {
  override readonly name = WorkflowErrors.PaymentGatewayUnavailable;
}

/** Terminal: the authorities refused the registration. */
export class RegistrationRejected extends Error {
  override readonly name = WorkflowErrors.RegistrationRejected;
}

/** Terminal: the order was compensated; a late or duplicate payment attempt is refused. */
export class OrderCompensated extends Error {
  override readonly name = WorkflowErrors.OrderCompensated;
}

/** PutEvents accepted the request but rejected one or more entries. */
export class PublishFailedError extends Error {
  override readonly name = "PublishFailedError";

  constructor(
    readonly failures: ReadonlyArray<{ detailType?: string; errorCode?: string; errorMessage?: string }>,
  ) {
    super(
      `EventBridge rejected ${failures.length} event(s): ` +
        failures.map((f) => `${f.detailType ?? "?"} (${f.errorCode ?? "?"}: ${f.errorMessage ?? ""})`).join(", "),
    );
  }
}

/** A required environment variable is missing. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

/** Another delivery of the same work holds the lease; retry later. */
export class ConcurrentDeliveryError extends Error {
  override readonly name = "ConcurrentDeliveryError";
}

/**
 * Retryable: a service the function calls failed in a way that passes (throttling, a 5xx, a
 * network error, the idempotency layer failing to reach its table), after the SDK's own retries.
 * The workflow retries it with backoff before anything compensates; `cause` is the original error.
 */
export class TransientServiceError extends Error {
  override readonly name = WorkflowErrors.TransientServiceError;
}

/*
 * What the AWS SDK for JavaScript v3 itself retries (@smithy service-error-classification):
 * throttling codes or HTTP 429, 500/502/503/504 answers, timeouts and network errors. AWS lists
 * the same as retryable: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
const THROTTLING_CODES = new Set([
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "LimitExceededException",
  "TransactionInProgressException",
]);
const TRANSIENT_CODES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "InternalServerError", "InternalFailure", "InternalException", "ServiceUnavailable"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** True for an error that passes if the call is made again later; looks through `cause` (Powertools wraps). */
export function isTransient(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof TransientServiceError) return true;
  const sdk = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string; cause?: unknown };
  const status = sdk.$metadata?.httpStatusCode ?? 0;
  if (sdk.$retryable || status === 429 || status >= 500) return true;
  if (THROTTLING_CODES.has(error.name) || TRANSIENT_CODES.has(error.name) || NETWORK_CODES.has(sdk.code ?? "")) return true;
  return isTransient(sdk.cause, depth + 1);
}

/**
 * Wraps a workflow task's handler so that a transient failure reaches Step Functions under one
 * name it retries (TransientServiceError), and every other error keeps its own name (terminal ones
 * such as PaymentDeclined are caught, never retried).
 */
export function withTransientErrorsNamed<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (!isTransient(error) || error instanceof TransientServiceError) throw error;
      throw new TransientServiceError(`${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
  };
}
