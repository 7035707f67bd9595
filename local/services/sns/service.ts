import { randomUUID } from "crypto";
import { NAMES, nameFits } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Service } from "../../cloud";
import { parsePolicy, type Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { Operation } from "../../common/operation";
import type { LambdaApi, SnsApi } from "../contracts";
import { useKey } from "../kms/service";
import { lambdaEvent, envelope, messageFor, sqsMessage } from "./envelope";
import { compileFilterPolicy, filterAccepts } from "./filter-policy";
import {
  invalidParameter,
  keep,
  topicNotFound,
  type FailedDelivery,
  type Notification,
  type OutboxEntry,
  type PublishedNotification,
  type PublishInput,
  type Subscription,
  type Topic,
} from "./model";
import { snsOperations } from "./operations";
import { isDuplicate, notificationOf } from "./publish";


/**
 * SNS topics, their policies and subscriptions. Publish (checked against the topic policy or the
 * caller role's policies) fans a notification out to every subscription whose filter policy
 * accepts it (./filter-policy.ts): SQS queues get the JSON notification envelope (or the raw
 * message), functions get an `aws:sns` event through an asynchronous invoke (./envelope.ts), and
 * email, email-json, SMS, HTTP(S), application and Firehose endpoints, which cannot be reached
 * locally, get an inspectable `outbox`. Subscriptions count as confirmed.
 *
 * A delivery SNS cannot make (a queue or function whose policy refuses SNS, a missing endpoint)
 * is a client-side error in AWS's terms: not retried, sent to the subscription's dead-letter
 * queue (`redrivePolicy`) when it has one, else dropped; both are traced and kept in `failures`.
 * Retries of server-side errors are not emulated.
 *
 * The endpoint serves the query protocol (./operations.ts, ./wire.ts).
 */

const PROTOCOLS = new Set(["sqs", "lambda", "email", "email-json", "sms", "http", "https", "application", "firehose"]);
const RAW_CAPABLE = new Set(["sqs", "http", "https", "firehose"]);

export class SnsService implements Service, SnsApi {
  readonly namespace = "sns";
  readonly resourceTypes = ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription"] as const;
  readonly operations: Record<string, Operation>;
  readonly published: PublishedNotification[] = [];
  readonly outbox: OutboxEntry[] = [];
  readonly failures: FailedDelivery[] = [];
  private readonly topics = new Map<string, Topic>();

  constructor(readonly cloud: LocalCloud) {
    this.operations = snsOperations(this);
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    switch (resource.type) {
      case "aws:sns/topic:Topic": {
        const name: string = state.name ?? inputs.name ?? resource.name;
        const fifo = inputs.fifoTopic === true || inputs.fifoTopic === "true";
        if (!nameFits(NAMES.topic, name) || name.endsWith(".fifo") !== fifo) {
          throw invalidParameter(
            fifo
              ? "Topic Name: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
              : "Topic Name: Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
          );
        }
        const arn: string = state.arn ?? this.cloud.arn("sns", name);
        const topic: Topic = {
          name,
          arn,
          fifo,
          contentBasedDeduplication: inputs.contentBasedDeduplication === true,
          displayName: inputs.displayName ?? "",
          kmsMasterKeyId: inputs.kmsMasterKeyId || undefined,
          subscriptions: [],
          deduplication: new Map(),
          sequence: 10_000_000_000_000_000_000n,
        };
        this.topics.set(arn, topic);
        if (inputs.policy) this.setPolicy(topic, inputs.policy, `${resource.type} "${resource.name}" policy`);
        return;
      }
      case "aws:sns/topicPolicy:TopicPolicy":
        this.setPolicy(this.topic(inputs.arn), inputs.policy, `${resource.type} "${resource.name}"`);
        return;
      case "aws:sns/topicSubscription:TopicSubscription":
        this.subscribe(resource);
        return;
    }
  }

  /** EventBridge (or another service) publishes to a topic: the message body is the notification. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    await this.publish(
      arn,
      { Message: message.body, Subject: message.subject, MessageAttributes: message.attributes, MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId },
      from,
    );
  }

  /** Publish as `from`: authorized with sns:Publish, then fanned out in the background. Returns the MessageId. */
  async publish(topicArn: string, input: PublishInput, from: Principal): Promise<string> {
    return this.accept(topicArn, input, from).messageId;
  }

  /** The subscriptions of a topic (for tests and reports). */
  subscriptionsOf(topicArn: string): { arn: string; protocol: string; endpoint: string; raw: boolean }[] {
    return this.topic(topicArn).subscriptions.map(({ arn, protocol, endpoint, raw }) => ({ arn, protocol, endpoint, raw }));
  }

  // ---- resources -------------------------------------------------------------------------------------

  /** The topic `arn` names; NotFound (404) when there is none. */
  topic(arn: string | undefined): Topic {
    const topic = arn === undefined ? undefined : this.topics.get(arn);
    if (!topic) throw topicNotFound();
    return topic;
  }

  private setPolicy(topic: Topic, policy: unknown, where: string): void {
    let statements;
    try {
      statements = parsePolicy(policy, where);
    } catch (error) {
      throw invalidParameter(`Policy Error: ${(error as Error).message}`);
    }
    this.cloud.iam.putResourcePolicy(topic.arn, "topic-policy", statements);
    topic.policy = typeof policy === "string" ? policy : JSON.stringify(policy);
  }

  private subscribe(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const topic = this.topic(inputs.topic);
    const protocol: string = inputs.protocol;
    if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Invalid protocol type: ${protocol}`);
    const endpoint: string = inputs.endpoint;
    if (!endpoint) throw invalidParameter("Endpoint Reason: no value for required parameter");
    if (protocol === "sqs" && !/^arn:[^:]+:sqs:/.test(endpoint)) throw invalidParameter("SQS endpoint ARN");
    if (protocol === "lambda" && !/^arn:[^:]+:lambda:/.test(endpoint)) throw invalidParameter("Lambda endpoint ARN");
    if ((protocol === "http" || protocol === "https") && !endpoint.startsWith(`${protocol}://`)) throw invalidParameter(`Endpoint must match the specified protocol`);
    const raw = inputs.rawMessageDelivery === true || inputs.rawMessageDelivery === "true";
    if (raw && !RAW_CAPABLE.has(protocol)) throw invalidParameter(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
    const scope = inputs.filterPolicyScope ?? "MessageAttributes";
    if (scope !== "MessageAttributes" && scope !== "MessageBody") throw invalidParameter(`Attributes Reason: FilterPolicyScope: Invalid value [${scope}]. Please use either MessageBody or MessageAttributes`);
    const matcher = inputs.filterPolicy ? compileFilterPolicy(inputs.filterPolicy, scope) : undefined;
    let deadLetterArn: string | undefined;
    if (inputs.redrivePolicy) {
      try {
        deadLetterArn = JSON.parse(inputs.redrivePolicy).deadLetterTargetArn;
      } catch {
        // reported below
      }
      if (typeof deadLetterArn !== "string" || !/^arn:[^:]+:sqs:/.test(deadLetterArn)) throw invalidParameter("RedrivePolicy: deadLetterTargetArn must be the ARN of an SQS queue");
    }
    topic.subscriptions.push({
      arn: state.arn ?? `${topic.arn}:${randomUUID()}`,
      topic,
      protocol,
      endpoint,
      raw,
      filter: matcher ? { scope, matcher, policy: inputs.filterPolicy } : undefined,
      deadLetterArn,
    });
  }

  // ---- publishing --------------------------------------------------------------------------------------

  /** Publish: authorizes `from`, validates, and fans the notification out in the background. */
  accept(topicArn: string, input: PublishInput, from: Principal): { messageId: string; sequenceNumber?: string } {
    const topic = this.topic(topicArn);
    this.authorizeCaller(from, "Publish", topic.arn);
    // A publisher to an encrypted topic needs kms:GenerateDataKey and kms:Decrypt on its key; SNS
    // answers a denial with KMSAccessDenied (KMSAccessDeniedException in the SDKs).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic
    useKey(this.cloud, topic.kmsMasterKeyId, ["kms:GenerateDataKey", "kms:Decrypt"], from, "sns", (message) => new AwsError("KMSAccessDenied", message));
    const notification = notificationOf(topic, input, this.cloud.clock.date());
    const at = this.cloud.clock.now();
    keep(this.published, { at, topicArn: topic.arn, messageId: notification.messageId, subject: notification.subject, message: notification.message });
    this.cloud.trace.record({ at, kind: "notification.published", resource: topic.name, summary: `${topic.name}: "${excerpt(notification.subject ?? notification.message)}" to ${topic.subscriptions.length} subscription${topic.subscriptions.length === 1 ? "" : "s"}`, payload: notification.message });
    if (isDuplicate(topic, notification, at)) return { messageId: notification.messageId, sequenceNumber: notification.sequenceNumber };
    for (const subscription of topic.subscriptions) {
      if (!filterAccepts(subscription.filter, notification.attributes, messageFor(subscription, notification))) continue;
      this.cloud.clock.spawn(() => this.deliverTo(subscription, notification));
    }
    return { messageId: notification.messageId, sequenceNumber: notification.sequenceNumber };
  }

  private async deliverTo(subscription: Subscription, notification: Notification): Promise<void> {
    const topic = subscription.topic;
    const message = messageFor(subscription, notification);
    const as: Principal = { kind: "service", service: "sns.amazonaws.com", sourceArn: topic.arn, sourceAccount: this.cloud.identity.account };
    try {
      switch (subscription.protocol) {
        case "sqs":
          await this.cloud.deliver(subscription.endpoint, sqsMessage(subscription, notification, message, this.cloud.identity), as);
          return;
        case "lambda":
          await this.cloud.service<LambdaApi & Service>("lambda").invokeAsync(subscription.endpoint, lambdaEvent(subscription, notification, message, this.cloud.identity), as);
          return;
        default:
          this.toOutbox(subscription, notification, message);
      }
    } catch (error) {
      await this.failed(subscription, notification, message, error, as);
    }
  }

  private toOutbox(subscription: Subscription, notification: Notification, message: string): void {
    const at = this.cloud.clock.now();
    const json = subscription.protocol === "email-json" || (!subscription.raw && ["http", "https", "firehose", "application"].includes(subscription.protocol));
    const body = json ? JSON.stringify(envelope(subscription, notification, message, this.cloud.identity)) : message;
    const entry: OutboxEntry = { at, topicArn: notification.topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint, subject: notification.subject, message, body };
    keep(this.outbox, entry);
    this.cloud.trace.record({ at, kind: "notification.delivered", resource: notification.topic.name, summary: `${subscription.protocol} ${subscription.endpoint}: ${notification.subject ?? message.slice(0, 80)}`, payload: entry });
  }

  /** A client-side failure: no retry; to the subscription's DLQ if it has one, else dropped. */
  private async failed(subscription: Subscription, notification: Notification, message: string, error: unknown, as: Principal): Promise<void> {
    const at = this.cloud.clock.now();
    const reason = error instanceof AwsError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error);
    const what = `${notification.topic.name} -> ${subscription.protocol} ${subscription.endpoint}`;
    let deadLettered = false;
    let dlqError = "";
    if (subscription.deadLetterArn) {
      try {
        await this.cloud.deliver(subscription.deadLetterArn, sqsMessage(subscription, notification, message, this.cloud.identity), as);
        deadLettered = true;
      } catch (dlqFailure) {
        dlqError = `; the DLQ refused it too (${(dlqFailure as Error).message})`;
      }
    }
    keep(this.failures, { at, topicArn: notification.topic.arn, subscriptionArn: subscription.arn, protocol: subscription.protocol, endpoint: subscription.endpoint, messageId: notification.messageId, error: reason, deadLettered });
    this.cloud.trace.record({
      at,
      kind: deadLettered ? "target.dead-lettered" : "target.dropped",
      resource: notification.topic.name,
      summary: deadLettered ? `to DLQ ${subscription.deadLetterArn}: ${what}: ${reason}` : `dropped (delivery failed) ${what}: ${reason}${dlqError}`,
      payload: message,
    });
  }

  // ---- what the wire operations read ----------------------------------------------------------------

  topicArns(): string[] {
    return [...this.topics.keys()];
  }

  allSubscriptions(): Subscription[] {
    return [...this.topics.values()].flatMap((topic) => topic.subscriptions);
  }

  /** Authorizes `caller` as `sns:<action>`; SNS names a refusal AuthorizationError (HTTP 403). */
  authorizeCaller(caller: Principal, action: string, resource: string): void {
    try {
      authorizeOrThrow(this.cloud, caller, `sns:${action}`, resource);
    } catch (error) {
      throw new AwsError("AuthorizationError", (error as Error).message, 403);
    }
  }

  /** Publish straight to a phone number: the SMS lands in the outbox. Returns the MessageId. */
  sendSms(phone: string, message: string): string {
    if (message.length === 0) throw invalidParameter("Empty message");
    const messageId = randomUUID();
    const at = this.cloud.clock.now();
    const entry: OutboxEntry = { at, topicArn: "", protocol: "sms", endpoint: phone, message, body: message };
    keep(this.outbox, entry);
    this.cloud.trace.record({ at, kind: "notification.delivered", resource: phone, summary: `sms ${phone}: ${message.slice(0, 80)}`, payload: entry });
    return messageId;
  }

  /** GetTopicAttributes: what AWS reports of a topic. */
  topicAttributes(topic: Topic): Record<string, string> {
    const account = this.cloud.identity.account;
    const attributes: Record<string, string> = {
      Policy: topic.policy ?? defaultPolicy(topic.arn, account),
      Owner: account,
      SubscriptionsPending: "0",
      TopicArn: topic.arn,
      EffectiveDeliveryPolicy: EFFECTIVE_DELIVERY_POLICY,
      SubscriptionsConfirmed: String(topic.subscriptions.length),
      DisplayName: topic.displayName,
      SubscriptionsDeleted: "0",
    };
    if (topic.fifo) {
      attributes.FifoTopic = "true";
      attributes.ContentBasedDeduplication = String(topic.contentBasedDeduplication);
    }
    return attributes;
  }

  /** GetSubscriptionAttributes: what AWS reports of a subscription; NotFound (404) for none. */
  subscriptionAttributes(subscription: Subscription | undefined): Record<string, string | undefined> {
    if (!subscription) throw new AwsError("NotFound", "Subscription does not exist", 404);
    return {
      Owner: this.cloud.identity.account,
      RawMessageDelivery: String(subscription.raw),
      TopicArn: subscription.topic.arn,
      Endpoint: subscription.endpoint,
      Protocol: subscription.protocol,
      PendingConfirmation: "false",
      ConfirmationWasAuthenticated: "true",
      SubscriptionArn: subscription.arn,
      FilterPolicy: subscription.filter?.policy,
      FilterPolicyScope: subscription.filter?.scope,
      RedrivePolicy: subscription.deadLetterArn ? JSON.stringify({ deadLetterTargetArn: subscription.deadLetterArn }) : undefined,
    };
  }
}

const EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
  },
});

/** The policy AWS gives a topic nobody set one for (reported only: it grants nothing beyond IAM). */
function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

/** The start of a message, on one line, for the trace. */
function excerpt(text: string, length = 72): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
