import { ConditionalCheckFailedException, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { dynamoDb, expiresInDays, stateTableName } from "./dynamodb";

/**
 * Who announces an order's failure: item `announcement#<orderId>` in the state table, written
 * with a conditional PutItem. The first workflow execution that compensates the order claims it;
 * its own retries find their claim and keep it; any other execution (a duplicate VehicleShipped
 * starts one) is refused and stays quiet, so the customer and operations hear of it once.
 */

const RETENTION_DAYS = 30;

/** True if `executionId` may announce the failure of `orderId`. */
export async function claimAnnouncement(orderId: string, executionId: string): Promise<boolean> {
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: stateTableName(),
        Item: {
          id: { S: `announcement#${orderId}` },
          orderId: { S: orderId },
          executionId: { S: executionId },
          expiration: { N: String(expiresInDays(RETENTION_DAYS)) },
        },
        ConditionExpression: "attribute_not_exists(id) OR executionId = :executionId",
        ExpressionAttributeValues: { ":executionId": { S: executionId } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
