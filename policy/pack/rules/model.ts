/**
 * What every rule works on: the resources of one stack (type, logical name, properties), as the
 * Pulumi engine hands them to a policy pack and as the recording mocks register them offline.
 */

// Resource properties are untyped JSON: each rule reads the fields of its resource type.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Props = Record<string, any>;

export interface StackResource {
  type: string;
  /** The logical name given in the program. */
  name: string;
  urn?: string;
  props: Props;
}

/**
 * `mandatory`: AWS rejects it at deploy time, or it deploys and silently drops, denies or loses
 * events. `advisory`: hardening (alarms, extra conditions, retention) and shapes a rule cannot
 * evaluate.
 */
export type Severity = "mandatory" | "advisory";

export interface Finding {
  rule: string;
  severity: Severity;
  resource: string;
  type: string;
  message: string;
  urn?: string;
}

export interface RuleContext {
  graph: import("./graph").StackGraph;
  /** The resource the rule is looking at. */
  subject: StackResource;
  /**
   * Reports what is wrong, why, and how to fix it, on each resource given (default: the subject):
   * a defect between two resources is reported on both, since either may be the one to fix.
   */
  report(message: string, ...resources: StackResource[]): void;
  /** Reports that this rule cannot tell (an unknown value, a shape it does not know): advisory. */
  cannotTell(message: string, resource?: StackResource): void;
}

export interface Rule {
  name: string;
  severity: Severity;
  /** One line: what the rule enforces. */
  description: string;
  /** The AWS documentation page the rule comes from. */
  docs: string;
  /** Resource types the rule looks at, one at a time. */
  subjects: readonly string[];
  check(subject: StackResource, context: RuleContext): void;
}

/** Resource type tokens of @pulumi/aws. */
export const T = {
  bus: "aws:cloudwatch/eventBus:EventBus",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  archive: "aws:cloudwatch/eventArchive:EventArchive",
  busPolicy: "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
  permissionOnBus: "aws:cloudwatch/eventPermission:EventPermission",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  stream: "aws:kinesis/stream:Stream",
  table: "aws:dynamodb/table:Table",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  deliverySource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  deliveryDestination: "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  delivery: "aws:cloudwatch/logDelivery:LogDelivery",
} as const;

/** A value that is not a plain known value: a rule reading it cannot decide. */
export class CannotTell extends Error {}

export const list = <X>(v: X | X[] | undefined | null): X[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** The service of an ARN (`arn:aws:sqs:...` → `sqs`), or undefined if `value` is not an ARN. */
export const serviceOf = (arn: unknown): string | undefined => (typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":")[2] : undefined);

/** A property that is set: the engine reports unset strings as "" in outputs. */
export const given = (value: unknown): boolean => value !== undefined && value !== null && value !== "";
