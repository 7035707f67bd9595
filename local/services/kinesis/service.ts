import { NAMES, nameFits, RANGES } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Operation, type Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { useKey } from "../kms/service";
import { constraint, evenShards, hashKeyOf, invalidArgument, MAX_RECORD_BYTES, ON_DEMAND_SHARDS, parseHashKey, route, sequenceNumberOf, SHARD_FACTOR, type StoredRecord, type Stream } from "./model";
import { kinesisOperations } from "./wire";


/**
 * Kinesis data streams (`aws:kinesis/stream:Stream`). A record goes to the shard whose hash key
 * range holds the MD5 of its partition key (or its ExplicitHashKey); the 128-bit hash key space
 * is split evenly between the shards, as AWS splits a new stream. ON_DEMAND streams start with 4
 * shards, as in AWS. Sequence numbers increase within a shard and encode it; arrival times are
 * the cloud's clock; records older than the retention period are trimmed (./model.ts).
 *
 * EventBridge targets reach a stream through `deliver` (the target's role needs
 * kinesis:PutRecord). The endpoint serves JSON 1.1 (`Kinesis_20131202.<Op>`, ./wire.ts).
 *
 * Not emulated: resharding and on-demand scaling, throughput limits
 * (ProvisionedThroughputExceededException), enhanced fan-out consumers, server-side encryption
 * itself (EncryptionType is reported as configured).
 */

export interface KinesisRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** The data, decoded as UTF-8. */
  data: string;
  /** Cloud time (ms since the epoch). */
  approximateArrivalTimestamp: number;
}

/** A stream as a request names it: by name, by ARN, or both (then they must agree). */
export interface StreamReference {
  StreamName?: string;
  StreamARN?: string;
}

