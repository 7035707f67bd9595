import { compileEventPattern, type EventPatternMatcher } from "@event-routes/event-pattern";
import { AwsError, DeployError } from "../../aws-error";
import type { Timer } from "../../clock";
import { authorizeOrThrow, type LocalCloud, type MessageAttribute, type Operation, type Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { LambdaApi } from "../contracts";
import { paginate } from "./service";
import type { SqsService } from "../sqs/service";
import { type Queue, type StoredMessage, systemAttributesOf } from "../sqs/queue";

/**
 * AWS scales an SQS mapping without `scalingConfig` up to 1,250 concurrent invocations; locally a
 * mapping without one runs at most this many batches at once, so a backlog cannot flood a laptop.
 */
export const DEFAULT_MAXIMUM_CONCURRENCY = 5;
/** Lambda keeps a batch under the 6 MB synchronous invocation payload limit. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;
/** ESM invocations are made by the Lambda service itself, not by the function's role. */
const LAMBDA_SERVICE: Principal = { kind: "operator" };
const RESOURCE_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";

export interface MappingStats {
  batchesInvoked: number;
  recordsProcessed: number;
  /** Records deleted after their batch (or their item) succeeded. */
  recordsSucceeded: number;
  /** Batches that failed whole: a function error or timeout, an invoke error, an invalid partial response. */
  batchFailures: number;
  /** Records a partial batch response reported as failed. */
  itemFailures: number;
  /** Records deleted because no filter matched them. */
  filteredOut: number;
  /** Invocations the Lambda service refused (throttling, missing function). */
  invokeErrors: number;
  peakConcurrency: number;
}

interface MappingSpec {
  readonly resource: RegisteredResource;
  readonly uuid: string;
  readonly eventSourceArn: string;
  readonly functionRef: string;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maximumConcurrency: number;
  readonly filters: EventPatternMatcher[];
  enabled: boolean;
}

/** One record of Lambda's SQS event. */
interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, LambdaMessageAttribute>;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

interface LambdaMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

/**
 * Lambda event source mappings for SQS queues: the poller AWS runs for a mapping, driven by the
 * queue's "message available" notification instead of polling. It receives batches of up to
 * `batchSize` (waiting up to `maximumBatchingWindowInSeconds` of cloud time for a full batch),
 * invokes the function with Lambda's SQS event, deletes what succeeded and leaves the rest to come
 * back after the queue's visibility timeout, where the queue's redrive policy applies.
 * FIFO queues keep their order: a message group with a batch in flight gives no other batch.
 *
 * Mappings for other sources (Kinesis, DynamoDB streams) are counted as not emulated.
 */
export class EventSourceMappingService implements Service {
  readonly namespace = "lambda-esm";
  readonly resourceTypes = [RESOURCE_TYPE];
  private readonly specs: MappingSpec[] = [];
  private readonly pollers = new Map<string, SqsPoller>();

  constructor(private readonly cloud: LocalCloud) {}

  /**
   * The read API of mappings, authorized as lambda:<Action> (GetEventSourceMapping on the mapping's
   * ARN, ListEventSourceMappings on "*": https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html).
   */
  readonly operations: Record<string, Operation> = {
    "Lambda.ListEventSourceMappings": (query: { EventSourceArn?: string; FunctionName?: string; Marker?: string; MaxItems?: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "lambda:ListEventSourceMappings", "*");
      const lambda = this.cloud.service<LambdaApi & Service>("lambda");
      const functionArn = query.FunctionName === undefined ? undefined : lambda.functionArn(query.FunctionName);
      const selected = this.specs.filter(
        (spec) => (query.EventSourceArn === undefined || spec.eventSourceArn === query.EventSourceArn) && (query.FunctionName === undefined || lambda.functionArn(spec.functionRef) === functionArn),
      );
      const { page, next } = paginate(selected, query);
      return { EventSourceMappings: page.map((spec) => this.configurationOf(spec)), ...(next ? { NextMarker: next } : {}) };
    },
    "Lambda.GetEventSourceMapping": (query: { UUID: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "lambda:GetEventSourceMapping", this.cloud.arn("lambda", `event-source-mapping:${query.UUID}`));
      const spec = this.specs.find((candidate) => candidate.uuid === query.UUID);
      if (!spec) throw new AwsError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
      return this.configurationOf(spec);
    },
  };

  /** EventSourceMappingConfiguration, as the read API answers it. */
  private configurationOf(spec: MappingSpec) {
    const inputs = spec.resource.inputs;
    return {
      UUID: spec.uuid,
      EventSourceMappingArn: this.cloud.arn("lambda", `event-source-mapping:${spec.uuid}`),
      EventSourceArn: spec.eventSourceArn,
      FunctionArn: this.cloud.service<LambdaApi & Service>("lambda").functionArn(spec.functionRef) ?? spec.functionRef,
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.windowSeconds,
      State: spec.enabled ? "Enabled" : "Disabled",
      StateTransitionReason: "USER_INITIATED",
      FunctionResponseTypes: spec.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
      ...(inputs.scalingConfig?.maximumConcurrency ? { ScalingConfig: { MaximumConcurrency: inputs.scalingConfig.maximumConcurrency } } : {}),
      ...(inputs.filterCriteria?.filters ? { FilterCriteria: { Filters: (inputs.filterCriteria.filters as { pattern?: string }[]).map((filter) => ({ Pattern: filter.pattern })) } } : {}),
    };
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const eventSourceArn: string | undefined = inputs.eventSourceArn;
    if (!eventSourceArn) throw new AwsError("InvalidParameterValueException", "Unrecognized event source, must be kafka, MQ or have an event source arn.");
    if (!inputs.functionName) throw validation("functionName", inputs.functionName, "Member must not be null");
    const service = eventSourceArn.split(":")[2];
    if (service !== "sqs") {
      const key = `${RESOURCE_TYPE} (${service} source)`;
      this.cloud.notEmulated.set(key, (this.cloud.notEmulated.get(key) ?? 0) + 1);
      return;
    }
    const batchSize = inputs.batchSize === undefined || inputs.batchSize === null ? 10 : Number(inputs.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw validation("batchSize", inputs.batchSize, "Member must have value greater than or equal to 1");
    if (batchSize > 10_000) throw validation("batchSize", batchSize, "Member must have value less than or equal to 10000");
    const windowSeconds = Number(inputs.maximumBatchingWindowInSeconds ?? 0);
    if (!Number.isInteger(windowSeconds) || windowSeconds < 0 || windowSeconds > 300) {
      const constraint = windowSeconds < 0 ? "greater than or equal to 0" : "less than or equal to 300";
      throw validation("maximumBatchingWindowInSeconds", inputs.maximumBatchingWindowInSeconds, `Member must have value ${constraint}`);
    }
    if (batchSize > 10 && windowSeconds < 1) {
      throw new AwsError("InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    }
    const responseTypes: unknown[] = inputs.functionResponseTypes ?? [];
    for (const type of responseTypes) {
      if (type !== "ReportBatchItemFailures") throw validation("functionResponseTypes", type, "Member must satisfy enum value set: [ReportBatchItemFailures]");
    }
    const maximumConcurrency = inputs.scalingConfig?.maximumConcurrency;
    if (maximumConcurrency !== undefined && maximumConcurrency !== null) {
      if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 2) {
        throw validation("scalingConfig.maximumConcurrency", maximumConcurrency, "Member must have value greater than or equal to 2");
      }
      if (maximumConcurrency > 1000) throw validation("scalingConfig.maximumConcurrency", maximumConcurrency, "Member must have value less than or equal to 1000");
    }
    this.specs.push({
      resource,
      uuid: state.uuid ?? resource.id,
      eventSourceArn,
      functionRef: inputs.functionName,
      batchSize,
      windowSeconds,
      reportBatchItemFailures: responseTypes.includes("ReportBatchItemFailures"),
      maximumConcurrency: maximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY,
      filters: compileFilters(inputs.filterCriteria),
      enabled: inputs.enabled !== false,
    });
  }

  /** Checks each mapping as CreateEventSourceMapping does against its queue and function, then starts polling. */
  start(): void {
    const sqs = this.cloud.service<SqsService & Service>("sqs");
    const lambda = this.cloud.service<LambdaApi & Service>("lambda");
    for (const spec of this.specs) {
      if (this.pollers.has(spec.uuid)) continue;
      let queue: Queue;
      try {
        queue = this.validate(spec, sqs, lambda);
      } catch (error) {
        throw new DeployError(spec.resource, error as Error);
      }
      const poller = new SqsPoller(this.cloud, spec, queue, lambda);
      this.pollers.set(spec.uuid, poller);
      if (spec.enabled) poller.start();
    }
  }

  async stop(): Promise<void> {
    for (const poller of this.pollers.values()) poller.stop();
  }

  /** The mappings, by UUID, with their resource names and counters. */
  mappings(): { uuid: string; name: string; eventSourceArn: string; functionRef: string; enabled: boolean; stats: MappingStats }[] {
    return [...this.pollers.values()].map((poller) => ({
      uuid: poller.spec.uuid,
      name: poller.spec.resource.name,
      eventSourceArn: poller.spec.eventSourceArn,
      functionRef: poller.spec.functionRef,
      enabled: poller.spec.enabled,
      stats: poller.stats,
    }));
  }

  /** The counters of a mapping, by UUID or resource name. */
  stats(ref: string): MappingStats {
    return this.poller(ref).stats;
  }

  /** UpdateEventSourceMapping's `Enabled`: a disabled mapping stops receiving; batches in flight finish. */
  setEnabled(ref: string, enabled: boolean): void {
    const poller = this.poller(ref);
    poller.spec.enabled = enabled;
    if (enabled) poller.start();
    else poller.stop();
  }

  private poller(ref: string): SqsPoller {
    const poller = this.pollers.get(ref) ?? [...this.pollers.values()].find((candidate) => candidate.spec.resource.name === ref);
    if (!poller) throw new AwsError("ResourceNotFoundException", `The resource you requested does not exist. (Service: Lambda, event source mapping ${ref})`, 404);
    return poller;
  }

  private validate(spec: MappingSpec, sqs: SqsService, lambda: LambdaApi): Queue {
    const queue = sqs.queueByArn(spec.eventSourceArn);
    if (!queue) {
      throw new AwsError(
        "InvalidParameterValueException",
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
      );
    }
    const functionArn = lambda.functionArn(spec.functionRef);
    if (!functionArn) throw new AwsError("ResourceNotFoundException", `Function not found: ${spec.functionRef}`, 404);
    const role = lambda.roleOf(spec.functionRef);
    for (const action of ["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"]) {
      const allowed = role !== undefined && this.cloud.iam.authorize({ kind: "role", arn: role }, `sqs:${action}`, queue.arn, { "aws:SecureTransport": "true" }).allowed;
      if (!allowed) throw new AwsError("InvalidParameterValueException", `The provided execution role does not have permissions to call ${action} on SQS`);
    }
    const timeout = lambda.timeoutSecondsOf?.(spec.functionRef);
    if (timeout !== undefined && queue.config.visibilityTimeoutSeconds < timeout) {
      throw new AwsError("InvalidParameterValueException", `Queue visibility timeout: ${queue.config.visibilityTimeoutSeconds} seconds is less than Function timeout: ${timeout} seconds`);
    }
    if (queue.fifo) {
      if (spec.batchSize > 10) throw new AwsError("InvalidParameterValueException", "Batch size must be between 1 and 10 for FIFO queues.");
      if (spec.windowSeconds > 0) throw new AwsError("InvalidParameterValueException", "Batching window is not supported for FIFO queues.");
    }
    return queue;
  }
}

/**
 * The poller of one mapping. `pump` runs whenever the queue may have something to give (a
 * notification, a finished batch, an ended batching window) and starts batches while fewer than
 * `maximumConcurrency` are running. Received messages wait in `buffer` (in flight in the queue, as
 * with AWS's poller) until the batch is full or the batching window ends.
 */
class SqsPoller {
  readonly stats: MappingStats = {
    batchesInvoked: 0,
    recordsProcessed: 0,
    recordsSucceeded: 0,
    batchFailures: 0,
    itemFailures: 0,
    filteredOut: 0,
    invokeErrors: 0,
    peakConcurrency: 0,
  };
  private running = 0;
  private buffer: SqsRecord[] = [];
  private bufferBytes = 0;
  private window: Timer | undefined;
  private windowEnded = false;
  private pumpRequested = false;
  private active = false;
  /** Set once polling has failed on the queue's key (traced once, retried at every poll). */
  private keyDenied = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cloud: LocalCloud,
    readonly spec: MappingSpec,
    private readonly queue: Queue,
    private readonly lambda: LambdaApi,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.unsubscribe = this.queue.onAvailable(() => this.requestPump());
    this.requestPump();
  }

  stop(): void {
    this.active = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.window?.cancel();
    this.window = undefined;
  }

  /** Coalesces many notifications into one pump, run as tracked work of the cloud. */
  private requestPump(): void {
    if (this.pumpRequested || !this.active) return;
    this.pumpRequested = true;
    this.cloud.clock.spawn(async () => {
      this.pumpRequested = false;
      this.pump();
    });
  }

  private pump(): void {
    const { batchSize, windowSeconds, maximumConcurrency } = this.spec;
    while (this.active && this.running < maximumConcurrency) {
      const received = this.buffer.length < batchSize ? this.fill(batchSize - this.buffer.length) : 0;
      if (this.buffer.length === 0) {
        // Everything received was filtered out: the queue may hold more.
        if (received > 0) continue;
        return;
      }
      const full = this.buffer.length >= batchSize || this.bufferBytes >= MAX_BATCH_BYTES;
      if (!full && windowSeconds > 0 && !this.windowEnded) {
        this.window ??= this.cloud.clock.schedule(windowSeconds * 1000, () => {
          this.window = undefined;
          this.windowEnded = true;
          this.requestPump();
        });
        return;
      }
      this.dispatch();
    }
  }

  /**
   * Receives up to `count` messages into the buffer; messages no filter matches are deleted, as
   * Lambda does. Returns how many were received.
   */
  private fill(count: number): number {
    // Lambda receives with the function's role: an encrypted queue needs kms:Decrypt on its key.
    // https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
    const role = this.lambda.roleOf(this.spec.functionRef);
    try {
      if (role) this.cloud.service<SqsService>("sqs").useKey(this.queue, { kind: "role", arn: role }, "receive");
    } catch (error) {
      if (!this.keyDenied) {
        this.keyDenied = true;
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "mapping.failed", resource: this.queue.name, summary: `${this.queue.name} -> ${this.spec.functionRef}: polling fails: ${(error as Error).name}: ${(error as Error).message}` });
      }
      return 0;
    }
    const messages = this.queue.receive(count);
    for (const message of messages) {
      const record = this.record(message);
      if (this.spec.filters.length > 0 && !this.spec.filters.some((filter) => filter.matches(filterView(record)))) {
        this.queue.delete(record.receiptHandle);
        this.stats.filteredOut++;
        continue;
      }
      this.buffer.push(record);
      this.bufferBytes += Buffer.byteLength(record.body);
    }
    return messages.length;
  }

  private dispatch(): void {
    let count = 0;
    let bytes = 0;
    while (count < this.buffer.length && count < this.spec.batchSize) {
      const size = Buffer.byteLength(this.buffer[count].body);
      if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      count++;
    }
    const batch = this.buffer.splice(0, count);
    this.bufferBytes -= bytes;
    this.windowEnded = false;
    this.window?.cancel();
    this.window = undefined;
    this.running++;
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.running);
    this.cloud.clock.spawn(() => this.process(batch));
  }

  /** Invokes the function with one batch; deletes the records that succeeded. */
  private async process(batch: SqsRecord[]): Promise<void> {
    this.stats.batchesInvoked++;
    this.stats.recordsProcessed += batch.length;
    let failed: Set<string> | "all";
    let unexpected: unknown;
    try {
      const result = await this.lambda.invoke(this.spec.functionRef, { Records: batch }, LAMBDA_SERVICE);
      if (result.functionError) failed = "all";
      else if (this.spec.reportBatchItemFailures) failed = reportedFailures(result.payload, batch);
      else failed = new Set();
    } catch (error) {
      failed = "all";
      this.stats.invokeErrors++;
      if (!(error instanceof AwsError)) unexpected = error;
    }
    if (failed === "all") {
      // Nothing is deleted: the whole batch comes back after the visibility timeout.
      this.stats.batchFailures++;
    } else {
      this.stats.itemFailures += failed.size;
      for (const record of batch) {
        if (failed.has(record.messageId)) continue;
        this.queue.delete(record.receiptHandle);
        this.stats.recordsSucceeded++;
      }
    }
    this.running--;
    this.requestPump();
    if (unexpected !== undefined) throw unexpected;
  }

  private record(message: StoredMessage): SqsRecord {
    const record: SqsRecord = {
      messageId: message.id,
      receiptHandle: message.receiptHandle!,
      body: message.body,
      attributes: systemAttributesOf(message),
      messageAttributes: lambdaMessageAttributes(message.attributes),
      md5OfBody: message.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: this.queue.arn,
      awsRegion: this.cloud.identity.region,
    };
    if (message.md5OfAttributes) record.md5OfMessageAttributes = message.md5OfAttributes;
    return record;
  }
}

