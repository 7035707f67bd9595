/**
 * KMS: key settings, roles that use an encrypted resource without the key, key policies that shut
 * out the service that must use the key, and AWS managed keys where a service principal encrypts.
 */
import { NAMES, RANGES, nameFits } from "@event-routes/aws-model";
import { inRange } from "./formats";
import { busNameOf, ruleOfTarget } from "./eventbridge";
import { known, str } from "./graph";
import { decide, parseDocument, principals } from "./iam-documents";
import { list, Rule, RuleContext, StackResource, T } from "./model";

/** The key reference of an encrypted resource, if it has one. */
export function keyOf(resource: StackResource): string | undefined {
  switch (resource.type) {
    case T.queue:
    case T.topic:
      return resource.props.kmsMasterKeyId ?? undefined;
    case T.table:
      return resource.props.serverSideEncryption?.enabled ? (resource.props.serverSideEncryption?.kmsKeyArn ?? "alias/aws/dynamodb") : undefined;
    case T.stream:
      return resource.props.encryptionType === "KMS" ? (resource.props.kmsKeyId ?? undefined) : undefined;
    case T.bus:
      return resource.props.kmsKeyIdentifier ?? undefined;
    case T.logGroup:
      return resource.props.kmsKeyId || undefined;
    default:
      return undefined;
  }
}

const isAwsManaged = (reference: string) => /(^|:)alias\/aws\//.test(reference);

/** KMS actions a principal needs when it calls `action` on a resource encrypted with a customer key. */
function keyActionsFor(type: string, action: string): string[] {
  const a = action.toLowerCase();
  if (type === T.queue) {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    if (a === "sqs:sendmessage") return ["kms:GenerateDataKey", "kms:Decrypt"];
    if (a === "sqs:receivemessage") return ["kms:Decrypt"];
  }
  if (type === T.topic && a === "sns:publish") return ["kms:GenerateDataKey", "kms:Decrypt"]; // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
  if (type === T.stream) {
    // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
    if (a === "kinesis:putrecord" || a === "kinesis:putrecords") return ["kms:GenerateDataKey"];
    if (a === "kinesis:getrecords") return ["kms:Decrypt"];
  }
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
  if (type === T.table && /^dynamodb:(getitem|putitem|updateitem|deleteitem|query|scan|batchgetitem|batchwriteitem)$/.test(a)) return ["kms:Decrypt"];
  return [];
}

const ACTIONS_BY_TYPE: Record<string, string[]> = {
  [T.queue]: ["sqs:SendMessage", "sqs:ReceiveMessage"],
  [T.topic]: ["sns:Publish"],
  [T.stream]: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:GetRecords"],
  [T.table]: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"],
};

/** Does the key policy let `principal` call `action`? (The account root delegates to IAM.) */
function keyPolicyAllows(key: StackResource, principal: { Service?: string; AWS?: string }, action: string, context: Record<string, string> = {}, contextUnknown = false): boolean | "unknown" {
  const policy = known(() => key.props.policy);
  if (policy === undefined || policy === null || policy === "") {
    // The default key policy gives the account (IAM) full access, and no service principal.
    return principal.AWS ? true : false;
  }
  const statements = parseDocument(policy, "the key policy").Statement;
  return decide(statements, { principal, action, resource: str(key.props.arn, "the key's ARN"), context, contextUnknown });
}

