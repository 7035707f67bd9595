import type { MessageAttribute } from "../../cloud";
import { md5OfBody, md5OfMessageAttributes } from "./md5";

export type MessageState = "delayed" | "visible" | "inflight" | "deleted";

/** One message in a queue, with the system attributes SQS keeps for it. */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes?: Record<string, MessageAttribute>;
  readonly md5OfAttributes?: string;
  readonly traceHeader?: string;
  readonly senderId: string;
  /** SentTimestamp (ms). */
  readonly sentAt: number;
  /** When the message entered this queue: retention counts from it. */
  enqueuedAt: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  receiveCount: number;
  firstReceivedAt?: number;
  lastReceivedAt?: number;
  deadLetterSourceArn?: string;
  state: MessageState;
  receiptHandle?: string;
  /** Bumped on each state change: a timer armed for an older generation no longer applies. */
  generation: number;
}

export interface NewMessage {
  body: string;
  attributes?: Record<string, MessageAttribute>;
  traceHeader?: string;
  groupId?: string;
  deduplicationId?: string;
  /** Per-message delay (standard queues); the queue's DelaySeconds otherwise. */
  delaySeconds?: number;
  senderId: string;
}

/** A message as it enters a queue by a send: visible, never received. */
export function storedMessage(id: string, input: NewMessage, now: number, deduplicationId?: string, sequenceNumber?: string): StoredMessage {
  return {
    id,
    body: input.body,
    md5OfBody: md5OfBody(input.body),
    attributes: input.attributes,
    md5OfAttributes: md5OfMessageAttributes(input.attributes),
    traceHeader: input.traceHeader,
    senderId: input.senderId,
    sentAt: now,
    enqueuedAt: now,
    groupId: input.groupId,
    deduplicationId,
    sequenceNumber,
    receiveCount: 0,
    state: "visible",
    generation: 0,
  };
}

/** Receipt handles name the queue, the message and the receive; each receive gets a new one. */
export function encodeReceipt(queueArn: string, messageId: string, receiveCount: number): string {
  return Buffer.from(`${queueArn} ${messageId} ${receiveCount}`, "utf8").toString("base64");
}

export function decodeReceipt(receiptHandle: string): { queueArn: string; messageId: string } | undefined {
  if (typeof receiptHandle !== "string" || receiptHandle.length === 0 || !/^[A-Za-z0-9+/=]+$/.test(receiptHandle)) return undefined;
  const parts = Buffer.from(receiptHandle, "base64").toString("utf8").split(" ");
  if (parts.length !== 3 || !parts[0].startsWith("arn:")) return undefined;
  return { queueArn: parts[0], messageId: parts[1] };
}

/** The system attributes of a message as ReceiveMessage and Lambda's SQS events report them. */
export function systemAttributesOf(message: StoredMessage): Record<string, string> {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
  };
  if (message.sequenceNumber !== undefined) attributes.SequenceNumber = message.sequenceNumber;
  if (message.groupId !== undefined) attributes.MessageGroupId = message.groupId;
  if (message.deduplicationId !== undefined) attributes.MessageDeduplicationId = message.deduplicationId;
  if (message.traceHeader !== undefined) attributes.AWSTraceHeader = message.traceHeader;
  if (message.deadLetterSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = message.deadLetterSourceArn;
  return attributes;
}
