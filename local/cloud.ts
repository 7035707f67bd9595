import { AwsError, DeployError } from "./aws-error";
import { Clock, ClockMode } from "./clock";
import { ConditionContext, Principal, PolicyStore } from "./iam";
import { CloudIdentity, DEFAULT_IDENTITY, RegisteredResource } from "./resource-graph";
import { Trace } from "./trace";
import { parseRequest, type Operation } from "./common/operation";

/** A message handed from one service to another: an event to a queue, a topic, a stream, a bus. */
export interface Message {
  body: string;
  /** SQS FIFO. */
  groupId?: string;
  deduplicationId?: string;
  /** SQS/SNS message attributes (EventBridge adds its error attributes to dead letters). */
  attributes?: Record<string, MessageAttribute>;
  /** Kinesis. */
  partitionKey?: string;
  /** SNS. */
  subject?: string;
}

export interface MessageAttribute {
  DataType: "String" | "Number" | "Binary";
  StringValue?: string;
  BinaryValue?: string;
}

/** One emulated AWS service. */
export interface Service {
  /** The ARN service namespace it owns (`sqs`, `lambda`, `events` ...). */
  readonly namespace: string;
  /** The Pulumi resource types it materializes. */
  readonly resourceTypes: readonly string[];
  /** Creates the resource as AWS would, or throws an {@link AwsError} AWS would answer with. */
  materialize(resource: RegisteredResource): void | Promise<void>;
  /** After every resource exists: resolves references between resources, starts pollers. */
  start?(): void;
  /** Accepts a message for one of its resources, sent by `from` (EventBridge, SNS, a destination). */
  deliver?(arn: string, message: Message, from: Principal): Promise<void>;
  /** The wire operations the endpoint serves, by JSON protocol target (`AmazonSQS.SendMessage`). */
  readonly operations?: Record<string, Operation>;
  stop?(): Promise<void>;
}

/** One operation of the endpoint: the shape of its request and what it does (./common/operation.ts). */
export type { Operation } from "./common/operation";

/** Runs an operation on a request body as the endpoint does: the request's shape is checked first. */
export function runOperation(operation: Operation, body: unknown, caller: Principal): unknown {
  return operation.run(parseRequest(operation, body), caller);
}

/** The global hook (`globalThis[CLOUD_CREATED]`) a test harness sets to see every LocalCloud created. */
export const CLOUD_CREATED = Symbol.for("event-routes.local-cloud.created");

/** Resource types a deployment may hold that the local cloud accepts and keeps inert. */
export const INERT_TYPES: Record<string, string> = {
  "aws:cloudwatch/logGroup:LogGroup": "logs are printed, not stored",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "no metrics locally",
  "aws:cloudwatch/dashboard:Dashboard": "no metrics locally",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": "bus logs are printed, not delivered",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "bus logs are printed, not delivered",
  "aws:cloudwatch/logDelivery:LogDelivery": "bus logs are printed, not delivered",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "bus logs are printed, not delivered",
};

export interface LocalCloudOptions {
  /** Account, region and partition of the emulated cloud. Default: {@link DEFAULT_IDENTITY} (123456789012, eu-west-1, aws). */
  identity?: CloudIdentity;
  /** `virtual`: the cloud's time jumps to the next timer when idle; `real`: wall-clock time. Default: `virtual`. */
  clock?: ClockMode;
  /** Called with failures of background work (a delivery the emulation itself got wrong); they are also kept in `errors`. Default: none. */
  onError?: (error: unknown) => void;
}

/**
 * The local cloud: services, the policies between them, a clock and a trace of what happened.
 * `deploy` materializes the resources a program registered; events then flow between services by
 * ARN, as they do in AWS.
 */
export class LocalCloud {
  readonly identity: CloudIdentity;
  readonly clock: Clock;
  readonly iam: PolicyStore;
  readonly trace = new Trace();
  /** Resource types of the deployment that no service emulates (warned about, never silent). */
  readonly notEmulated = new Map<string, number>();
  readonly inert = new Map<string, number>();
  /**
   * Faults of the emulator itself: an operation that threw something other than an AwsError, a
   * background delivery that crashed. Each is a bug of the local cloud, never the caller's mistake:
   * the endpoint answers 500 InternalFailure, and tests fail on any (tests/support/emulator-faults.ts).
   */
  readonly errors: unknown[] = [];
  /** The endpoint handlers reach with their SDK clients (`AWS_ENDPOINT_URL`), once it listens. */
  endpointUrl = "http://127.0.0.1:4566";
  private readonly faults: Fault[] = [];
  private readonly onError?: (error: unknown) => void;
  private readonly services = new Map<string, Service>();
  private readonly byType = new Map<string, Service>();
  private readonly credentials = new Map<string, Principal>();

