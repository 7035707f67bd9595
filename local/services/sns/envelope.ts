import { createHash } from "crypto";
import type { Message, MessageAttribute } from "../../cloud";
import type { CloudIdentity } from "../../resource-graph";
import type { Notification, SnsMessageAttribute, Subscription } from "./model";

/**
 * What each kind of subscriber receives of a notification: the JSON envelope (SQS, email-json,
 * HTTP), the raw message, or the `aws:sns` event of a function.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */

/** The message a subscription gets: its protocol's entry of a `json` MessageStructure, else the message. */
export function messageFor(subscription: Subscription, notification: Notification): string {
  const specific = notification.perProtocol?.[subscription.protocol];
  return typeof specific === "string" ? specific : notification.message;
}

/** What an SQS queue (a subscription's, or its dead-letter queue) is sent. */
export function sqsMessage(subscription: Subscription, notification: Notification, message: string, identity: CloudIdentity): Message {
  const sqs: Message = { body: subscription.raw ? message : JSON.stringify(envelope(subscription, notification, message, identity)) };
  if (subscription.raw && Object.keys(notification.attributes).length > 0) {
    sqs.attributes = {};
    for (const [name, attribute] of Object.entries(notification.attributes)) {
      sqs.attributes[name] = { ...attribute, DataType: attribute.DataType as MessageAttribute["DataType"] };
    }
  }
  if (notification.groupId) sqs.groupId = notification.groupId;
  if (notification.deduplicationId) sqs.deduplicationId = notification.deduplicationId;
  return sqs;
}

/** The JSON notification SQS, email-json and HTTP endpoints receive. */
export function envelope(subscription: Subscription, notification: Notification, message: string, identity: CloudIdentity): Record<string, unknown> {
  const region = identity.region;
  const attributes = envelopeAttributes(notification.attributes);
  return {
    Type: "Notification",
    MessageId: notification.messageId,
    ...(notification.sequenceNumber ? { SequenceNumber: notification.sequenceNumber } : {}),
    TopicArn: notification.topic.arn,
    ...(notification.subject !== undefined ? { Subject: notification.subject } : {}),
    Message: message,
    Timestamp: notification.timestamp,
    SignatureVersion: "1",
    Signature: signature(notification),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
    ...(attributes ? { MessageAttributes: attributes } : {}),
  };
}

/** The `aws:sns` event a subscribed function is invoked with. */
export function lambdaEvent(subscription: Subscription, notification: Notification, message: string, identity: CloudIdentity) {
  const region = identity.region;
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscription.arn,
        Sns: {
          Type: "Notification",
          MessageId: notification.messageId,
          TopicArn: notification.topic.arn,
          Subject: notification.subject ?? null,
          Message: message,
          Timestamp: notification.timestamp,
          SignatureVersion: "1",
          Signature: signature(notification),
          SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
          UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
          MessageAttributes: envelopeAttributes(notification.attributes) ?? {},
        },
      },
    ],
  };
}

function envelopeAttributes(attributes: Record<string, SnsMessageAttribute>): Record<string, { Type: string; Value: string }> | undefined {
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  const result: Record<string, { Type: string; Value: string }> = {};
  for (const name of names) {
    const attribute = attributes[name];
    result[name] = { Type: attribute.DataType, Value: (attribute.DataType.startsWith("Binary") ? attribute.BinaryValue : attribute.StringValue)! };
  }
  return result;
}

/** Not a real signature (there is no SNS certificate locally), but shaped like one. */
function signature(notification: Notification): string {
  return createHash("sha256").update(`${notification.messageId}\n${notification.message}`).digest("base64");
}
