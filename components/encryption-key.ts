import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeploymentContext, stackContext } from "./context";
import { policyJson, PolicyStatement } from "./iam";
import { assertInteger } from "./validation";

/** AWS services that must use a key to deliver into encrypted resources of ours. */
export type KeyUser =
  /** EventBridge: encrypted buses, and delivery to encrypted queues, topics and DLQs. */
  | "events"
  /** SNS: delivery to encrypted queues subscribed to a topic. */
  | "sns"
  /** CloudWatch: alarm actions publishing to an encrypted topic. */
  | "cloudwatch";

export interface EncryptionKeyArgs {
  /** The key's description. Default: `<prefix> <logical name>`. */
  description?: string;
  /** Services allowed to encrypt and decrypt with the key (for our queues and topics, whose policies confine them). Required. */
  users: KeyUser[];
  /** Days before a deleted key is gone (7 to 30). Default: 30. */
  deletionWindowInDays?: number;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/**
 * A customer-managed KMS key with rotation on, whose key policy lets the listed AWS services use
 * it on behalf of this account only. EventBridge cannot deliver to a queue or topic encrypted
 * with an AWS managed key (alias/aws/sqs, alias/aws/sns): this is the key to use instead.
 */
export class EncryptionKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly arn: pulumi.Output<string>;
  readonly users: ReadonlySet<KeyUser>;
  readonly logicalName: string;

  constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:EncryptionKey", name, {}, opts);
    const context = args.context ?? stackContext();
    const window = args.deletionWindowInDays ?? 30;
    assertInteger(`EncryptionKey "${name}"`, "deletionWindowInDays", window, 7, 30);
    this.users = new Set(args.users);
    this.logicalName = name;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const statements: pulumi.Input<PolicyStatement>[] = [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      // No aws:SourceAccount or aws:SourceArn here: these services reach the key through SQS or
      // SNS, which pass neither, so such a condition never matches. The SNS page says they are not
      // supported in the key policy when EventBridge publishes to an encrypted topic
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
      // and the SQS page's statement for AWS event sources has no condition
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services).
      // What confines them is the queue's or topic's own policy, which names the rules of our buses.
      ...[...this.users].map((user) => ({
        Sid: `Allow${user[0].toUpperCase()}${user.slice(1)}`,
        Effect: "Allow" as const,
        Principal: { Service: `${user}.amazonaws.com` },
        Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
      })),
    ];
    this.key = new aws.kms.Key(
      name,
      {
        description: args.description ?? `${context.namePrefix} ${name}`,
        enableKeyRotation: true,
        deletionWindowInDays: window,
        policy: policyJson(statements),
        tags: context.tags,
      },
      { parent: this },
    );
    this.arn = this.key.arn;
    this.registerOutputs({ arn: this.arn });
  }

  /**
   * The statement an identity needs to use this key for data it protects, as CDK's grant methods
   * add it: reading needs kms:Decrypt; writing kms:GenerateDataKey and kms:Decrypt (SQS and SNS
   * producers need both; Kinesis producers need the first).
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#sqs-what-permissions-for-sse
   */
  grantStatement(use: "read" | "write"): PolicyStatement & { Resource: pulumi.Output<string> } {
    return { Effect: "Allow", Action: use === "read" ? ["kms:Decrypt"] : ["kms:GenerateDataKey", "kms:Decrypt"], Resource: this.arn };
  }

  /** Throws unless `user` may use this key; `what` names the resource that needs it. */
  assertUsableBy(user: KeyUser, what: string): void {
    if (!this.users.has(user)) {
      throw new Error(`${what} is encrypted with key "${this.logicalName}", which does not allow ${user}.amazonaws.com: add "${user}" to the key's users`);
    }
  }
}