  constructor(options: LocalCloudOptions = {}) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.onError = options.onError;
    this.clock = new Clock(options.clock ?? "virtual", (error) => this.recordFault(error));
    this.iam = new PolicyStore(this.identity.account);
    // A test harness may watch every cloud a test creates, whichever module registry created it.
    (globalThis as { [CLOUD_CREATED]?: (cloud: LocalCloud) => void })[CLOUD_CREATED]?.(this);
  }

  /** Records a fault of the emulator (see {@link errors}) and tells `onError`. */
  recordFault(error: unknown): void {
    this.errors.push(error);
    this.onError?.(error);
  }

  register(service: Service): this {
    this.services.set(service.namespace, service);
    for (const type of service.resourceTypes) this.byType.set(type, service);
    return this;
  }

  service<T extends Service>(namespace: string): T {
    const service = this.services.get(namespace);
    if (!service) throw new AwsError("InternalFailure", `the local cloud has no ${namespace} service`, 500);
    return service as T;
  }

  /**
   * Materializes a deployment: every resource in registration order, then each service starts.
   * A resource AWS would reject fails the deploy with a {@link DeployError} naming it.
   */
  async deploy(resources: readonly RegisteredResource[]): Promise<void> {
    for (const resource of resources) {
      const service = this.byType.get(resource.type);
      if (!service) {
        if (!resource.type.startsWith("aws:")) continue; // components and providers hold no AWS state
        const counts = INERT_TYPES[resource.type] ? this.inert : this.notEmulated;
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
        continue;
      }
      try {
        await service.materialize(resource);
      } catch (error) {
        throw new DeployError(resource, error as Error);
      }
    }
    for (const service of this.services.values()) service.start?.();
  }

  /** Hands `message` to the resource `arn` names, as the service principal or role `from`. */
  deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const namespace = arn.split(":")[2];
    const service = this.services.get(namespace);
    if (!service?.deliver) return Promise.reject(new AwsError("ResourceNotFoundException", `${arn} is not a resource the local cloud can deliver to`));
    return service.deliver(arn, message, from);
  }

  /** Credentials that sign requests as `principal` (a function's role); other keys are the operator's. */
  issueCredentials(principal: Principal, label: string): { accessKeyId: string; secretAccessKey: string } {
    const accessKeyId = `LOCAL${label.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 10)}${(this.credentials.size + 1).toString().padStart(4, "0")}`;
    this.credentials.set(accessKeyId, principal);
    return { accessKeyId, secretAccessKey: "local-secret" };
  }

  principalFor(accessKeyId: string | undefined): Principal {
    return (accessKeyId && this.credentials.get(accessKeyId)) || { kind: "operator" };
  }

  /**
   * Makes endpoint operations fail as AWS would in an outage, to see retries, dead letters and
   * redrive work: `operation` is a protocol target (`DynamoDB_20120810.PutItem`) or a prefix
   * ending in `*`; `caller` limits it to one role ARN (or roles whose ARN starts with a prefix
   * ending in `*`). `rate` fails only that share of the matching calls, drawing from `random`
   * (a seeded source makes the draws repeatable); `error` may be chosen per call. An `error` that
   * is not an AwsError plays a bug of the emulator ({@link InjectedError}). Returns a function that
   * removes it.
   */
  injectFault(fault: { operation: string; error: InjectedError | ((operation: string) => InjectedError); times?: number; caller?: string; rate?: number; random?: () => number }): () => void {
    if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) throw new Error(`a fault's rate is a share from 0 to 1, not ${fault.rate}`);
    const entry: Fault = { ...fault, remaining: fault.times ?? Infinity, hits: 0 };
    this.faults.push(entry);
    return () => {
      const index = this.faults.indexOf(entry);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  /** The error an injected fault makes `operation` answer for `caller`, if any. */
  faultFor(operation: string, caller: Principal): InjectedError | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        matches(candidate.operation, operation) &&
        (!candidate.caller || (caller.kind === "role" && matches(candidate.caller, caller.arn))) &&
        (candidate.rate === undefined || (candidate.random ?? Math.random)() < candidate.rate),
    );
    if (!fault) return undefined;
    fault.remaining--;
    fault.hits++;
    return typeof fault.error === "function" ? fault.error(operation) : fault.error;
  }

  /** Operations every service serves on the endpoint, by protocol target. */
  operations(): Map<string, Operation> {
    const all = new Map<string, Operation>();
    for (const service of this.services.values()) {
      for (const [target, operation] of Object.entries(service.operations ?? {})) all.set(target, operation);
    }
    return all;
  }

  arn(service: string, resource: string, regional = true): string {
    const { partition, region, account } = this.identity;
    return `arn:${partition}:${service}:${regional ? region : ""}:${account}:${resource}`;
  }

  async stop(): Promise<void> {
    this.clock.stop();
    for (const service of this.services.values()) await service.stop?.();
  }
}

/**
 * What an injected fault throws: an AwsError is an outage as AWS has them (throttling, 5xx, a lost
 * answer); any other Error stands for a bug of the emulator, answered as one (500 InternalFailure,
 * recorded in `errors`).
 */
export type InjectedError = AwsError | Error;

interface Fault {
  operation: string;
  error: InjectedError | ((operation: string) => InjectedError);
  caller?: string;
  rate?: number;
  random?: () => number;
  remaining: number;
  hits: number;
}

/** An exact name, or a prefix ending in `*`. */
function matches(pattern: string, value: string): boolean {
  return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

/** Throws the AccessDenied error AWS answers with when the policies do not allow `action`. */
export function authorizeOrThrow(cloud: LocalCloud, principal: Principal, action: string, resourceArn: string, context: ConditionContext = {}): void {
  // The loopback endpoint is the local stand-in for AWS's TLS endpoints.
  const decision = cloud.iam.authorize(principal, action, resourceArn, { "aws:SecureTransport": "true", ...context });
  if (!decision.allowed) throw new AwsError("AccessDeniedException", `User: ${decision.reason}`);
}
