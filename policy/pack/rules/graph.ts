/**
 * Lookups across one stack's resources: a queue by ARN or URL, a function by name or ARN, a role's
 * identity policies, a KMS key by ARN, id or alias.
 */
import { decide, parseDocument, Request, Statement } from "./iam-documents";
import { CannotTell, list, StackResource, T } from "./model";

/**
 * AWS managed policies that Lambda programs commonly attach, with the actions they grant on every
 * resource (as listed in https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html).
 * Others cannot be read offline: a rule that needs them cannot tell.
 */
const MANAGED: Record<string, string[]> = {
  AWSLambdaBasicExecutionRole: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
  AWSLambdaSQSQueueExecutionRole: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
  AWSLambdaKinesisExecutionRole: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
  AWSLambdaDynamoDBExecutionRole: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
  AWSXRayDaemonWriteAccess: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
};

export class StackGraph {
  private readonly byType = new Map<string, StackResource[]>();
  private readonly byArn = new Map<string, StackResource[]>();

  constructor(readonly resources: StackResource[]) {
    for (const r of resources) {
      this.byType.set(r.type, [...(this.byType.get(r.type) ?? []), r]);
      const arn = known(() => r.props.arn);
      // Components may expose the ARN of what they wrap: the AWS resource comes first.
      if (typeof arn === "string" && r.type.startsWith("aws:")) this.byArn.set(arn, [...(this.byArn.get(arn) ?? []), r]);
    }
  }

  of(type: string): StackResource[] {
    return this.byType.get(type) ?? [];
  }

  /** A resource of this stack by ARN, optionally of one type. */
  arn(arn: unknown, type?: string): StackResource | undefined {
    if (typeof arn !== "string") return undefined;
    return (this.byArn.get(arn) ?? []).find((r) => !type || r.type === type);
  }

  queue(reference: unknown): StackResource | undefined {
    return this.of(T.queue).find((q) => q.props.arn === reference || q.props.url === reference || q.props.id === reference);
  }

  /** A function by name, ARN or qualified ARN. */
  fn(reference: unknown): StackResource | undefined {
    if (typeof reference !== "string") return undefined;
    const name = reference.startsWith("arn:") ? reference.split(":")[6] : reference.split(":")[0];
    return this.of(T.fn).find((f) => f.props.name === name || f.props.arn === reference);
  }

  role(reference: unknown): StackResource | undefined {
    if (typeof reference !== "string") return undefined;
    return this.of(T.role).find((r) => r.props.arn === reference || r.props.name === reference);
  }

  /** A key of this stack by ARN, key id, or alias (name or ARN). */
  key(reference: unknown): StackResource | undefined {
    if (typeof reference !== "string") return undefined;
    const alias = this.of(T.alias).find((a) => a.props.name === reference || a.props.arn === reference || (reference.includes(":alias/") && reference.endsWith(`:${a.props.name}`)));
    const target = alias ? alias.props.targetKeyId : reference;
    return this.of(T.key).find((k) => k.props.arn === target || k.props.keyId === target || k.props.id === target);
  }

  /** The statements of every identity policy of a role, and the policies that cannot be read. */
  identityPolicies(role: StackResource): { statements: Statement[]; unreadable: string[] } {
    const name = role.props.name;
    const documents: unknown[] = [];
    const unreadable: string[] = [];
    for (const p of this.of(T.rolePolicy)) if (p.props.role === name || p.props.role === role.props.arn) documents.push(p.props.policy);
    for (const inline of list(role.props.inlinePolicies as { policy?: string }[])) if (inline?.policy) documents.push(inline.policy);
    const attached = [
      ...list(role.props.managedPolicyArns as string[]),
      ...this.of(T.attachment)
        .filter((a) => a.props.role === name || a.props.role === role.props.arn)
        .map((a) => a.props.policyArn as string),
    ];
    const statements: Statement[] = [];
    for (const arn of attached) {
      const own = this.arn(arn, T.policy);
      if (own) documents.push(own.props.policy);
      else if (typeof arn === "string" && arn.includes(":iam::aws:policy/") && MANAGED[arn.split("/").pop()!]) {
        statements.push({ Effect: "Allow", Action: MANAGED[arn.split("/").pop()!], Resource: "*" });
      } else unreadable.push(String(arn));
    }
    for (const doc of documents) statements.push(...parseDocument(doc, `a policy of role ${name}`).Statement);
    return { statements, unreadable };
  }

  /**
   * Does the role name this resource (not just "*") for `action`? A role granted "*" may never use
   * a given resource, so rules that infer intent from grants ask this.
   */
  roleNames(role: StackResource, action: string, resource: string): boolean {
    const statements = this.identityPolicies(role)
      .statements.filter((s) => s.Effect === "Allow" && s.Resource !== undefined)
      .map((s) => ({ ...s, Resource: list(s.Resource).filter((r) => r !== "*") }))
      .filter((s) => s.Resource.length > 0);
    return decide(statements, { action, resource }) !== false;
  }

  /** Does the role allow `action` on some resource? (For calls whose resource is chosen at run time.) */
  roleAllowsAnywhere(role: StackResource, action: string): true | false | "unknown" {
    const { statements, unreadable } = this.identityPolicies(role);
    const granted = statements.some((s) => s.Effect === "Allow" && decide([{ ...s, Resource: "*", NotResource: undefined, Condition: undefined }], { action, resource: "*" }) === true);
    return granted ? true : unreadable.length > 0 ? "unknown" : false;
  }

  /** Does the role's identity allow `action` on `resource`? "unknown" if it depends on what cannot be read. */
  roleAllows(role: StackResource, action: string, resource: string, context?: Request["context"]): true | false | "unknown" {
    const { statements, unreadable } = this.identityPolicies(role);
    // Conditions of identity policies (events:source, ...) are the caller's to meet: they count as met.
    const decision = decide(statements, { action, resource, context });
    if (decision === "unknown") return true;
    return decision === false && unreadable.length > 0 ? "unknown" : decision;
  }
}

/** Reads a property that may be unknown (the policy engine's proxy throws on unknown values). */
export function known<X>(read: () => X): X | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A required string property; throws CannotTell if it is not a known string. */
export function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new CannotTell(`${what} is not a known string (${value === undefined ? "absent or unresolved" : typeof value})`);
  return value;
}
