import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus, ruleArnPatternOf } from "./bus-ref";
import { DeploymentContext, stackContext } from "./context";
import { EncryptionKey } from "./encryption-key";
import { EventPattern, validateEventPattern } from "@event-routes/event-pattern";
import { parseArn, policyJson, PolicyStatement } from "./iam";
import { NAME_LIMITS, assertNameWithin, physicalName } from "./naming";
import { Queue, QueueEncryption } from "./queue";
import { Route, RouteArgs, RouteHost } from "./route";
import { RetryPolicy, RouteScope } from "./targets";
import { assertLogRetention } from "./validation";

export interface ArchiveArgs {
  /** Days to keep events; 0 keeps them indefinitely. Required. */
  retentionDays: number;
  /** Events to archive. Default: all events of the bus. */
  pattern?: EventPattern;
}

export interface BusLoggingArgs {
  /** The log level: ERROR, INFO or TRACE, each recording more than the one before. Required. */
  level: "ERROR" | "INFO" | "TRACE";
  /** Include event detail in log records (may contain personal data). Required. */
  includeDetail: boolean;
  /** Days the bus's log group keeps its records. Required. */
  retentionDays: number;
}

export interface EventBusArgs {
  /**
   * Attach to a bus created elsewhere (by name in this account and region, or by ARN) instead of
   * creating one: routes, grants and the target DLQ are then created here, the bus is not.
   * Default: a new bus is created.
   */
  existing?: { name: string } | { arn: string };
  /** Name of a new bus. Default: `<prefix>-<logical name>`. */
  busName?: string;
  /** The new bus's description. Default: none. */
  description?: string;
  /** Archive of the bus's events, for replays. Default: none. */
  archive?: ArchiveArgs;
  /** Customer-managed key for the bus's events at rest. Default: none (an AWS owned key). */
  encryptionKey?: EncryptionKey;
  /** Other principals allowed to put events on this bus. Default: none (this account only). */
  allowPutEventsFrom?: { accounts?: string[]; organizationId?: string };
  /** The bus's own logs (EventBridge logging to CloudWatch Logs). Default: none. */
  logging?: BusLoggingArgs;
  /** Retry policy of every target that does not set its own. Default: AWS's ({@link AWS_DEFAULT_RETRY}: 185 retries over 24 hours). */
  defaultRetry?: RetryPolicy;
  /** Encryption of the shared dead-letter queue of this bus's targets. Default: SQS-managed (SSE-SQS). */
  deadLetterEncryption?: QueueEncryption;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/** The log types of a bus, from the least to the most detailed level. */
const BUS_LOG_TYPES = ["ERROR_LOGS", "INFO_LOGS", "TRACE_LOGS"] as const;

/** AWS's defaults: retry for 24 hours, up to 185 times. */
export const AWS_DEFAULT_RETRY: RetryPolicy = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

/**
 * An EventBridge event bus (new or attached), with its archive, policy, logging and routes. Every
 * route to a target resource shares one grant per bus, so resource policies stay a constant size
 * as routes grow to the 300-rules-per-bus quota.
 */
export class EventBus extends pulumi.ComponentResource implements EventSourceBus, RouteHost {
  readonly logicalName: string;
  readonly name: pulumi.Output<string>;
  readonly ruleBusReference: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly ruleArnPattern: pulumi.Output<string>;
  readonly account: pulumi.Output<string>;
  readonly isDefaultBus: boolean;
  readonly defaultRetry: RetryPolicy;
  readonly context: DeploymentContext;
  readonly bus?: aws.cloudwatch.EventBus;
  readonly archive?: aws.cloudwatch.EventArchive;
  readonly policy?: aws.cloudwatch.EventBusPolicy;
  readonly logGroup?: aws.cloudwatch.LogGroup;
  readonly routes: Route[] = [];
  private deadLetterQueue?: Queue;
  private readonly deadLetterEncryption?: QueueEncryption;
  private readonly grants = new Map<object, Map<string, pulumi.Resource>>();