export const kmsRules: Rule[] = [
  {
    name: "kms-key-settings",
    severity: "mandatory",
    description: "A key's deletion window is 7-30 days, its policy is at most 32 KB and lets someone manage the key (the lockout safety check), only symmetric keys rotate, and aliases are alias/<name> outside alias/aws/",
    docs: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
    subjects: [T.key, T.alias],
    check(key, context) {
      if (key.type === T.alias) {
        // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
        const name = key.props.name;
        if (typeof name === "string" && (!nameFits(NAMES.kmsAlias, name) || name.startsWith("alias/aws/"))) context.report(`alias "${name}" is refused: an alias is alias/<name> of [a-zA-Z0-9/_-], at most 256 characters, and alias/aws/ is reserved for AWS. Rename it.`);
        return;
      }
      inRange(context, key.props.deletionWindowInDays, RANGES.kms.deletionWindowDays, "deletionWindowInDays");
      const spec = key.props.customerMasterKeySpec ?? key.props.keySpec ?? "SYMMETRIC_DEFAULT";
      if (key.props.enableKeyRotation && spec !== "SYMMETRIC_DEFAULT") context.report(`enableKeyRotation on a ${spec} key: KMS rotates only symmetric encryption keys and refuses it. Turn rotation off or use SYMMETRIC_DEFAULT.`);
      const policy = key.props.policy;
      if (policy === undefined || policy === null || policy === "") return;
      if (Buffer.byteLength(str(policy, "policy")) > 32768) context.report(`the key policy is ${Buffer.byteLength(policy)} bytes; KMS allows 32,768. Shorten it.`);
      if (key.props.bypassPolicyLockoutSafetyCheck) return;
      const statements = parseDocument(policy, "the key policy").Statement;
      const manages = statements.some((s) => s.Effect === "Allow" && principals(s, "AWS").length > 0 && list(s.Action).some((a) => /^(kms:\*|kms:PutKeyPolicy|\*)$/i.test(a)));
      if (!manages) context.report("no statement lets an IAM principal kms:PutKeyPolicy: KMS's lockout safety check refuses a policy that would make the key unmanageable (MalformedPolicyDocumentException). Let the account root (arn:aws:iam::<account>:root) have kms:*.");
    },
  },
  {
    name: "kms-role-key-access",
    severity: "mandatory",
    description: "A role that reads or writes a resource encrypted with a customer managed key may use the key (IAM policy and key policy)",
    docs: "https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html",
    subjects: [T.role],
    check(role, context) {
      const roleArn = str(role.props.arn, "the role's ARN");
      for (const type of Object.keys(ACTIONS_BY_TYPE)) {
        for (const resource of context.graph.of(type)) {
          const keyReference = keyOf(resource);
          if (!keyReference || isAwsManaged(keyReference)) continue;
          const arn = known(() => resource.props.arn);
          if (typeof arn !== "string") continue;
          const needed = new Set<string>();
          for (const action of ACTIONS_BY_TYPE[type]) {
            if (context.graph.roleNames(role, action, arn)) for (const k of keyActionsFor(type, action)) needed.add(k);
          }
          if (needed.size === 0) continue;
          const key = context.graph.key(keyReference);
          if (!key) {
            context.cannotTell(`${resource.name} is encrypted with key ${keyReference}, which is not a key of this program`);
            continue;
          }
          const keyArn = str(key.props.arn, "the key's ARN");
          for (const kmsAction of needed) {
            const iam = context.graph.roleAllows(role, kmsAction, keyArn);
            const keyPolicy = keyPolicyAllows(key, { AWS: roleArn }, kmsAction);
            if (iam === false || keyPolicy === false) {
              context.report(`role ${role.props.name} uses ${resource.name} (encrypted with key ${key.name}) but ${iam === false ? "its policies do not allow" : "the key policy does not allow it"} ${kmsAction} on the key: every call fails with KMS AccessDenied. Grant ${[...needed].join(" and ")} on ${keyArn}.`);
              break;
            }
          }
        }
      }
    },
  },
  {
    name: "kms-service-access",
    severity: "mandatory",
    description: "Where a service encrypts for you (EventBridge to a queue, topic or encrypted bus; SNS to a queue; CloudWatch alarms to a topic; CloudWatch Logs for a log group), the key is a customer managed key whose policy lets that service use it",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html",
    subjects: [T.queue, T.topic, T.bus, T.logGroup],
    check(resource, context) {
      const keyReference = keyOf(resource);
      if (!keyReference) return;
      for (const user of serviceUsers(resource, context)) {
        if (isAwsManaged(keyReference)) {
          context.report(`${user.why}, but ${resource.name} is encrypted with the AWS managed key ${keyReference}, whose policy cannot be changed to let ${user.service} use it: the deliveries fail silently. Use a customer managed key that grants ${user.service} kms:GenerateDataKey and kms:Decrypt.`);
          continue;
        }
        const key = context.graph.key(keyReference);
        if (!key) {
          context.cannotTell(`${resource.name} is encrypted with key ${keyReference}, which is not a key of this program`);
          continue;
        }
        for (const action of user.actions) {
          const allowed = keyPolicyAllows(key, { Service: user.service }, action, user.context, user.contextUnknown);
          if (allowed === false) {
            context.report(`${user.why}, but the policy of key ${key.name} does not let ${user.service} ${action}: the deliveries fail and the events are lost. Add a key policy statement for ${user.service} with ${user.actions.join(", ")}.`, key, resource);
            break;
          }
          if (allowed === "unknown") {
            context.cannotTell(`${user.why}; the policy of key ${key.name} lets ${user.service} ${action} only under conditions AWS does not document ${user.service} supplying on this path`, key);
            break;
          }
        }
      }
    },
  },
];

