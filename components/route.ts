import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeploymentContext } from "./context";
import { EventPattern, validateEventPattern } from "@event-routes/event-pattern";
import { NAME_LIMITS, physicalName } from "./naming";
import { Queue } from "./queue";
import { RetryPolicy, RouteScope, RouteTarget } from "./targets";
import { assertInteger } from "./validation";

/** AWS allows at most five targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;

export interface RouteArgs {
  /** The rule's description (at most 512 characters). Default: none. */
  description?: string;
  /** Events to route. Validated here with AWS's rules, so a bad pattern fails before deployment. No default: give a pattern or a schedule. */
  pattern?: EventPattern;
  /** A `rate(...)` or `cron(...)` schedule instead of a pattern (default bus only, as in AWS). No default: give a pattern or a schedule. */
  schedule?: string;
  /** Whether the rule is enabled. Default: true. */
  enabled?: boolean;
  /** One to five destinations. Required. */
  targets: RouteTarget[];
}

/** What a route needs from the bus it belongs to. */
export interface RouteHost {
  readonly logicalName: string;
  readonly name: pulumi.Output<string>;
  /** How rules name their bus: the name, or the ARN for a bus attached by ARN (it may be another account's). */
  readonly ruleBusReference: pulumi.Output<string>;
  readonly isDefaultBus: boolean;
  readonly defaultRetry: RetryPolicy;
  readonly context: DeploymentContext;
  /** The bus's shared dead-letter queue for targets, created on first use. */
  targetDeadLetterQueue(): Queue;
  scope(where: string): RouteScope;
}

/**
 * One EventBridge rule and its targets. Every target gets a retry policy and a dead-letter queue,
 * and the grant delivery needs; nothing a route declares can be dropped silently by AWS.
 */
export class Route extends pulumi.ComponentResource {
  readonly logicalName: string;
  readonly rule: aws.cloudwatch.EventRule;
  readonly targets: aws.cloudwatch.EventTarget[];

  constructor(name: string, args: RouteArgs & { host: RouteHost }, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:Route", name, {}, opts);
    this.logicalName = name;
    const { host } = args;
    const where = `Route "${name}" on bus "${host.logicalName}"`;
    validateRouteArgs(where, args, host);

    this.rule = new aws.cloudwatch.EventRule(
      name,
      {
        name: physicalName([host.context.namePrefix, name], NAME_LIMITS.rule),
        eventBusName: host.ruleBusReference,
        description: args.description,
        eventPattern: args.pattern ? JSON.stringify(args.pattern) : undefined,
        scheduleExpression: args.schedule,
        state: args.enabled === false ? "DISABLED" : "ENABLED",
        tags: host.context.tags,
      },
      { parent: this },
    );

    const scope = host.scope(where);
    const ids = new Set<string>();
    this.targets = args.targets.map((target) => {
      const id = target.options.id ?? physicalName([target.kind, target.name], NAME_LIMITS.targetId);
      if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(id)) throw new Error(`${where}: target id "${id}" must be 1 to 64 of A-Z a-z 0-9 . - _`);
      if (ids.has(id)) throw new Error(`${where}: two targets have the id "${id}"; give one an explicit id`);
      ids.add(id);

      const binding = target.bind(scope);
      const deadLetterQueue = target.options.deadLetterQueue ?? host.targetDeadLetterQueue();
      deadLetterQueue.assertAcceptsEventsFrom(scope.bus, `${where} (dead-letter queue of target "${id}")`);
      if (deadLetterQueue.fifo) throw new Error(`${where}: target "${id}" has FIFO dead-letter queue "${deadLetterQueue.logicalName}"; EventBridge needs a standard queue`);
      const retry = target.options.retry ?? host.defaultRetry;
      validateRetry(`${where}, target "${id}"`, retry);
      const input = target.options.input?.rendered ?? {};

      return new aws.cloudwatch.EventTarget(
        `${name}-${id}`,
        {
          rule: this.rule.name,
          eventBusName: host.ruleBusReference,
          targetId: id,
          arn: binding.arn,
          roleArn: binding.roleArn,
          sqsTarget: binding.sqsTarget,
          kinesisTarget: binding.kinesisTarget,
          retryPolicy: retry,
          deadLetterConfig: { arn: deadLetterQueue.arn },
          ...input,
        },
        // Without its grant in place first, AWS accepts the target and then drops every event.
        { parent: this, dependsOn: [...binding.grants, deadLetterQueue.policy] },
      );
    });
    this.registerOutputs({ ruleArn: this.rule.arn, ruleName: this.rule.name });
  }
}

function validateRouteArgs(where: string, args: RouteArgs, host: RouteHost): void {
  if (args.targets.length === 0) throw new Error(`${where}: a route needs at least one target`);
  if (args.targets.length > MAX_TARGETS_PER_RULE) {
    throw new Error(`${where}: ${args.targets.length} targets; an EventBridge rule has at most ${MAX_TARGETS_PER_RULE}. Split it into several routes with the same pattern`);
  }
  if ((args.pattern === undefined) === (args.schedule === undefined)) {
    throw new Error(`${where}: give exactly one of pattern and schedule`);
  }
  if (args.pattern !== undefined) {
    try {
      validateEventPattern(args.pattern);
    } catch (error) {
      throw new Error(`${where}: invalid event pattern: ${(error as Error).message}`, { cause: error });
    }
  }
  if (args.schedule !== undefined) {
    if (!host.isDefaultBus) throw new Error(`${where}: schedules run on the default event bus only (AWS rejects them on custom buses)`);
    if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/.test(args.schedule)) {
      throw new Error(`${where}: schedule "${args.schedule}" is neither rate(N unit) nor cron(6 fields)`);
    }
  }
  if (args.description !== undefined && args.description.length > 512) {
    throw new Error(`${where}: description is ${args.description.length} characters; AWS allows 512`);
  }
}

function validateRetry(where: string, retry: RetryPolicy): void {
  assertInteger(where, "maximumRetryAttempts", retry.maximumRetryAttempts, 0, 185);
  assertInteger(where, "maximumEventAgeInSeconds", retry.maximumEventAgeInSeconds, 60, 86_400);
}
