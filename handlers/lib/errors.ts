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
