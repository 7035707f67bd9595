import { AwsError } from "../../aws-error";
import type { LocalCloud, Service } from "../../cloud";
import { parsePolicy, type Principal, type Statement } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";

/**
 * KMS keys as the other services use them: customer managed keys with their key policies, aliases,
 * and the AWS managed keys (alias/aws/<service>) that services create on first use. Data is not
 * really encrypted; what is enforced is who may use the key, as KMS decides it:
 * - the key policy must allow the caller, by naming it (a role, a service principal), or by naming
 *   the account's root principal, which delegates to IAM: then the caller's identity policies must
 *   allow the action too (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
 * - conditions see only the keys the calling service supplies (see `kmsCaller`);
 * - an AWS managed key lets in only principals of the account calling through its service
 *   (kms:CallerAccount and kms:ViaService), so a service principal such as EventBridge or SNS
 *   never gets in (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key).
 */
export class KmsService implements Service {
  readonly namespace = "kms";
  readonly resourceTypes = ["aws:kms/key:Key", "aws:kms/alias:Alias", "aws:kms/keyPolicy:KeyPolicy"] as const;
  private readonly keys = new Set<string>();
  private readonly keyIds = new Map<string, string>();
  private readonly aliases = new Map<string, string>();
  /** Keys named by resources that the deployment does not hold: their policies cannot be known. */
  readonly unknownKeys = new Set<string>();

  constructor(private readonly cloud: LocalCloud) {}

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const where = `${resource.type} "${resource.name}"`;
    switch (resource.type) {
      case "aws:kms/key:Key": {
        const arn: string = state.arn;
        this.keys.add(arn);
        this.keyIds.set(state.keyId ?? arn.split("/").pop(), arn);
        this.cloud.iam.putResourcePolicy(arn, "key-policy", inputs.policy ? parsePolicy(inputs.policy, `${where} policy`) : this.defaultPolicy());
        return;
      }
      case "aws:kms/keyPolicy:KeyPolicy": {
        const arn = this.keyArn(inputs.keyId);
        if (!arn) throw new AwsError("NotFoundException", `Key '${inputs.keyId}' does not exist`);
        this.cloud.iam.putResourcePolicy(arn, "key-policy", parsePolicy(inputs.policy, `${where} policy`));
        return;
      }
      case "aws:kms/alias:Alias": {
        const name: string = inputs.name ?? resource.name;
        if (!name.startsWith("alias/")) throw AwsError.validation(`Alias must start with the prefix "alias/".`);
        if (name.startsWith("alias/aws/")) throw new AwsError("NotAuthorizedException", "Cannot create alias with reserved prefix alias/aws/");
        const arn = this.keyArn(inputs.targetKeyId);
        if (!arn) throw new AwsError("NotFoundException", `Key '${inputs.targetKeyId}' does not exist`);
        this.aliases.set(name, arn);
        return;
      }
    }
  }

  /**
   * The key a resource's setting names (key id, key ARN, alias name or alias ARN), creating the
   * AWS managed key of `alias/aws/<service>` on first use as AWS does. Undefined for a key the
   * deployment does not hold.
   */
  keyArn(reference: string | undefined): string | undefined {
    if (!reference) return undefined;
    const aliasName = reference.startsWith("alias/") ? reference : /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(reference) ? reference.slice(reference.indexOf(":alias/") + 1) : undefined;
    if (aliasName) return this.aliases.get(aliasName) ?? (aliasName.startsWith("alias/aws/") ? this.managedKey(aliasName.slice("alias/aws/".length)) : undefined);
    if (this.keys.has(reference)) return reference;
    return this.keyIds.get(reference) ?? this.keyIds.get(reference.split("/").pop() ?? "");
  }

  /**
   * Whether `caller` may perform each of `actions` with the key `reference` names, when `service`
   * (`sqs`, `sns`, `dynamodb`, `kinesis`) calls KMS for it. Returns the AccessDenied reason of the
   * first action denied, or undefined when all are allowed (or the key is not one the deployment
   * holds: its policy is unknown here, and it is listed in `unknownKeys`).
   */
  deniedReason(reference: string, actions: string[], caller: Principal, service: string): string | undefined {
    const arn = this.keyArn(reference);
    if (!arn) {
      this.unknownKeys.add(reference);
      return undefined;
    }
    const { region } = this.cloud.identity;
    const context = {
      "kms:ViaService": `${service}.${region}.amazonaws.com`,
      // A role's account; a service principal calls from no account of ours.
      "kms:CallerAccount": caller.kind === "role" ? caller.arn.split(":")[4] : undefined,
    };
    for (const action of actions) {
      const decision = this.cloud.iam.authorize(caller, action, arn, context, { keyPolicy: true });
      if (!decision.allowed) return decision.reason;
    }
    return undefined;
  }

  /** AWS's default key policy: the account's root principal may do anything, which enables IAM policies. */
  private defaultPolicy(): Statement[] {
    const { partition, account } = this.cloud.identity;
    return [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }];
  }

  /**
   * The AWS managed key of a service: its policy lets any principal of the account use it through
   * that service only, and nobody else; nobody can change it.
   * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
   */
  private managedKey(service: string): string {
    const alias = `alias/aws/${service}`;
    const existing = this.aliases.get(alias);
    if (existing) return existing;
    const { partition, region, account } = this.cloud.identity;
    const arn = this.cloud.arn("kms", `key/aws-managed-${service}`);
    this.keys.add(arn);
    this.aliases.set(alias, arn);
    this.cloud.iam.putResourcePolicy(arn, "key-policy", [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use it`,
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `${service}.${region}.amazonaws.com` } },
      },
      { Sid: "Allow direct access to key metadata to the account", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: ["kms:Describe*", "kms:Get*", "kms:List*"], Resource: "*" },
    ]);
    return arn;
  }
}

/**
 * The principal KMS sees when a service uses a key for `from`. A role is itself. A service
 * principal (EventBridge delivering to a queue or topic, SNS to a queue) reaches KMS through the
 * target service, which passes no aws:SourceArn or aws:SourceAccount: the SNS page says these
 * conditions are not supported in the key policy when EventBridge publishes to an encrypted topic
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
 * and the SQS page's key policy for AWS event sources has none either
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services).
 */
export function kmsCaller(from: Principal): Principal {
  return from.kind === "service" ? { kind: "service", service: from.service } : from;
}

/**
 * Throws `denied(<AccessDenied message>)` unless `from` may perform `actions` with the key, as
 * `service` uses it for them; nothing to check when the resource has no KMS key.
 */
export function useKey(cloud: LocalCloud, keyReference: string | undefined, actions: string[], from: Principal, service: string, denied: (message: string) => Error): void {
  if (!keyReference || from.kind === "operator") return;
  let kms: KmsService;
  try {
    kms = cloud.service<KmsService>("kms");
  } catch {
    return; // a cloud assembled without KMS (a test of one service alone) checks no keys
  }
  const reason = kms.deniedReason(keyReference, actions, kmsCaller(from), service);
  if (reason) throw denied(`User: ${reason}`);
}