export class KinesisService implements Service {
  readonly namespace = "kinesis";
  readonly resourceTypes = ["aws:kinesis/stream:Stream"] as const;
  readonly operations: Record<string, Operation>;
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly cloud: LocalCloud) {
    this.operations = kinesisOperations(this, cloud);
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const name: string = state.name ?? inputs.name ?? resource.name;
    if (!nameFits(NAMES.stream, name)) throw constraint(`Value '${name}' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
    if (this.streams.has(name)) throw new AwsError("ResourceInUseException", `Stream ${name} under account ${this.cloud.identity.account} already exists.`);
    const mode = inputs.streamModeDetails?.streamMode ?? "PROVISIONED";
    if (mode !== "ON_DEMAND" && mode !== "PROVISIONED") throw constraint(`Value '${mode}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]`);
    let shardCount = ON_DEMAND_SHARDS;
    if (mode === "PROVISIONED") {
      shardCount = Number(inputs.shardCount);
      if (!Number.isInteger(shardCount) || shardCount < 1) throw invalidArgument(`A PROVISIONED stream needs a shardCount of at least 1 (got ${inputs.shardCount}).`);
      if (shardCount > Number(SHARD_FACTOR)) throw new AwsError("LimitExceededException", `This request would exceed the shard limit for the account ${this.cloud.identity.account} in ${this.cloud.identity.region}.`);
    }
    const retentionHours = Number(inputs.retentionPeriod ?? 24);
    const retention = RANGES.kinesis.retentionHours;
    if (!(retentionHours >= retention.min && retentionHours <= retention.max)) throw invalidArgument(`Minimum allowed retention period is ${retention.min} hours and maximum is ${retention.max} hours; requested ${retentionHours}.`);
    this.streams.set(name, {
      name,
      arn: state.arn ?? this.cloud.arn("kinesis", `stream/${name}`),
      mode,
      shards: evenShards(shardCount),
      retentionHours,
      createdAt: this.cloud.clock.now(),
      encryptionType: inputs.encryptionType === "KMS" ? "KMS" : "NONE",
      keyId: inputs.encryptionType === "KMS" ? inputs.kmsKeyId : undefined,
      counter: 0,
    });
  }

  /** EventBridge (or another service) puts one record, as the role `from`. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const stream = this.lookup({ StreamARN: arn });
    authorizeOrThrow(this.cloud, from, "kinesis:PutRecord", stream.arn);
    this.useKey(stream, from, "kms:GenerateDataKey");
    if (message.partitionKey === undefined) throw constraint("Value null at 'partitionKey' failed to satisfy constraint: Member must not be null");
    this.put(stream, Buffer.from(message.body, "utf8"), message.partitionKey);
  }

  /** Every retained record of a stream (by name or ARN), in the order they were put. */
  records(streamArnOrName: string): KinesisRecord[] {
    const stream = this.lookup(referenceTo(streamArnOrName));
    this.trim(stream);
    const all = stream.shards.flatMap((shard) => [...shard.log.retained()].map((record) => ({ shard, record })));
    all.sort((a, b) => a.record.order - b.record.order);
    return all.map(({ shard, record }) => ({
      shardId: shard.id,
      sequenceNumber: record.sequenceNumber,
      partitionKey: record.partitionKey,
      data: record.data.toString("utf8"),
      approximateArrivalTimestamp: record.arrival,
    }));
  }

  /** The shard a partition key (or explicit hash key) goes to. */
  shardFor(streamArnOrName: string, partitionKey: string, explicitHashKey?: string): string {
    const stream = this.lookup(referenceTo(streamArnOrName));
    return route(stream, explicitHashKey === undefined ? hashKeyOf(partitionKey) : parseHashKey(explicitHashKey)).id;
  }

  // ---- shared with the wire operations -------------------------------------------------------

  /** Appends a record to the shard its key routes to; AWS's checks on the key and the size first. */
  put(stream: Stream, data: Buffer, partitionKey: string, explicitHashKey?: string): { ShardId: string; SequenceNumber: string } {
    if (partitionKey.length < 1 || partitionKey.length > 256) throw constraint(`Value '${partitionKey}' at 'partitionKey' failed to satisfy constraint: Member must have length between 1 and 256`);
    if (data.length + Buffer.byteLength(partitionKey) > MAX_RECORD_BYTES) {
      throw constraint(`Value at 'data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES} (with the partition key)`);
    }
    const shard = route(stream, explicitHashKey === undefined ? hashKeyOf(partitionKey) : parseHashKey(explicitHashKey));
    this.trim(stream);
    const order = ++stream.counter;
    const sequenceNumber = sequenceNumberOf(order, shard);
    const record: StoredRecord = { sequenceNumber, partitionKey, data, arrival: this.cloud.clock.now(), order };
    shard.log.append(record);
    this.cloud.trace.record({
      at: record.arrival,
      kind: "record.put",
      resource: stream.name,
      summary: `${partitionKey} -> ${shard.id} #${sequenceNumber}`,
      payload: { shardId: shard.id, sequenceNumber, partitionKey, data },
    });
    return { ShardId: shard.id, SequenceNumber: sequenceNumber };
  }

  /** Drops the records older than the stream's retention period. */
  trim(stream: Stream): void {
    const cutoff = this.cloud.clock.now() - stream.retentionHours * 3_600_000;
    for (const shard of stream.shards) shard.log.trimBefore(cutoff);
  }

  lookup(reference: StreamReference): Stream {
    const { StreamName: name, StreamARN: arn } = reference;
    if (name === undefined && arn === undefined) throw invalidArgument("Either StreamName or StreamARN should be provided.");
    const fromArn = arn === undefined ? undefined : arn.slice(arn.indexOf(":stream/") + 8);
    if (name !== undefined && fromArn !== undefined && name !== fromArn) throw invalidArgument(`StreamARN ${arn} and StreamName ${name} do not name the same stream.`);
    const streamName = (name ?? fromArn) as string;
    const stream = this.streams.get(streamName);
    if (!stream || (arn !== undefined && stream.arn !== arn)) throw new AwsError("ResourceNotFoundException", `Stream ${streamName} under account ${this.cloud.identity.account} not found.`);
    return stream;
  }

  /** The stream a request names, once `caller` may call `kinesis:<action>` on it (and use its key). */
  authorized(reference: StreamReference, caller: Principal, action: string): Stream {
    const stream = this.lookup(reference);
    authorizeOrThrow(this.cloud, caller, `kinesis:${action}`, stream.arn);
    if (action === "PutRecord" || action === "PutRecords") this.useKey(stream, caller, "kms:GenerateDataKey");
    if (action === "GetRecords") this.useKey(stream, caller, "kms:Decrypt");
    return stream;
  }

  /** The streams' names, sorted (ListStreams). */
  streamNames(): string[] {
    return [...this.streams.keys()].sort();
  }

  /**
   * Producers of an encrypted stream need kms:GenerateDataKey on its key, consumers kms:Decrypt;
   * Kinesis answers a denial with KMSAccessDeniedException.
   * https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
   */
  private useKey(stream: Stream, caller: Principal, action: string): void {
    useKey(this.cloud, stream.keyId, [action], caller, "kinesis", (message) => new AwsError("KMSAccessDeniedException", message));
  }
}

function referenceTo(streamArnOrName: string): StreamReference {
  return streamArnOrName.startsWith("arn:") ? { StreamARN: streamArnOrName } : { StreamName: streamArnOrName };
}
