import {
  ConditionalCheckFailedException,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { dynamoDb, expiresInDays, stateTableName } from "./dynamodb";

/**
 * The handover's progress per order: one item `handover#<orderId>` in the state
 * table, changed only by atomic conditional UpdateItems.
 *
 * Attributes: `paperwork` and `preparation` (JSON summaries of the milestones, no
 * payment data), `leaseUntil` (epoch ms; who holds it may publish),
 * `publishedAt` (set once VehicleReadyForHandover is out), `expiration` (TTL).
 */

export type Milestone = "paperwork" | "preparation";

export interface PaperworkSummary {
  vin: string;
  plate: string;
}
export interface PreparationSummary {
  vin: string;
  preparedAt: string;
}
export interface MilestoneSummaries {
  paperwork: PaperworkSummary;
  preparation: PreparationSummary;
}

export interface HandoverState {
  paperwork?: PaperworkSummary;
  preparation?: PreparationSummary;
  publishedAt?: string;
  leaseUntil?: number;
}

export type Claim = { claimed: true; leaseUntil: number } | { claimed: false; state: HandoverState };

const RETENTION_DAYS = 30;

const keyOf = (orderId: string): Record<string, AttributeValue> => ({ id: { S: `handover#${orderId}` } });

function stateOf(item: Record<string, AttributeValue> | undefined): HandoverState {
  const json = <T>(value: AttributeValue | undefined): T | undefined =>
    value?.S === undefined ? undefined : (JSON.parse(value.S) as T);
  return {
    paperwork: json<PaperworkSummary>(item?.paperwork),
    preparation: json<PreparationSummary>(item?.preparation),
    publishedAt: item?.publishedAt?.S,
    leaseUntil: item?.leaseUntil?.N === undefined ? undefined : Number(item.leaseUntil.N),
  };
}

async function update(
  input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], "TableName">,
): Promise<Record<string, AttributeValue> | undefined> {
  const output = await dynamoDb().send(new UpdateItemCommand({ TableName: stateTableName(), ...input }));
  return output.Attributes;
}

/**
 * Records a milestone unless it is already there (first delivery wins).
 * Resolves to the order's state after the write, or as it was for a duplicate.
 */
export async function recordMilestone<M extends Milestone>(
  orderId: string,
  milestone: M,
  summary: MilestoneSummaries[M],
): Promise<{ state: HandoverState; duplicate: boolean }> {
  try {
    const item = await update({
      Key: keyOf(orderId),
      UpdateExpression:
        "SET #milestone = :summary, #orderId = :orderId, #expiration = if_not_exists(#expiration, :expiration)",
      ConditionExpression: "attribute_not_exists(#milestone)",
      ExpressionAttributeNames: { "#milestone": milestone, "#orderId": "orderId", "#expiration": "expiration" },
      ExpressionAttributeValues: {
        ":summary": { S: JSON.stringify(summary) },
        ":orderId": { S: orderId },
        ":expiration": { N: String(expiresInDays(RETENTION_DAYS)) },
      },
      ReturnValues: "ALL_NEW",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    return { state: stateOf(item), duplicate: false };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { state: stateOf(error.Item), duplicate: true };
    throw error;
  }
}

/**
 * Takes the right to publish: succeeds only if both milestones are recorded,
 * nothing was published and no other delivery holds an unexpired lease.
 */
export async function claimPublication(orderId: string, leaseMs: number, now = Date.now()): Promise<Claim> {
  const leaseUntil = now + leaseMs;
  try {
    await update({
      Key: keyOf(orderId),
      UpdateExpression: "SET #leaseUntil = :leaseUntil",
      ConditionExpression:
        "attribute_exists(#paperwork) AND attribute_exists(#preparation) AND attribute_not_exists(#publishedAt)" +
        " AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)",
      ExpressionAttributeNames: {
        "#paperwork": "paperwork",
        "#preparation": "preparation",
        "#publishedAt": "publishedAt",
        "#leaseUntil": "leaseUntil",
      },
      ExpressionAttributeValues: { ":leaseUntil": { N: String(leaseUntil) }, ":now": { N: String(now) } },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    return { claimed: true, leaseUntil };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { claimed: false, state: stateOf(error.Item) };
    throw error;
  }
}

const leaseNames = { "#leaseUntil": "leaseUntil" };
const leaseValue = (leaseUntil: number) => ({ ":leaseUntil": { N: String(leaseUntil) } });

/** Marks the event as published; false if the lease was lost meanwhile. */
export async function markPublished(orderId: string, leaseUntil: number, publishedAt: string): Promise<boolean> {
  try {
    await update({
      Key: keyOf(orderId),
      UpdateExpression: "SET #publishedAt = :publishedAt REMOVE #leaseUntil",
      ConditionExpression: "#leaseUntil = :leaseUntil",
      ExpressionAttributeNames: { ...leaseNames, "#publishedAt": "publishedAt" },
      ExpressionAttributeValues: { ...leaseValue(leaseUntil), ":publishedAt": { S: publishedAt } },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Gives the lease back after a failed publish, so the retry need not wait for it to expire. */
export async function releaseClaim(orderId: string, leaseUntil: number): Promise<void> {
  await update({
    Key: keyOf(orderId),
    UpdateExpression: "REMOVE #leaseUntil",
    ConditionExpression: "#leaseUntil = :leaseUntil",
    ExpressionAttributeNames: leaseNames,
    ExpressionAttributeValues: leaseValue(leaseUntil),
  });
}
