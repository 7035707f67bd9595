import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus, logicalNameOf } from "./bus-ref";
import { BundledFunction } from "./bundled-function";
import { DeploymentContext } from "./context";
import { EncryptionKey } from "./encryption-key";
import { busRulesCondition, policyJson, PolicyStatement, serviceTrustPolicy } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";
import { NAMES, nameFits } from "@event-routes/aws-model";
import { Queue } from "./queue";
import { TargetInput } from "./target-input";
import { Topic } from "./topic";
import { Workflow } from "./workflow";

/** How EventBridge retries a failed delivery before it gives the event to the dead-letter queue. */
export interface RetryPolicy {
  /** 0 to 185 (AWS's default: 185). */
  maximumRetryAttempts: number;
  /** 60 to 86,400 seconds (AWS's default: 86,400). */
  maximumEventAgeInSeconds: number;
}

export interface TargetOptions {
  /** Target id within the rule (default: derived from the target's name). */
  id?: string;
  /** What the target receives (default: the matched event). */
  input?: TargetInput;
  /** Retries of a failed delivery. Default: the bus's default retry policy. */
  retry?: RetryPolicy;
  /** A standard queue that accepts events from the bus (default: the bus's target DLQ). */
  deadLetterQueue?: Queue;
}

/** What a route offers its targets while they bind: the bus, and the bus's shared grants. */
export interface RouteScope {
  readonly bus: EventSourceBus;
  /** Human-readable name of the route, for error messages. */
  readonly where: string;
  readonly context: DeploymentContext;
  /**
   * One resource per (bus, target resource, kind), however many routes need it: a Lambda
   * permission or a delivery role is shared by all routes of a bus to the same target.
   */
  shared<T extends pulumi.Resource>(target: object, kind: string, create: (opts: pulumi.CustomResourceOptions) => T): T;
}

/** What a bound target contributes to its `aws.cloudwatch.EventTarget`. */
export interface TargetBinding {
  arn: pulumi.Input<string>;
  roleArn?: pulumi.Input<string>;
  sqsTarget?: { messageGroupId: string };
  kinesisTarget?: { partitionKeyPath: string };
  /** Grants that must exist before EventBridge delivers. */
  grants: pulumi.Resource[];
}

/** A destination of a route's events. It knows how to grant itself exactly what delivery needs. */
export interface RouteTarget {
  readonly kind: "lambda" | "sqs" | "step-functions" | "sns" | "kinesis" | "event-bus";
  /** Name of the target resource, used for target ids. */
  readonly name: string;
  readonly options: TargetOptions;
  bind(scope: RouteScope): TargetBinding;
}

type LambdaLike = BundledFunction | aws.lambda.Function;

/** Invoke a Lambda function asynchronously. Grants one permission per bus, confined to its rules. */
export function lambdaTarget(fn: LambdaLike, options: TargetOptions = {}): RouteTarget {
  const resource = fn instanceof BundledFunction ? fn.function : fn;
  return {
    kind: "lambda",
    name: logicalNameOf(fn),
    options,
    bind(scope) {
      const permission = scope.shared(resource, "invoke", (opts) =>
        new aws.lambda.Permission(
          `${scope.bus.logicalName}-invokes-${logicalNameOf(fn)}`,
          {
            action: "lambda:InvokeFunction",
            function: resource.name,
            principal: "events.amazonaws.com",
            sourceArn: scope.bus.ruleArnPattern,
            sourceAccount: scope.bus.account,
          },
          opts,
        ),
      );
      return { arn: resource.arn, grants: [permission] };
    },
  };
}

/**
 * Send to an SQS queue. A FIFO queue needs a message group id (EventBridge takes it as a constant)
 * and content-based deduplication, so that a retried delivery of one event is stored once.
 */
export function queueTarget(queue: Queue, options: TargetOptions & { messageGroupId?: string } = {}): RouteTarget {
  return {
    kind: "sqs",
    name: queue.logicalName,
    options,
    bind(scope) {
      queue.assertAcceptsEventsFrom(scope.bus, scope.where);
      if (queue.fifo) {
        if (!options.messageGroupId) {
          throw new Error(`${scope.where}: FIFO queue "${queue.logicalName}" needs a messageGroupId; EventBridge drops events sent without one`);
        }
        if (!nameFits(NAMES.sqsMessageGroupId, options.messageGroupId)) {
          throw new Error(`${scope.where}: messageGroupId "${options.messageGroupId}" must be 1 to 128 printable ASCII characters`);
        }
        if (!queue.contentBasedDeduplication) {
          throw new Error(`${scope.where}: FIFO queue "${queue.logicalName}" needs contentBasedDeduplication to receive events from EventBridge`);
        }
      } else if (options.messageGroupId) {
        throw new Error(`${scope.where}: messageGroupId applies to FIFO queues only; "${queue.logicalName}" is a standard queue`);
      }
      return {
        arn: queue.arn,
        sqsTarget: options.messageGroupId ? { messageGroupId: options.messageGroupId } : undefined,
        grants: [queue.policy],
      };
    },
  };
}