/**
 * The failed records of a partial batch response. A null or empty response or list means every
 * record succeeded; a malformed response, or an item without a valid `itemIdentifier` of this
 * batch, fails the whole batch (AWS's rules for ReportBatchItemFailures).
 */
function reportedFailures(payload: unknown, batch: SqsRecord[]): Set<string> | "all" {
  if (payload === undefined || payload === null) return new Set();
  if (typeof payload !== "object" || Array.isArray(payload)) return "all";
  const items = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return new Set();
  if (!Array.isArray(items)) return "all";
  const ids = new Set(batch.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !ids.has(id)) return "all";
    failed.add(id);
  }
  return failed;
}

/** Message attributes as Lambda's SQS event spells them (camelCase, with the unused list members). */
function lambdaMessageAttributes(attributes: Record<string, MessageAttribute> | undefined): Record<string, LambdaMessageAttribute> {
  const converted: Record<string, LambdaMessageAttribute> = {};
  if (!attributes) return converted;
  for (const name of Object.keys(attributes)) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    converted[name] = {
      ...(StringValue !== undefined ? { stringValue: StringValue } : {}),
      ...(BinaryValue !== undefined ? { binaryValue: BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: DataType,
    };
  }
  return converted;
}

/** FilterCriteria patterns are EventBridge patterns; at most 5 filters per mapping by default. */
function compileFilters(filterCriteria: any): EventPatternMatcher[] {
  const filters: unknown[] = filterCriteria?.filters ?? [];
  if (filters.length > 5) throw new AwsError("InvalidParameterValueException", "The number of filters exceeds the limit of 5 per event source mapping.");
  return filters.map((filter: any) => {
    try {
      return compileEventPattern(filter?.pattern);
    } catch {
      throw new AwsError("InvalidParameterValueException", "Invalid filter pattern definition.");
    }
  });
}

/** What a filter sees of a record: `body` as parsed JSON when it is a JSON object, else as text. */
function filterView(record: SqsRecord): Record<string, unknown> {
  let body: unknown = record.body;
  const first = record.body.trimStart()[0];
  if (first === "{") {
    try {
      body = JSON.parse(record.body);
    } catch {
      body = record.body;
    }
  }
  return { ...record, body };
}

function validation(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError("ValidationException", `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}
