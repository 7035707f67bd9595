import { createHash, randomUUID } from "crypto";
import { compileEventPattern, type EventPatternMatcher, InvalidEventPatternError } from "@event-routes/event-pattern";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type MessageAttribute, type Operation, type Service } from "../../cloud";
import { parsePolicy, type Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { LambdaApi, SnsApi } from "../contracts";
import { queryResponse, xmlElement, type XmlResponse } from "../../shared/xml";
import { useKey } from "../kms/service";
import { NAMES, nameFits } from "@event-routes/aws-model";

/**
 * SNS topics, their policies and subscriptions. Publish (checked against the topic policy or the
 * caller role's policies) fans a notification out to every subscription whose filter policy
 * accepts it: SQS queues get the JSON notification envelope (or the raw message), functions get
 * an `aws:sns` event through an asynchronous invoke, and email, email-json, SMS, HTTP(S),
 * application and Firehose endpoints, which cannot be reached locally, get an inspectable
 * `outbox`. Subscriptions count as confirmed.
 *
 * A delivery SNS cannot make (a queue or function whose policy refuses SNS, a missing endpoint)
 * is a client-side error in AWS's terms: not retried, sent to the subscription's dead-letter
 * queue (`redrivePolicy`) when it has one, else dropped; both are traced and kept in `failures`.
 * Retries of server-side errors are not emulated.
 *
 * Filter policies are matched by the EventBridge pattern engine (`components/event-pattern`),
 * whose language SNS's shares: exact values, prefix, suffix, anything-but, equals-ignore-case,
 * numeric, exists, cidr and $or. Differences left knowingly: SNS limits numbers to ±10^9 with 5
 * decimals (here: doubles); SNS's exact error texts for invalid policies are approximated.
 * SNS-only rules enforced: no `wildcard`, no nesting in the MessageAttributes scope, at most 5
 * keys and 150 value combinations.
 *
 * The endpoint serves the query protocol (`sns.<Action>`: Publish, ListTopics, ListSubscriptions,
 * ListSubscriptionsByTopic, GetTopicAttributes) with XML answers; @aws-sdk/client-sns still speaks
 * awsQuery, so no JSON protocol is served.
 */

export const SNS_XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

export interface PublishInput {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
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

interface Topic {
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

interface Subscription {
  arn: string;
  topic: Topic;
  protocol: string;
  endpoint: string;
  raw: boolean;
  filter?: { scope: "MessageAttributes" | "MessageBody"; matcher: EventPatternMatcher; policy: string };
  deadLetterArn?: string;
}

/** One published notification, as every subscription sees it. */
interface Notification {
  topic: Topic;
  messageId: string;
  message: string;
  /** Per-protocol messages of a `json` MessageStructure. */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  timestamp: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

const PROTOCOLS = new Set(["sqs", "lambda", "email", "email-json", "sms", "http", "https", "application", "firehose"]);
const RAW_CAPABLE = new Set(["sqs", "http", "https", "firehose"]);
const MAX_MESSAGE_BYTES = 262_144;
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
/** The inspectable logs keep this many entries (a long `serve` session would grow without end). */
const KEEP = 100_000;

const invalidParameter = (message: string) => new AwsError("InvalidParameter", `Invalid parameter: ${message}`, 400);
const invalidValue = (message: string) => new AwsError("InvalidParameterValue", message, 400);
const topicNotFound = () => new AwsError("NotFound", "Topic does not exist", 404);

function keep<T>(log: T[], entry: T): void {
  if (log.length >= KEEP) log.splice(0, log.length - KEEP + 1);
  log.push(entry);
}

export class SnsService implements Service, SnsApi {
  readonly namespace = "sns";
  readonly resourceTypes = ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription"] as const;
  readonly operations: Record<string, Operation>;
  readonly published: PublishedNotification[] = [];
  readonly outbox: OutboxEntry[] = [];
  readonly failures: FailedDelivery[] = [];
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly cloud: LocalCloud) {
    this.operations = {
      "sns.Publish": (form: Form, caller) => this.publishOperation(form, caller),
      "sns.ListTopics": (form: Form, caller) => this.listTopics(form, caller),
      "sns.ListSubscriptions": (form: Form, caller) => this.listSubscriptions(form, caller),
      "sns.ListSubscriptionsByTopic": (form: Form, caller) => this.listSubscriptionsByTopic(form, caller),
      "sns.GetTopicAttributes": (form: Form, caller) => this.getTopicAttributes(form, caller),
      "sns.GetSubscriptionAttributes": (form: Form, caller) => this.getSubscriptionAttributes(form, caller),
    };
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

  private topic(arn: string | undefined): Topic {
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

  private accept(topicArn: string, input: PublishInput, from: Principal): { messageId: string; sequenceNumber?: string } {
    const topic = this.topic(topicArn);
    try {
      authorizeOrThrow(this.cloud, from, "sns:Publish", topic.arn);
    } catch (error) {
      // SNS names a refusal AuthorizationError (HTTP 403).
      throw new AwsError("AuthorizationError", (error as Error).message, 403);
    }
    // A publisher to an encrypted topic needs kms:GenerateDataKey and kms:Decrypt on its key; SNS
    // answers a denial with KMSAccessDenied (KMSAccessDeniedException in the SDKs).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic
    useKey(this.cloud, topic.kmsMasterKeyId, ["kms:GenerateDataKey", "kms:Decrypt"], from, "sns", (message) => new AwsError("KMSAccessDenied", message));
    const notification = this.validate(topic, input);
    const at = this.cloud.clock.now();
    keep(this.published, { at, topicArn: topic.arn, messageId: notification.messageId, subject: notification.subject, message: notification.message });
    this.cloud.trace.record({ at, kind: "notification.published", resource: topic.name, summary: `${topic.name}: "${excerpt(notification.subject ?? notification.message)}" to ${topic.subscriptions.length} subscription${topic.subscriptions.length === 1 ? "" : "s"}`, payload: notification.message });
    if (this.isDuplicate(topic, notification, at)) return { messageId: notification.messageId, sequenceNumber: notification.sequenceNumber };
    for (const subscription of topic.subscriptions) {
      if (!this.accepts(subscription, notification)) continue;
      this.cloud.clock.spawn(() => this.deliverTo(subscription, notification));
    }
    return { messageId: notification.messageId, sequenceNumber: notification.sequenceNumber };
  }

  private validate(topic: Topic, input: PublishInput): Notification {
    const { Message: message, Subject: subject } = input;
    if (typeof message !== "string" || message.length === 0) throw invalidParameter("Empty message");
    if (subject !== undefined && (subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject))) throw invalidParameter("Subject");
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
      timestamp: this.cloud.clock.date().toISOString(),
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
  private isDuplicate(topic: Topic, notification: Notification, at: number): boolean {
    if (!notification.deduplicationId) return false;
    const until = topic.deduplication.get(notification.deduplicationId);
    if (until !== undefined && until > at) return true;
    if (topic.deduplication.size > 10_000) for (const [id, expiry] of topic.deduplication) if (expiry <= at) topic.deduplication.delete(id);
    topic.deduplication.set(notification.deduplicationId, at + DEDUPLICATION_WINDOW_MS);
    return false;
  }

  private accepts(subscription: Subscription, notification: Notification): boolean {
    const filter = subscription.filter;
    if (!filter) return true;
    if (filter.scope === "MessageAttributes") return filter.matcher.matches(attributeValues(notification.attributes));
    let body: unknown;
    try {
      body = JSON.parse(messageFor(subscription, notification));
    } catch {
      return false; // SNS filters out message bodies that are not JSON
    }
    return filter.matcher.matches(body);
  }

  private async deliverTo(subscription: Subscription, notification: Notification): Promise<void> {
    const topic = subscription.topic;
    const message = messageFor(subscription, notification);
    const as: Principal = { kind: "service", service: "sns.amazonaws.com", sourceArn: topic.arn, sourceAccount: this.cloud.identity.account };
    try {
      switch (subscription.protocol) {
        case "sqs":
          await this.cloud.deliver(subscription.endpoint, this.sqsMessage(subscription, notification, message), as);
          return;
        case "lambda":
          await this.cloud.service<LambdaApi & Service>("lambda").invokeAsync(subscription.endpoint, this.lambdaEvent(subscription, notification, message), as);
          return;
        default:
          this.toOutbox(subscription, notification, message);
      }
    } catch (error) {
      await this.failed(subscription, notification, message, error, as);
    }
  }

  private sqsMessage(subscription: Subscription, notification: Notification, message: string): Message {
    const sqs: Message = { body: subscription.raw ? message : JSON.stringify(this.envelope(subscription, notification, message)) };
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
  private envelope(subscription: Subscription, notification: Notification, message: string): Record<string, unknown> {
    const region = this.cloud.identity.region;
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

  private lambdaEvent(subscription: Subscription, notification: Notification, message: string) {
    const region = this.cloud.identity.region;
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

  private toOutbox(subscription: Subscription, notification: Notification, message: string): void {
    const at = this.cloud.clock.now();
    const json = subscription.protocol === "email-json" || (!subscription.raw && ["http", "https", "firehose", "application"].includes(subscription.protocol));
    const body = json ? JSON.stringify(this.envelope(subscription, notification, message)) : message;
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
        await this.cloud.deliver(subscription.deadLetterArn, this.sqsMessage(subscription, notification, message), as);
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

  // ---- wire operations (query protocol) ----------------------------------------------------------

  private authorizeCaller(caller: Principal, action: string, resource: string): void {
    try {
      authorizeOrThrow(this.cloud, caller, `sns:${action}`, resource);
    } catch (error) {
      throw new AwsError("AuthorizationError", (error as Error).message, 403);
    }
  }

  private topicFromForm(form: Form, parameter = "TopicArn"): Topic {
    const arn = form[parameter];
    if (!arn) throw invalidParameter(`${parameter} Reason: no value for required parameter`);
    if (!/^arn:[^:]+:sns:[^:]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) throw invalidParameter(`${parameter} Reason: An ARN must have at least 6 elements, not ${arn.split(":").length}`);
    return this.topic(arn);
  }

  private publishOperation(form: Form, caller: Principal): XmlResponse {
    if (form.PhoneNumber) return this.publishSms(form, caller);
    const parameter = form.TopicArn ? "TopicArn" : "TargetArn";
    if (!form[parameter]) throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
    const topic = this.topicFromForm(form, parameter);
    const { messageId, sequenceNumber } = this.accept(
      topic.arn,
      {
        Message: form.Message ?? "",
        Subject: form.Subject,
        MessageStructure: form.MessageStructure,
        MessageAttributes: formAttributes(form),
        MessageGroupId: form.MessageGroupId,
        MessageDeduplicationId: form.MessageDeduplicationId,
      },
      caller,
    );
    return queryResponse("Publish", SNS_XML_NAMESPACE, xmlElement("MessageId", messageId) + xmlElement("SequenceNumber", sequenceNumber));
  }

  /** Publish straight to a phone number: the SMS lands in the outbox. */
  private publishSms(form: Form, caller: Principal): XmlResponse {
    const phone = form.PhoneNumber;
    if (!/^\+?[1-9]\d{1,14}$/.test(phone)) throw invalidParameter("PhoneNumber Reason: input incorrectly formatted");
    this.authorizeCaller(caller, "Publish", "*");
    const message = form.Message ?? "";
    if (message.length === 0) throw invalidParameter("Empty message");
    const messageId = randomUUID();
    const at = this.cloud.clock.now();
    const entry: OutboxEntry = { at, topicArn: "", protocol: "sms", endpoint: phone, message, body: message };
    keep(this.outbox, entry);
    this.cloud.trace.record({ at, kind: "notification.delivered", resource: phone, summary: `sms ${phone}: ${message.slice(0, 80)}`, payload: entry });
    return queryResponse("Publish", SNS_XML_NAMESPACE, xmlElement("MessageId", messageId));
  }

  private listTopics(form: Form, caller: Principal): XmlResponse {
    this.authorizeCaller(caller, "ListTopics", this.cloud.arn("sns", "*"));
    const { page, next } = paginate([...this.topics.keys()].sort(), form.NextToken, 100);
    const members = page.map((arn) => `<member>${xmlElement("TopicArn", arn)}</member>`).join("");
    return queryResponse("ListTopics", SNS_XML_NAMESPACE, `<Topics>${members}</Topics>${xmlElement("NextToken", next)}`);
  }

  private listSubscriptions(form: Form, caller: Principal): XmlResponse {
    this.authorizeCaller(caller, "ListSubscriptions", this.cloud.arn("sns", "*"));
    const all = [...this.topics.values()].flatMap((topic) => topic.subscriptions);
    const { page, next } = paginate(all, form.NextToken, 100);
    return queryResponse("ListSubscriptions", SNS_XML_NAMESPACE, `<Subscriptions>${page.map((s) => this.subscriptionXml(s)).join("")}</Subscriptions>${xmlElement("NextToken", next)}`);
  }

  private listSubscriptionsByTopic(form: Form, caller: Principal): XmlResponse {
    const topic = this.topicFromForm(form);
    this.authorizeCaller(caller, "ListSubscriptionsByTopic", topic.arn);
    const { page, next } = paginate(topic.subscriptions, form.NextToken, 100);
    return queryResponse("ListSubscriptionsByTopic", SNS_XML_NAMESPACE, `<Subscriptions>${page.map((s) => this.subscriptionXml(s)).join("")}</Subscriptions>${xmlElement("NextToken", next)}`);
  }

  private subscriptionXml(subscription: Subscription): string {
    return `<member>${xmlElement("TopicArn", subscription.topic.arn)}${xmlElement("Protocol", subscription.protocol)}${xmlElement("SubscriptionArn", subscription.arn)}${xmlElement("Owner", this.cloud.identity.account)}${xmlElement("Endpoint", subscription.endpoint)}</member>`;
  }

  private getTopicAttributes(form: Form, caller: Principal): XmlResponse {
    const topic = this.topicFromForm(form);
    this.authorizeCaller(caller, "GetTopicAttributes", topic.arn);
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
    const entries = Object.entries(attributes).map(([key, value]) => `<entry>${xmlElement("key", key)}${xmlElement("value", value)}</entry>`).join("");
    return queryResponse("GetTopicAttributes", SNS_XML_NAMESPACE, `<Attributes>${entries}</Attributes>`);
  }

  /** `aws sns get-subscription-attributes`: the subscription's settings, its filter policy among them. */
  private getSubscriptionAttributes(form: Form, caller: Principal): XmlResponse {
    const arn = form.SubscriptionArn;
    if (!arn) throw invalidParameter("SubscriptionArn Reason: no value for required parameter");
    // Authorized as sns:GetSubscriptionAttributes on the subscription's topic, as ListSubscriptionsByTopic
    // is; which resource AWS checks for this action is not recorded here.
    const subscription = [...this.topics.values()].flatMap((topic) => topic.subscriptions).find((candidate) => candidate.arn === arn);
    this.authorizeCaller(caller, "GetSubscriptionAttributes", subscription?.topic.arn ?? arn.split(":").slice(0, 6).join(":"));
    if (!subscription) throw new AwsError("NotFound", "Subscription does not exist", 404);
    const attributes: Record<string, string | undefined> = {
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
    const entries = Object.entries(attributes)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `<entry>${xmlElement("key", key)}${xmlElement("value", value)}</entry>`)
      .join("");
    return queryResponse("GetSubscriptionAttributes", SNS_XML_NAMESPACE, `<Attributes>${entries}</Attributes>`);
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

/** A query-protocol request: the form's fields, flat (`MessageAttributes.entry.1.Name`). */
type Form = Record<string, string>;

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

function paginate<T>(items: T[], token: string | undefined, size: number): { page: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, "base64").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter("NextToken");
  const page = items.slice(start, start + size);
  return { page, next: start + size < items.length ? Buffer.from(String(start + size)).toString("base64") : undefined };
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
function formAttributes(form: Form): PublishInput["MessageAttributes"] {
  const attributes: NonNullable<PublishInput["MessageAttributes"]> = {};
  for (let n = 1; form[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const prefix = `MessageAttributes.entry.${n}`;
    attributes[form[`${prefix}.Name`]] = {
      DataType: form[`${prefix}.Value.DataType`],
      ...(form[`${prefix}.Value.StringValue`] !== undefined ? { StringValue: form[`${prefix}.Value.StringValue`] } : {}),
      ...(form[`${prefix}.Value.BinaryValue`] !== undefined ? { BinaryValue: form[`${prefix}.Value.BinaryValue`] } : {}),
    };
  }
  return attributes;
}

/** Validates one message attribute as Publish does; returns its size in bytes. */
function checkAttribute(name: string, attribute: { DataType: string; StringValue?: string; BinaryValue?: string }): number {
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

/** The attributes a MessageAttributes-scope filter policy sees: numbers as numbers, arrays as arrays, no Binary. */
function attributeValues(attributes: Notification["attributes"]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const type = attribute.DataType;
    if (type.startsWith("Binary")) continue;
    if (type === "String.Array") values[name] = JSON.parse(attribute.StringValue!);
    else if (type.startsWith("Number")) values[name] = Number(attribute.StringValue);
    else values[name] = attribute.StringValue;
  }
  return values;
}

function envelopeAttributes(attributes: Notification["attributes"]): Record<string, { Type: string; Value: string }> | undefined {
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  const result: Record<string, { Type: string; Value: string }> = {};
  for (const name of names) {
    const attribute = attributes[name];
    result[name] = { Type: attribute.DataType, Value: (attribute.DataType.startsWith("Binary") ? attribute.BinaryValue : attribute.StringValue)! };
  }
  return result;
}

function messageFor(subscription: Subscription, notification: Notification): string {
  const specific = notification.perProtocol?.[subscription.protocol];
  return typeof specific === "string" ? specific : notification.message;
}

/** Not a real signature (there is no SNS certificate locally), but shaped like one. */
function signature(notification: Notification): string {
  return createHash("sha256").update(`${notification.messageId}\n${notification.message}`).digest("base64");
}

/**
 * Validates a subscription's filter policy with SNS's rules and compiles it with the EventBridge
 * pattern engine, whose matching semantics SNS's filter language shares.
 */
export function compileFilterPolicy(text: string, scope: "MessageAttributes" | "MessageBody"): EventPatternMatcher | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (error) {
    throw invalidParameter(`FilterPolicy: failed to parse JSON. ${(error as Error).message}`);
  }
  if (!policy || typeof policy !== "object" || Array.isArray(policy)) throw invalidParameter("FilterPolicy: Filter policy must be a JSON object");
  if (Object.keys(policy).length === 0) return undefined; // an empty policy accepts everything
  let keys = 0;
  const complexity = (node: Record<string, unknown>): number => {
    let combinations = 1;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$or" && Array.isArray(value)) {
        combinations *= value.reduce((sum: number, branch) => sum + (branch && typeof branch === "object" ? complexity(branch as Record<string, unknown>) : 1), 0);
      } else if (Array.isArray(value)) {
        keys++;
        for (const condition of value) {
          if (condition && typeof condition === "object" && "wildcard" in condition) throw invalidParameter("FilterPolicy: Unrecognized match type wildcard");
        }
        combinations *= Math.max(1, value.length);
      } else if (value && typeof value === "object") {
        if (scope === "MessageAttributes") throw invalidParameter("FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy");
        combinations *= complexity(value as Record<string, unknown>);
      } else {
        throw invalidParameter(`FilterPolicy: "${key}" must be an object or an array`);
      }
    }
    return combinations;
  };
  const combinations = complexity(policy as Record<string, unknown>);
  if (keys > 5) throw invalidParameter("FilterPolicy: Filter policy can not have more than 5 keys");
  if (combinations > 150) throw invalidParameter("FilterPolicy: Filter policy is too complex");
  try {
    return compileEventPattern(policy);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw invalidParameter(`FilterPolicy: ${error.message}`);
    throw error;
  }
}

/** The start of a message, on one line, for the trace. */
function excerpt(text: string, length = 72): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
