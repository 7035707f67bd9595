import { createHash } from "node:crypto";
import { ConditionalCheckFailedException, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { dynamoDb, expiresInDays, stateTableName } from "./dynamodb";
import { PaymentDeclined, PaymentGatewayUnavailable } from "./errors";
import { logger } from "./logger";

/**
 * A simulated payment gateway, driven by the order's opaque payment token:
 * - `declined...`: the issuer declines (PaymentDeclined, terminal);
 * - `flaky...`: the gateway is unavailable on the first attempt for an order
 *   (PaymentGatewayUnavailable, retryable) and accepts the next one;
 * - anything else: accepted.
 *
 * "First attempt" is remembered in the state table (item `payment-attempt#<orderId>`,
 * written with a conditional PutItem), not in memory: a Step Functions retry may
 * run in another Lambda instance, and a deterministic rule on the payload alone
 * could never succeed on retry since the retry carries the same payload.
 */

export interface ChargeRequest {
  orderId: string;
  paymentToken: string;
  amountCents: number;
  currency: string;
  /**
   * Payment gateways take an idempotency key and answer a repeated request with the first one's
   * result instead of charging again (e.g. https://docs.stripe.com/api/idempotent_requests). The
   * simulation derives the payment id from it, which is what such a gateway returns.
   */
  idempotencyKey: string;
}

/** True the first time it is called for `orderId`, false ever after (until the item expires). */
async function isFirstAttempt(orderId: string): Promise<boolean> {
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: stateTableName(),
        Item: {
          id: { S: `payment-attempt#${orderId}` },
          orderId: { S: orderId },
          expiration: { N: String(expiresInDays(14)) },
        },
        ConditionExpression: "attribute_not_exists(id)",
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Charges the amount; resolves to the gateway's payment id. */
export async function charge(request: ChargeRequest): Promise<string> {
  if (request.paymentToken.startsWith("declined")) {
    throw new PaymentDeclined(`Payment for order ${request.orderId} was declined by the card issuer`);
  }
  if (request.paymentToken.startsWith("flaky") && (await isFirstAttempt(request.orderId))) {
    throw new PaymentGatewayUnavailable(
      `Payment gateway unavailable while charging order ${request.orderId}; retry`,
    );
  }
  const paymentId = `PAY-${createHash("sha256").update(request.idempotencyKey).digest("hex").slice(0, 32)}`;
  logger.info("Gateway charged", { orderId: request.orderId, paymentId, amountCents: request.amountCents });
  return paymentId;
}

/** Refunds a payment; resolves to the refund id. Idempotent per payment: a repeat gets the same refund. */
export async function refund(paymentId: string, orderId: string): Promise<string> {
  logger.info("Gateway refunded", { orderId, paymentId });
  return `RFD-${paymentId.replace(/^PAY-/, "")}`;
}
