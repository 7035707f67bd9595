import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus } from "./bus-ref";
import { DeploymentContext, stackContext } from "./context";
import { EncryptionKey } from "./encryption-key";
import { eventBridgeDeliveryStatement, policyJson, PolicyStatement, tlsOnlyStatement } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";

export interface TopicArgs {
  /**
   * Customer-managed key for encryption at rest. EventBridge and CloudWatch alarms cannot publish
   * to a topic encrypted with the AWS managed key alias/aws/sns, so there is no such option.
   * Default: none (SNS's own encryption is off).
   */
  encryptionKey?: EncryptionKey;
  /** Event buses whose rules may publish to this topic. Default: none. */
  eventSources?: EventSourceBus[];
  /** Let CloudWatch alarms of this account publish (an alarm topic). Default: false. */
  cloudWatchAlarms?: boolean;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/** People told through the topic. (Queues are fed by routes, whose grants this library manages.) */
export interface Subscription {
  protocol: "email" | "sms";
  endpoint: pulumi.Input<string>;
}

/** An SNS topic with a single resource policy: TLS only, plus the publishers it was given. */
export class Topic extends pulumi.ComponentResource {
  readonly logicalName: string;
  readonly topic: aws.sns.Topic;
  readonly policy: aws.sns.TopicPolicy;
  readonly arn: pulumi.Output<string>;
  readonly encryptionKey?: EncryptionKey;
  readonly eventSources: ReadonlySet<EventSourceBus>;
  readonly subscriptions: aws.sns.TopicSubscription[] = [];

  constructor(name: string, args: TopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:Topic", name, {}, opts);
    this.logicalName = name;
    const context = args.context ?? stackContext();
    this.encryptionKey = args.encryptionKey;
    this.eventSources = new Set(args.eventSources ?? []);
    if (this.encryptionKey && this.eventSources.size > 0) this.encryptionKey.assertUsableBy("events", `Topic "${name}"`);
    if (this.encryptionKey && args.cloudWatchAlarms) this.encryptionKey.assertUsableBy("cloudwatch", `Topic "${name}"`);

    this.topic = new aws.sns.Topic(
      name,
      {
        name: physicalName([context.namePrefix, name], NAME_LIMITS.topic),
        kmsMasterKeyId: this.encryptionKey?.arn,
        tags: context.tags,
      },
      { parent: this },
    );
    this.arn = this.topic.arn;

    const statements: pulumi.Input<PolicyStatement>[] = [tlsOnlyStatement("sns:Publish", this.arn)];
    for (const bus of this.eventSources) statements.push(eventBridgeDeliveryStatement(bus, "sns:Publish", this.arn));
    if (args.cloudWatchAlarms) {
      const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
      statements.push({
        Sid: "CloudWatchAlarmsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: this.arn,
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      });
    }
    this.policy = new aws.sns.TopicPolicy(name, { arn: this.arn, policy: policyJson(statements) }, { parent: this });
    this.registerOutputs({ arn: this.arn });
  }

  /** Throws unless rules of `bus` may publish here; `what` names the route that needs it. */
  assertAcceptsEventsFrom(bus: EventSourceBus, what: string): void {
    if (!this.eventSources.has(bus)) {
      throw new Error(
        `${what} publishes to topic "${this.logicalName}", whose policy does not let bus "${bus.logicalName}" publish: add that bus to the topic's eventSources`,
      );
    }
  }

  subscribe(name: string, subscription: Subscription): aws.sns.TopicSubscription {
    const sub = new aws.sns.TopicSubscription(
      `${this.logicalName}-${name}`,
      { topic: this.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
      { parent: this },
    );
    this.subscriptions.push(sub);
    return sub;
  }

  /** Statements that let an identity publish here (and use the topic's key). */
  publishStatements(): pulumi.Input<PolicyStatement>[] {
    const statements: pulumi.Input<PolicyStatement>[] = [{ Effect: "Allow", Action: "sns:Publish", Resource: this.arn }];
    if (this.encryptionKey) {
      statements.push({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: this.encryptionKey.arn });
    }
    return statements;
  }
}
