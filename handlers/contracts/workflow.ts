import * as z from "zod";
import { parseWith } from "./define-event";
import * as f from "./fields";

/**
 * Contracts of the paperwork workflow (Step Functions): the payloads its Lambda
 * tasks receive, what they return, and the error names its Retry/Catch match.
 */

/**
 * `error.name` of the errors the task functions throw. Lambda reports it as the
 * `errorType`, which is what `ErrorEquals` in Retry/Catch matches.
 */
export const WorkflowErrors = {
  /** Terminal: the payment provider declined the charge. */
  PaymentDeclined: "PaymentDeclined",
  /** Retryable: the payment gateway was unavailable. */
  PaymentGatewayUnavailable: "PaymentGatewayUnavailable",
  /** Terminal: the authorities refused to register the vehicle. */
  RegistrationRejected: "RegistrationRejected",
  /** Terminal: the order was already compensated; a late or duplicate payment is refused (and refunded). */
  OrderCompensated: "OrderCompensated",
  /** Retryable: a duplicate invocation for the same order is still running. */
  IdempotencyAlreadyInProgress: "IdempotencyAlreadyInProgressError",
  /** Retryable: a service the task calls failed transiently (throttling, 5xx, its idempotency store). */
  TransientServiceError: "TransientServiceError",
  /** Terminal: the task payload does not match its contract. */
  InvalidInput: "InvalidEventError",
} as const;
export type WorkflowErrorName = (typeof WorkflowErrors)[keyof typeof WorkflowErrors];

/** Declares a validated message that is not an EventBridge event (a task payload). */
function defineMessage<T>(name: string, schema: z.ZodType<T>) {
  return { name, schema, parse: (input: unknown): T => parseWith(name, schema, input) };
}

/** Payload of invoice, payment, insurance and registration: `$.detail` of VehicleShipped, narrowed. */
export const PaperworkTaskInput = defineMessage(
  "paperwork task input",
  z.object({ orderId: f.orderId, order: f.orderSnapshot, vin: f.vin }),
);
export type PaperworkTaskInput = z.infer<typeof PaperworkTaskInput.schema>;

export interface InvoiceResult {
  invoiceId: string;
}
export interface PaymentResult {
  paymentId: string;
  amountCents: number;
}
export interface InsuranceResult {
  insurancePolicyId: string;
}
export interface RegistrationResult {
  registrationId: string;
  plate: string;
}

/** Payload of the compensation task: what exists so far for a failed order. */
export const CompensationInput = defineMessage(
  "compensation task input",
  z.object({
    orderId: f.orderId,
    order: f.orderSnapshot,
    vin: f.vin,
    reason: f.reason,
    /** The execution compensating (`$$.Execution.Id`): the first one to compensate an order announces it. */
    executionId: z.string().min(1).max(2048).optional(),
    invoiceId: f.reference.optional(),
    insurancePolicyId: f.reference.optional(),
    paymentId: f.reference.optional(),
  }),
);
export type CompensationInput = z.infer<typeof CompensationInput.schema>;

export type CompensationAction =
  | { type: "void-invoice"; invoiceId: string }
  | { type: "cancel-insurance"; insurancePolicyId: string }
  | { type: "refund-payment"; paymentId: string; amountCents: number }
  | { type: "refund-deposit"; amountCents: number };

export interface CompensationResult {
  compensated: true;
  actions: CompensationAction[];
  /**
   * Whether this execution tells the customer and operations: only the first execution that
   * compensates an order does (a duplicate execution of the same order stays quiet).
   */
  announce: boolean;
}
