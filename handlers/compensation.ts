import type { Context } from "aws-lambda";
import { CompensationInput, type CompensationAction, type CompensationResult } from "./contracts";
import { claimAnnouncement } from "./lib/announcements";
import { withTransientErrorsNamed } from "./lib/errors";
import { idempotentPerOrder } from "./lib/idempotency";
import { logger, withLogContext } from "./lib/logger";
import { refund } from "./lib/payment-gateway";
import { cancelPayment } from "./lib/payment-ledger";
import { insurancePolicyIdFor, invoiceIdFor } from "./lib/references";

/**
 * Compensation task of the paperwork workflow, run when payment or registration
 * failed. A failed Parallel state passes on no branch results, so this task does
 * not rely on its input for them:
 * - the balance payment is refunded if the payment ledger says it was charged
 *   (else a tombstone makes a late charge refund itself); a `paymentId` in the
 *   input is only cross-checked;
 * - the invoice is voided and the insurance cancelled by their references (given,
 *   or derived from the orderId as the tasks do);
 * - the deposit is refunded.
 * Idempotent per orderId (Powertools idempotency, and the ledger's conditional
 * writes): a duplicate invocation returns the first result and refunds nothing twice.
 * Transient failures are named TransientServiceError, which the workflow retries.
 */

async function compensate(input: CompensationInput): Promise<Omit<CompensationResult, "announce">> {
  const { orderId, order } = input;
  const actions: CompensationAction[] = [];

  const payment = await cancelPayment(orderId);
  if (payment?.paymentId) {
    await refund(payment.paymentId, orderId);
    actions.push({
      type: "refund-payment",
      paymentId: payment.paymentId,
      amountCents: payment.amountCents ?? order.priceCents - order.depositCents,
    });
  }
  if (input.paymentId && input.paymentId !== payment?.paymentId) {
    logger.warn("Payment in the input is not the charged one of the ledger", { orderId, paymentId: input.paymentId });
  }
  const insurancePolicyId = input.insurancePolicyId ?? insurancePolicyIdFor(orderId);
  actions.push({ type: "cancel-insurance", insurancePolicyId });
  actions.push({ type: "void-invoice", invoiceId: input.invoiceId ?? invoiceIdFor(orderId) });
  if (order.depositCents > 0) actions.push({ type: "refund-deposit", amountCents: order.depositCents });

  logger.info("Order compensated", { orderId, reason: input.reason, actions });
  return { compensated: true, actions };
}

const compensateOnce = idempotentPerOrder(compensate, { keyPrefix: "compensation" });

/**
 * Compensates (once per order), then tells the workflow whether this execution announces the
 * failure: outside the idempotent part, since a duplicate execution gets the first one's result.
 */
export const handler = withLogContext(withTransientErrorsNamed(async (event: unknown, context: Context): Promise<CompensationResult> => {
  const input = CompensationInput.parse(event);
  const result = await compensateOnce(input, context);
  const announce = input.executionId === undefined || (await claimAnnouncement(input.orderId, input.executionId));
  return { ...result, announce };
}));