  constructor(name: string, args: EventBusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:EventBus", name, {}, opts);
    this.logicalName = name;
    this.context = args.context ?? stackContext();
    this.defaultRetry = args.defaultRetry ?? AWS_DEFAULT_RETRY;
    this.deadLetterEncryption = args.deadLetterEncryption;
    const where = `EventBus "${name}"`;

    if (args.existing) {
      const extra = (["busName", "archive", "encryptionKey", "allowPutEventsFrom", "logging"] as const).filter((k) => args[k] !== undefined);
      if (extra.length > 0) throw new Error(`${where}: ${extra.join(", ")} cannot be set on an existing bus; configure them where the bus is created`);
      const arn = "arn" in args.existing ? pulumi.output(args.existing.arn) : this.arnInThisAccount(args.existing.name);
      this.arn = arn.apply((a) => {
        ruleArnPatternOf(a); // fails early on a malformed ARN
        return a;
      });
      this.name = this.arn.apply((a) => a.slice(a.indexOf(":event-bus/") + ":event-bus/".length));
      this.ruleBusReference = "arn" in args.existing ? this.arn : this.name;
      this.isDefaultBus = "name" in args.existing ? args.existing.name === "default" : args.existing.arn.endsWith(":event-bus/default");
    } else {
      const busName = args.busName ?? physicalName([this.context.namePrefix, name], NAME_LIMITS.eventBus);
      assertNameWithin("eventBus", busName);
      if (busName === "default" || busName.startsWith("aws.")) throw new Error(`${where}: "${busName}" is reserved by AWS`);
      args.encryptionKey?.assertUsableBy("events", where);
      this.bus = new aws.cloudwatch.EventBus(
        name,
        {
          name: busName,
          description: args.description,
          kmsKeyIdentifier: args.encryptionKey?.arn,
          logConfig: args.logging ? { level: args.logging.level, includeDetail: args.logging.includeDetail ? "FULL" : "NONE" } : undefined,
          tags: this.context.tags,
        },
        { parent: this },
      );
      this.arn = this.bus.arn;
      this.name = this.bus.name;
      this.ruleBusReference = this.name;
      this.isDefaultBus = false;
    }
    this.ruleArnPattern = this.arn.apply(ruleArnPatternOf);
    this.account = this.arn.apply((a) => parseArn(a).account);

    if (args.archive) this.archive = this.createArchive(name, args.archive, args.encryptionKey);
    if (args.allowPutEventsFrom) this.policy = this.createPolicy(name, args.allowPutEventsFrom);
    if (args.logging) this.logGroup = this.createLogging(name, args.logging);
    this.registerOutputs({ name: this.name, arn: this.arn, archiveArn: this.archive?.arn });
  }

  /** Adds a rule with its targets to this bus. */
  route(name: string, args: RouteArgs): Route {
    // Rules and grants hold no data: `protect` on a bus keeps its events, not its routing, fixed.
    const route = new Route(name, { ...args, host: this }, { parent: this, protect: false });
    this.routes.push(route);
    return route;
  }

  /** The standard queue that receives events no target of this bus could take (created on first use). */
  targetDeadLetterQueue(): Queue {
    this.deadLetterQueue ??= new Queue(
      `${this.logicalName}-target-dlq`,
      {
        deadLetter: false,
        messageRetentionSeconds: 1_209_600,
        encryption: this.deadLetterEncryption,
        eventSources: [this],
        context: this.context,
      },
      { parent: this },
    );
    return this.deadLetterQueue;
  }

  /** The dead-letter queue of this bus's targets, if any route created it. */
  get targetDeadLetterQueueIfCreated(): Queue | undefined {
    return this.deadLetterQueue;
  }

  scope(where: string): RouteScope {
    return {
      bus: this,
      where,
      context: this.context,
      shared: <T extends pulumi.Resource>(target: object, kind: string, create: (opts: pulumi.CustomResourceOptions) => T): T => {
        let byKind = this.grants.get(target);
        if (!byKind) this.grants.set(target, (byKind = new Map()));
        let grant = byKind.get(kind);
        if (!grant) byKind.set(kind, (grant = create({ parent: this, protect: false })));
        return grant as T;
      },
    };
  }

  private arnInThisAccount(busName: string): pulumi.Output<string> {
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    return pulumi.interpolate`arn:${partition.partition}:events:${region.region}:${identity.accountId}:event-bus/${busName}`;
  }

