import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { requireEnv } from "./env";

let client: DynamoDBClient | undefined;

/** Created on first use, reused across invocations; default configuration from the environment. */
export function dynamoDb(): DynamoDBClient {
  return (client ??= new DynamoDBClient({}));
}

/** The state table: partition key `id` (S), TTL attribute `expiration` (epoch seconds). */
export function stateTableName(): string {
  return requireEnv("STATE_TABLE_NAME");
}

/** Epoch seconds `days` from now, for the table's TTL attribute. */
export function expiresInDays(days: number, now = Date.now()): number {
  return Math.floor(now / 1000) + days * 24 * 60 * 60;
}
