import type { Context } from "aws-lambda";
import { PaperworkTaskInput, type PaymentResult } from "./contracts";
import { OrderCompensated, withTransientErrorsNamed } from "./lib/errors";
import { idempotentPerOrder } from "./lib/idempotency";
import { logger, withLogContext } from "./lib/logger";
import { charge, refund } from "./lib/payment-gateway";
import { readPayment, recordCharge } from "./lib/payment-ledger";

/**
 * Payment task of the paperwork workflow: charges the price minus the deposit.
 *
 * Never charges twice:
 * - Powertools idempotency per orderId (state table): a duplicate invocation (a
 *   Step Functions retry after a timeout, a duplicate execution) returns the first
 *   result; a concurrent one fails with IdempotencyAlreadyInProgressError (retry);
 *   a replay whose amounts differ fails with IdempotencyValidationError;
 * - the payment ledger (`payment#<orderId>`): a charge whose result Powertools
 *   could not save (the function timed out after charging) is found there and
 *   returned instead of charging again; an order already compensated is refused.
 * - the gateway gets an idempotency key per order: a retry after a charge whose
 *   record could not be written (the ledger's PutItem was throttled) gets the same
 *   payment back instead of a second charge.
 * Errors (`error.name`): PaymentDeclined (terminal), PaymentGatewayUnavailable
 * (retryable), OrderCompensated (terminal), TransientServiceError (retryable: a
 * throttled or failing call, the idempotency store's included). A failed charge
 * leaves no record, so the retry charges.
 */

async function chargeBalance(input: PaperworkTaskInput): Promise<PaymentResult> {
  const { orderId, order } = input;
  const amountCents = order.priceCents - order.depositCents;

  const known = await readPayment(orderId);
  if (known?.status === "charged" && known.paymentId) {
    logger.info("Payment already charged", { orderId, paymentId: known.paymentId });
    return { paymentId: known.paymentId, amountCents: known.amountCents ?? amountCents };
  }
  if (known) throw new OrderCompensated(`Order ${orderId} was compensated (payment ${known.status}); not charging`);

  // The same key on every attempt: a retry after a charge whose record was lost gets that charge back.
  const paymentId = await charge({ orderId, paymentToken: order.paymentToken, amountCents, currency: order.currency, idempotencyKey: `balance#${orderId}` });
  if (!(await recordCharge(orderId, paymentId, amountCents))) {
    await refund(paymentId, orderId);
    logger.warn("Order compensated while charging; payment refunded", { orderId, paymentId });
    throw new OrderCompensated(`Order ${orderId} was compensated while charging; payment ${paymentId} refunded`);
  }
  logger.info("Payment charged", { orderId, paymentId, amountCents, currency: order.currency });
  return { paymentId, amountCents };
}

const chargeOnce = idempotentPerOrder(chargeBalance, {
  keyPrefix: "payment.charge",
  payloadValidationJmesPath: "[order.priceCents, order.depositCents, order.currency]",
});

export const handler = withLogContext(withTransientErrorsNamed(
  async (event: unknown, context: Context): Promise<PaymentResult> => chargeOnce(PaperworkTaskInput.parse(event), context),
));
