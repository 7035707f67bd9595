import { AwsError } from "../../aws-error";
import type { Timer } from "../../clock";
import type { LocalCloud, MessageAttribute } from "../../cloud";
import type { Principal } from "../../iam";
import type { LambdaApi } from "../contracts";
import type { SqsService } from "../sqs/service";
import { type Queue, type StoredMessage, systemAttributesOf } from "../sqs/queue";
import type { MappingSpec, MappingStats } from "./mapping-spec";

/** Lambda keeps a batch under the 6 MB synchronous invocation payload limit. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;
/** ESM invocations are made by the Lambda service itself, not by the function's role. */
const LAMBDA_SERVICE: Principal = { kind: "operator" };

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
 * The poller of one mapping. `pump` runs whenever the queue may have something to give (a
 * notification, a finished batch, an ended batching window) and starts batches while fewer than
 * `maximumConcurrency` are running. Received messages wait in `buffer` (in flight in the queue, as
 * with AWS's poller) until the batch is full or the batching window ends.
 */
export class SqsPoller {
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
