import { createHash } from "crypto";
import type { QueueConfig } from "./config";

/**
 * FIFO queues drop a message whose deduplication ID was accepted in the last 5 minutes.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

interface Accepted {
  expiresAt: number;
  messageId: string;
  sequenceNumber: string;
}

/**
 * A FIFO queue's deduplication window and sequence numbers. Entries expire lazily from the oldest
 * (a Map keeps insertion order), so the window never schedules a timer.
 */
export class DeduplicationWindow {
  private readonly accepted = new Map<string, Accepted>();
  private sequence = 0;

  constructor(private readonly config: QueueConfig) {}

  /** The deduplication ID of a send: its own, or the SHA-256 of the body (content-based deduplication). */
  deduplicationIdOf(body: string, deduplicationId: string | undefined): string {
    return deduplicationId ?? createHash("sha256").update(body, "utf8").digest("hex");
  }

  /** What a send within the window got, if one with the same ID (in the same group, per the scope) came before. */
  earlier(groupId: string | undefined, deduplicationId: string): Accepted | undefined {
    return this.accepted.get(this.key(groupId, deduplicationId));
  }

  remember(groupId: string | undefined, deduplicationId: string, now: number, messageId: string, sequenceNumber: string): void {
    this.accepted.set(this.key(groupId, deduplicationId), { expiresAt: now + DEDUPLICATION_WINDOW_MS, messageId, sequenceNumber });
  }

  /** Forgets IDs accepted more than 5 minutes before `now`. */
  prune(now: number): void {
    for (const [key, entry] of this.accepted) {
      if (entry.expiresAt > now) break;
      this.accepted.delete(key);
    }
  }

  nextSequenceNumber(): string {
    // 20 digits that only grow, like AWS's large non-consecutive sequence numbers.
    this.sequence++;
    return `18${(this.sequence * 1000 + (this.sequence % 997)).toString().padStart(18, "0")}`;
  }

  private key(groupId: string | undefined, deduplicationId: string): string {
    return this.config.deduplicationScope === "messageGroup" ? `${groupId}\u0000${deduplicationId}` : deduplicationId;
  }
}