  private createArchive(name: string, archive: ArchiveArgs, key?: EncryptionKey): aws.cloudwatch.EventArchive {
    const where = `EventBus "${name}" archive`;
    if (!Number.isInteger(archive.retentionDays) || archive.retentionDays < 0) {
      throw new Error(`${where}: retentionDays must be a whole number of days (0 keeps events forever), got ${archive.retentionDays}`);
    }
    if (archive.pattern) {
      try {
        validateEventPattern(archive.pattern);
      } catch (error) {
        throw new Error(`${where}: invalid event pattern: ${(error as Error).message}`, { cause: error });
      }
    }
    return new aws.cloudwatch.EventArchive(
      name,
      {
        name: physicalName([this.context.namePrefix, name], NAME_LIMITS.archive),
        eventSourceArn: this.arn,
        retentionDays: archive.retentionDays,
        eventPattern: archive.pattern ? JSON.stringify(archive.pattern) : undefined,
        kmsKeyIdentifier: key?.arn,
      },
      { parent: this },
    );
  }

  private createPolicy(name: string, allow: NonNullable<EventBusArgs["allowPutEventsFrom"]>): aws.cloudwatch.EventBusPolicy {
    const where = `EventBus "${name}" allowPutEventsFrom`;
    const statements: pulumi.Input<PolicyStatement>[] = [];
    for (const account of allow.accounts ?? []) {
      if (!/^\d{12}$/.test(account)) throw new Error(`${where}: "${account}" is not a 12-digit AWS account id`);
    }
    if (allow.accounts?.length) {
      statements.push({
        Sid: "AllowAccountsToPutEvents",
        Effect: "Allow",
        Principal: { AWS: allow.accounts.map((a) => `arn:aws:iam::${a}:root`) },
        Action: "events:PutEvents",
        Resource: this.arn,
      });
    }
    if (allow.organizationId) {
      if (!/^o-[a-z0-9]{10,32}$/.test(allow.organizationId)) throw new Error(`${where}: "${allow.organizationId}" is not an AWS Organizations id (o-...)`);
      statements.push({
        Sid: "AllowOrganizationToPutEvents",
        Effect: "Allow",
        // Any principal, but only from inside the organization: the condition is what confines it.
        Principal: "*",
        Action: "events:PutEvents",
        Resource: this.arn,
        Condition: { StringEquals: { "aws:PrincipalOrgID": allow.organizationId } },
      });
    }
    if (statements.length === 0) throw new Error(`${where}: name at least one account or an organization`);
    return new aws.cloudwatch.EventBusPolicy(name, { eventBusName: this.name, policy: policyJson(statements) }, { parent: this });
  }

  /**
   * EventBridge bus logs are vended logs. Each log type is its own delivery source on the bus
   * (ERROR_LOGS, INFO_LOGS, TRACE_LOGS), and a level sends the records of its type and of every
   * type below it: a bus at INFO whose only source were INFO_LOGS would never deliver the
   * ERROR_LOGS records of failed deliveries. So one source and one delivery per type up to the
   * level, all to one log group destination.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-logs.html
   */
  private createLogging(name: string, logging: BusLoggingArgs): aws.cloudwatch.LogGroup {
    assertLogRetention(`EventBus "${name}"`, "logging.retentionDays", logging.retentionDays);
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/vendedlogs/events/${physicalName([this.context.namePrefix, name], 200)}`, retentionInDays: logging.retentionDays, tags: this.context.tags },
      { parent: this },
    );
    const destination = new aws.cloudwatch.LogDeliveryDestination(
      `${name}-logs`,
      { name: physicalName([this.context.namePrefix, name], NAME_LIMITS.logDelivery), deliveryDestinationConfiguration: { destinationResourceArn: logGroup.arn }, tags: this.context.tags },
      { parent: this },
    );
    for (const logType of BUS_LOG_TYPES.slice(0, BUS_LOG_TYPES.indexOf(`${logging.level}_LOGS`) + 1)) {
      const kind = logType.split("_")[0].toLowerCase();
      const source = new aws.cloudwatch.LogDeliverySource(
        `${name}-${kind}-logs`,
        { name: physicalName([this.context.namePrefix, name, kind], NAME_LIMITS.logDelivery), logType, resourceArn: this.arn, tags: this.context.tags },
        { parent: this },
      );
      new aws.cloudwatch.LogDelivery(
        `${name}-${kind}-logs`,
        { deliverySourceName: source.name, deliveryDestinationArn: destination.arn, tags: this.context.tags },
        { parent: this },
      );
    }
    return logGroup;
  }
}
