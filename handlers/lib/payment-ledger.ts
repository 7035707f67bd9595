import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { dynamoDb, expiresInDays, stateTableName } from "./dynamodb";

/**
 * The balance payment of an order as the dealership knows it: item
 * `payment#<orderId>` in the state table, moved only by conditional writes.
 *
 *   (none) --charge--> charged --compensate--> refunded
 *   (none) --compensate--> cancelled   (a later charge is refunded at once)
 *
 * Compensation reads the payment here rather than from its input, because a
 * failed Parallel state does not pass on the results of its other branches.
 */

export type PaymentStatus = "charged" | "refunded" | "cancelled";

export interface LedgerEntry {
  status: PaymentStatus;
  paymentId?: string;
  amountCents?: number;
}

const RETENTION_DAYS = 400;

const keyOf = (orderId: string): Record<string, AttributeValue> => ({ id: { S: `payment#${orderId}` } });

function entryOf(item: Record<string, AttributeValue> | undefined): LedgerEntry | undefined {
  if (!item?.status?.S) return undefined;
  return {
    status: item.status.S as PaymentStatus,
    paymentId: item.paymentId?.S,
    amountCents: item.amountCents?.N === undefined ? undefined : Number(item.amountCents.N),
  };
}

function newItem(orderId: string, attributes: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const expiration = { N: String(expiresInDays(RETENTION_DAYS)) };
  return { ...keyOf(orderId), orderId: { S: orderId }, expiration, ...attributes };
}

export async function readPayment(orderId: string): Promise<LedgerEntry | undefined> {
  const { Item } = await dynamoDb().send(
    new GetItemCommand({ TableName: stateTableName(), Key: keyOf(orderId), ConsistentRead: true }),
  );
  return entryOf(Item);
}

/** Records a charge; false if the order was compensated meanwhile (the caller must refund). */
export async function recordCharge(orderId: string, paymentId: string, amountCents: number): Promise<boolean> {
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: stateTableName(),
        Item: newItem(orderId, {
          status: { S: "charged" },
          paymentId: { S: paymentId },
          amountCents: { N: String(amountCents) },
        }),
        ConditionExpression: "attribute_not_exists(id)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // This very charge, recorded by an attempt whose answer was lost (the SDK retried it).
    const existing = entryOf(error.Item);
    return existing?.status === "charged" && existing.paymentId === paymentId;
  }
}

/**
 * Compensation's side: turns a `charged` payment into `refunded` and returns it
 * (the caller refunds it), or leaves a `cancelled` tombstone when nothing was
 * charged yet. A payment already `refunded` is returned too: the refund is
 * idempotent, and the earlier attempt may have died before it refunded.
 * Resolves to undefined when nothing was charged.
 */
export async function cancelPayment(orderId: string): Promise<LedgerEntry | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const { Attributes } = await dynamoDb().send(
        new UpdateItemCommand({
          TableName: stateTableName(),
          Key: keyOf(orderId),
          UpdateExpression: "SET #status = :refunded",
          ConditionExpression: "#status = :charged",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":refunded": { S: "refunded" }, ":charged": { S: "charged" } },
          ReturnValues: "ALL_OLD",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return entryOf(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = entryOf(error.Item);
      // Refunded already, maybe by this very call whose answer was lost: the caller refunds again,
      // which the gateway answers with the same refund (refunds are idempotent per payment).
      if (existing?.status === "refunded") return existing;
      if (existing) return undefined; // cancelled: nothing was charged
    }
    try {
      await dynamoDb().send(
        new PutItemCommand({
          TableName: stateTableName(),
          Item: newItem(orderId, { status: { S: "cancelled" } }),
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A charge was recorded in between: go round again to refund it.
    }
  }
  throw new Error(`Payment ledger of order ${orderId} keeps changing; retry`);
}
