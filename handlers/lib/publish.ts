import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { requireEnv } from "./env";
import { PublishFailedError } from "./errors";
import { logger } from "./logger";

/** PutEvents accepts at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

let client: EventBridgeClient | undefined;

/**
 * Created on first use and reused across invocations. Default configuration
 * only: region, credentials and endpoint come from the environment
 * (AWS_REGION, and AWS_ENDPOINT_URL in the local cloud).
 */
export function eventBridge(): EventBridgeClient {
  return (client ??= new EventBridgeClient({}));
}

/** The bus every handler publishes to. */
export function busName(): string {
  return requireEnv("EVENT_BUS_NAME");
}

/**
 * Publishes entries with PutEvents. PutEvents can succeed as a call while
 * rejecting some entries, so `FailedEntryCount` is checked and any rejected
 * entry becomes a {@link PublishFailedError} (the caller's delivery is retried).
 */
export async function publish(...entries: PutEventsRequestEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_CALL) {
    const batch = entries.slice(start, start + MAX_ENTRIES_PER_CALL);
    const response = await eventBridge().send(new PutEventsCommand({ Entries: batch }));
    if (response.FailedEntryCount) {
      const failures = (response.Entries ?? [])
        .map((result, index) => ({ result, entry: batch[index] }))
        .filter(({ result }) => result.ErrorCode)
        .map(({ result, entry }) => ({
          detailType: entry?.DetailType,
          errorCode: result.ErrorCode,
          errorMessage: result.ErrorMessage,
        }));
      throw new PublishFailedError(
        failures.length > 0 ? failures : [{ errorMessage: `${response.FailedEntryCount} entries failed` }],
      );
    }
    for (const entry of batch) {
      logger.info("Event published", { source: entry.Source, detailType: entry.DetailType });
    }
  }
}