/** Publish to an SNS topic. */
export function topicTarget(topic: Topic, options: TargetOptions = {}): RouteTarget {
  return {
    kind: "sns",
    name: topic.logicalName,
    options,
    bind(scope) {
      topic.assertAcceptsEventsFrom(scope.bus, scope.where);
      if (options.input?.quotedText) {
        throw new Error(`${scope.where}: TargetInput.text renders a JSON string, which subscribers of topic "${topic.logicalName}" would receive with its quotes; use TargetInput.plainText`);
      }
      return { arn: topic.arn, grants: [topic.policy] };
    },
  };
}

/** Start a Step Functions execution, through a role allowed to start this state machine only. */
export function workflowTarget(workflow: Workflow | aws.sfn.StateMachine, options: TargetOptions = {}): RouteTarget {
  const machine = workflow instanceof Workflow ? workflow.stateMachine : workflow;
  return {
    kind: "step-functions",
    name: logicalNameOf(workflow),
    options,
    bind(scope) {
      const role = deliveryRole(scope, machine, logicalNameOf(workflow), [
        { Effect: "Allow", Action: "states:StartExecution", Resource: machine.arn },
      ]);
      return { arn: machine.arn, roleArn: role.role.arn, grants: [role.policy] };
    },
  };
}

/**
 * Put records on a Kinesis stream, partitioned by a JSONPath of the event (default: the event id,
 * which spreads events evenly; choose an entity id to keep one entity's events in order).
 */
export function streamTarget(
  stream: aws.kinesis.Stream,
  options: TargetOptions & { partitionKeyPath?: string; encryptionKey?: EncryptionKey } = {},
): RouteTarget {
  return {
    kind: "kinesis",
    name: logicalNameOf(stream),
    options,
    bind(scope) {
      const statements: pulumi.Input<PolicyStatement>[] = [{ Effect: "Allow", Action: "kinesis:PutRecord", Resource: stream.arn }];
      if (options.encryptionKey) {
        statements.push({ Effect: "Allow", Action: "kms:GenerateDataKey", Resource: options.encryptionKey.arn });
      }
      const role = deliveryRole(scope, stream, logicalNameOf(stream), statements);
      return { arn: stream.arn, roleArn: role.role.arn, kinesisTarget: { partitionKeyPath: options.partitionKeyPath ?? "$.id" }, grants: [role.policy] };
    },
  };
}

/**
 * Forward to another event bus, in this or another account or region. A bus in another account
 * must itself allow this account (its bus policy); this side grants the delivery role only.
 */
export function busTarget(bus: EventSourceBus | { arn: string; name: string }, options: TargetOptions = {}): RouteTarget {
  const key = "logicalName" in bus ? bus : externalBusKey(bus.arn);
  return {
    kind: "event-bus",
    name: "logicalName" in bus ? bus.logicalName : bus.name,
    options,
    bind(scope) {
      if (key === scope.bus) throw new Error(`${scope.where}: a rule cannot forward to its own bus (the event would loop)`);
      const targetName = "logicalName" in bus ? bus.logicalName : bus.name;
      const role = deliveryRole(scope, key, `bus-${targetName}`, [{ Effect: "Allow", Action: "events:PutEvents", Resource: bus.arn }]);
      return { arn: bus.arn, roleArn: role.role.arn, grants: [role.policy] };
    },
  };
}

/**
 * One key object per external bus ARN: grants are shared per target object, so two routes to the
 * same bus given by ARN share one role instead of registering two with the same name.
 */
const externalBusKeys = new Map<string, object>();
function externalBusKey(arn: string): object {
  let key = externalBusKeys.get(arn);
  if (!key) externalBusKeys.set(arn, (key = { arn }));
  return key;
}

/** The role EventBridge assumes to deliver from this bus to one target resource, shared by all routes. */
function deliveryRole(scope: RouteScope, target: object, targetName: string, statements: pulumi.Input<PolicyStatement>[]) {
  const name = `${scope.bus.logicalName}-to-${targetName}`;
  const role = scope.shared(target, "delivery-role", (opts) =>
    new aws.iam.Role(
      name,
      {
        name: physicalName([scope.context.namePrefix, name], NAME_LIMITS.role),
        assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", busRulesCondition(scope.bus)),
        tags: scope.context.tags,
      },
      opts,
    ),
  );
  const policy = scope.shared(target, "delivery-policy", (opts) =>
    new aws.iam.RolePolicy(name, { role: role.id, policy: policyJson(statements) }, opts),
  );
  return { role, policy };
}
