import type { EventPatternMatcher } from "@event-routes/event-pattern";
import { AwsError } from "../../aws-error";

/** SNS's model: topics, their subscriptions, one published notification, and what the service logs. */

/**
 * A message attribute as Publish takes it. On the query protocol's wire BinaryValue is base64
 * text (the SDK's `MessageAttributeValue` holds it as a Uint8Array).
 */
export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** What Publish takes (the wire form, or another service publishing). */
export interface PublishInput {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, SnsMessageAttribute>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface PublishedNotification {
  at: number;
  topicArn: string;
  messageId: string;
  subject?: string;
  message: string;
}

export interface OutboxEntry {
  at: number;
  topicArn: string;
  protocol: string;
  endpoint: string;
  subject?: string;
  /** The message as published (the protocol's entry of a `json` MessageStructure). */
  message: string;
  /** What the endpoint receives: the text (email, SMS) or the JSON notification (email-json, HTTP). */
  body: string;
}

export interface FailedDelivery {
  at: number;
  topicArn: string;
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  messageId: string;
  error: string;
  /** The subscription's dead-letter queue took the message. */
  deadLettered: boolean;
}

export interface Topic {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  displayName: string;
  /** The topic's KMS key (customer or AWS managed), when it is encrypted. */
  kmsMasterKeyId?: string;
  policy?: string;
  subscriptions: Subscription[];
  /** FIFO: deduplication ids seen in the last 5 minutes, with when they expire. */
  deduplication: Map<string, number>;
  sequence: bigint;
}

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

export interface SubscriptionFilter {
  scope: FilterPolicyScope;
  matcher: EventPatternMatcher;
  policy: string;
}

export interface Subscription {
  arn: string;
  topic: Topic;
  protocol: string;
  endpoint: string;
  raw: boolean;
  filter?: SubscriptionFilter;
  deadLetterArn?: string;
}

/** One published notification, as every subscription sees it. */
export interface Notification {
  topic: Topic;
  messageId: string;
  message: string;
  /** Per-protocol messages of a `json` MessageStructure. */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, SnsMessageAttribute>;
  timestamp: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

export const invalidParameter = (message: string) => new AwsError("InvalidParameter", `Invalid parameter: ${message}`, 400);
export const invalidValue = (message: string) => new AwsError("InvalidParameterValue", message, 400);
export const topicNotFound = () => new AwsError("NotFound", "Topic does not exist", 404);

/** The inspectable logs keep this many entries (a long `serve` session would grow without end). */
const KEEP = 100_000;

export function keep<T>(log: T[], entry: T): void {
  if (log.length >= KEEP) log.splice(0, log.length - KEEP + 1);
  log.push(entry);
}
