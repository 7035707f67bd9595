import { createHash, randomUUID } from "crypto";
import { inRange, RANGES } from "@event-routes/aws-model";
import { invalidParameter, invalidValue, type Notification, type PublishInput, type SnsMessageAttribute, type Topic } from "./model";

/**
 * What Publish checks before it accepts a message, and the notification it makes of one.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */

const MAX_MESSAGE_BYTES = 262_144;
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** Validates a Publish request to `topic` and makes the notification subscribers get, timestamped `now`. */
export function notificationOf(topic: Topic, input: PublishInput, now: Date): Notification {
  const { Message: message, Subject: subject } = input;
  if (typeof message !== "string" || message.length === 0) throw invalidParameter("Empty message");
  if (subject !== undefined && (!inRange(RANGES.sns.subjectCharacters, subject.length) || !/^[\x20-\x7e]+$/.test(subject))) throw invalidParameter("Subject");
  const attributes = input.MessageAttributes ?? {};
  let size = Buffer.byteLength(message);
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + checkAttribute(name, attribute);
  }
  if (size > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
  let perProtocol: Record<string, string> | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== "json") throw invalidParameter("MessageStructure");
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalidParameter("Message Structure - JSON message body failed to parse");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter("Message Structure - JSON message body failed to parse");
    perProtocol = parsed as Record<string, string>;
    if (typeof perProtocol.default !== "string") throw invalidParameter("Message Structure - No default entry in JSON message body");
  }
  const notification: Notification = {
    topic,
    messageId: randomUUID(),
    message: perProtocol ? perProtocol.default : message,
    perProtocol,
    subject,
    attributes,
    timestamp: now.toISOString(),
  };
  if (topic.fifo) {
    if (!input.MessageGroupId) throw invalidParameter("The MessageGroupId parameter is required for FIFO topics");
    const deduplicationId = input.MessageDeduplicationId ?? (topic.contentBasedDeduplication ? createHash("sha256").update(message).digest("hex") : undefined);
    if (!deduplicationId) throw invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    notification.groupId = input.MessageGroupId;
    notification.deduplicationId = deduplicationId;
    notification.sequenceNumber = (topic.sequence++).toString();
  } else if (input.MessageDeduplicationId !== undefined) {
    throw invalidParameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
  }
  return notification;
}

/** FIFO topics accept a deduplication id once per 5 minutes; a duplicate is acknowledged, not delivered. */
export function isDuplicate(topic: Topic, notification: Notification, at: number): boolean {
  if (!notification.deduplicationId) return false;
  const until = topic.deduplication.get(notification.deduplicationId);
  if (until !== undefined && until > at) return true;
  if (topic.deduplication.size > 10_000) for (const [id, expiry] of topic.deduplication) if (expiry <= at) topic.deduplication.delete(id);
  topic.deduplication.set(notification.deduplicationId, at + DEDUPLICATION_WINDOW_MS);
  return false;
}

/** Validates one message attribute as Publish does; returns its size in bytes. */
function checkAttribute(name: string, attribute: SnsMessageAttribute): number {
  const type = attribute?.DataType;
  if (!type) throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
  const base = type.split(".")[0];
  if (base !== "String" && base !== "Number" && base !== "Binary") {
    throw invalidValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  const value = base === "Binary" ? attribute.BinaryValue : attribute.StringValue;
  if (value === undefined || value === "") throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
  if (base === "Number" && !Number.isFinite(Number(value))) throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
  if (type === "String.Array") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((element) => element !== null && typeof element === "object")) {
      throw invalidValue(`The message attribute '${name}' with type 'String.Array' must be an array of strings, numbers, true, false or null.`);
    }
  }
  return Buffer.byteLength(type) + Buffer.byteLength(value);
}