interface ServiceUser {
  service: string;
  why: string;
  actions: string[];
  context?: Record<string, string>;
  contextUnknown?: boolean;
}

/** Services that encrypt or decrypt with this resource's key on the program's behalf. */
function serviceUsers(resource: StackResource, context: RuleContext): ServiceUser[] {
  const users: ServiceUser[] = [];
  const arn = known(() => resource.props.arn);
  const rules = context.graph.of(T.rule);
  if (resource.type === T.queue || resource.type === T.topic) {
    for (const target of context.graph.of(T.target)) {
      const asTarget = target.props.arn === arn;
      const asDlq = resource.type === T.queue && target.props.deadLetterConfig?.arn === arn;
      if (!asTarget && !asDlq) continue;
      const rule = known(() => ruleOfTarget(target, rules).rule);
      // EventBridge reaches the key through SQS or SNS, which pass it no aws:SourceArn or
      // aws:SourceAccount: the SNS page says these conditions are not supported in the key policy
      // when EventBridge publishes to an encrypted topic, and the SQS page's statement for AWS event
      // sources has none. A statement that requires them never matches (the local cloud enforces
      // the same).
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
      users.push({
        service: "events.amazonaws.com",
        why: `rule ${rule?.props.name ?? target.props.rule} delivers to ${resource.name}${asDlq ? " (as its dead-letter queue)" : ""}`,
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        context: {},
      });
      break;
    }
  }
  if (resource.type === T.queue) {
    const subscribed = context.graph.of(T.subscription).find((s) => s.props.protocol === "sqs" && s.props.endpoint === arn);
    if (subscribed) users.push({ service: "sns.amazonaws.com", why: `topic ${subscribed.props.topic} delivers to ${resource.name}`, actions: ["kms:GenerateDataKey", "kms:Decrypt"], contextUnknown: true });
  }
  if (resource.type === T.topic) {
    const alarm = context.graph.of(T.alarm).find((a) => [...list(a.props.alarmActions), ...list(a.props.okActions), ...list(a.props.insufficientDataActions)].includes(arn));
    if (alarm) users.push({ service: "cloudwatch.amazonaws.com", why: `alarm ${alarm.name} notifies ${resource.name}`, actions: ["kms:GenerateDataKey", "kms:Decrypt"], contextUnknown: true });
  }
  if (resource.type === T.logGroup && typeof arn === "string") {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    const groupArn = arn.replace(/:\*$/, "");
    users.push({
      service: `logs.${arn.split(":")[3]}.amazonaws.com`,
      why: `log group ${resource.props.name} is encrypted with a customer managed key (CreateLogGroup fails otherwise)`,
      actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
      context: { "kms:encryptioncontext:aws:logs:arn": groupArn },
      contextUnknown: true,
    });
  }
  if (resource.type === T.bus && arn) {
    // EventBridge supplies aws:SourceArn, aws:SourceAccount and the bus ARN in the encryption context (eb-encryption-key-policy).
    users.push({
      service: "events.amazonaws.com",
      why: `bus ${busNameOf(resource.props.name)} is encrypted with a customer managed key`,
      actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
      context: { "aws:sourcearn": arn, "aws:sourceaccount": arn.split(":")[4], "kms:encryptioncontext:aws:events:event-bus:arn": arn },
    });
  }
  return users;
}
