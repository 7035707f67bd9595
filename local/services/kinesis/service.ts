import { createHash } from "crypto";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Operation, type Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { useKey } from "../kms/service";

/**
 * Kinesis data streams (`aws:kinesis/stream:Stream`). A record goes to the shard whose hash key
 * range holds the MD5 of its partition key (or its ExplicitHashKey); the 128-bit hash key space
 * is split evenly between the shards, as AWS splits a new stream. ON_DEMAND streams start with 4
 * shards, as in AWS. Sequence numbers increase within a shard and encode it; arrival times are
 * the cloud's clock; records older than the retention period are trimmed.
 *
 * EventBridge targets reach a stream through `deliver` (the target's role needs
 * kinesis:PutRecord). The endpoint serves JSON 1.1 (`Kinesis_20131202.<Op>`, Data in base64):
 * PutRecord, PutRecords, ListShards, GetShardIterator, GetRecords, DescribeStreamSummary,
 * ListStreams, DescribeStream, each authorized as `kinesis:<Op>` for a role caller.
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

interface StoredRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  arrival: number;
  /** Put order within the stream, for reading a stream back in order. */
  order: number;
}

/** A shard's records: appended at the tail, trimmed at the head, addressed by absolute position. */
class ShardLog {
  private records: StoredRecord[] = [];
  /** Absolute position of records[0]. */
  private offset = 0;
  /** Index in `records` of the oldest retained record. */
  private head = 0;

  get start(): number {
    return this.offset + this.head;
  }

  get end(): number {
    return this.offset + this.records.length;
  }

  append(record: StoredRecord): void {
    this.records.push(record);
  }

  at(position: number): StoredRecord | undefined {
    return position >= this.start ? this.records[position - this.offset] : undefined;
  }

  /** Drops records that arrived before `cutoff`; compacts once most of the array is dropped. */
  trimBefore(cutoff: number): void {
    while (this.head < this.records.length && this.records[this.head].arrival < cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.offset += this.head;
      this.head = 0;
    }
  }

  /** The first position whose record satisfies `atOrAfter` (records are ordered by it), or `end`. */
  firstPosition(atOrAfter: (record: StoredRecord) => boolean): number {
    let low = this.head;
    let high = this.records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (atOrAfter(this.records[middle])) high = middle;
      else low = middle + 1;
    }
    return this.offset + low;
  }

  *retained(): Iterable<StoredRecord> {
    for (let i = this.head; i < this.records.length; i++) yield this.records[i];
  }
}

interface Shard {
  id: string;
  index: number;
  startingHashKey: bigint;
  endingHashKey: bigint;
  log: ShardLog;
}

interface Stream {
  name: string;
  arn: string;
  mode: "ON_DEMAND" | "PROVISIONED";
  shards: Shard[];
  retentionHours: number;
  createdAt: number;
  encryptionType: "KMS" | "NONE";
  keyId?: string;
  /** Records put so far: the running part of the sequence numbers. */
  counter: number;
}

interface IteratorState {
  stream: string;
  shard: number;
  position: number;
  issuedAt: number;
}

const HASH_SPACE = 1n << 128n;
const ON_DEMAND_SHARDS = 4;
/** Sequence numbers: 49·10^54 + counter·10^4 + shard index (56 digits, like AWS's). */
const SEQUENCE_BASE = 49n * 10n ** 54n;
const SHARD_FACTOR = 10_000n;
const ITERATOR_LIFETIME_MS = 300_000;
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];

const invalid = (message: string) => new AwsError("InvalidArgumentException", message);
const constraint = (message: string) => new AwsError("ValidationException", `1 validation error detected: ${message}`);

/** The 128-bit hash key of a partition key, as Kinesis computes it (MD5, big-endian). */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

const shardId = (index: number) => `shardId-${index.toString().padStart(12, "0")}`;

function compareSequence(a: string, b: string): number {
  const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

type Body = Record<string, any>;

export class KinesisService implements Service {
  readonly namespace = "kinesis";
  readonly resourceTypes = ["aws:kinesis/stream:Stream"] as const;
  readonly operations: Record<string, Operation>;
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly cloud: LocalCloud) {
    const op = (name: string, run: (body: Body, caller: Principal) => unknown): [string, Operation] => [`Kinesis_20131202.${name}`, (body: Body, caller) => run(body ?? {}, caller)];
    this.operations = Object.fromEntries([
      op("PutRecord", (body, caller) => this.putRecordOperation(body, caller)),
      op("PutRecords", (body, caller) => this.putRecordsOperation(body, caller)),
      op("ListShards", (body, caller) => this.listShards(body, caller)),
      op("GetShardIterator", (body, caller) => this.getShardIterator(body, caller)),
      op("GetRecords", (body, caller) => this.getRecords(body, caller)),
      op("DescribeStreamSummary", (body, caller) => this.describeStreamSummary(body, caller)),
      op("DescribeStream", (body, caller) => this.describeStream(body, caller)),
      op("ListStreams", (body, caller) => this.listStreams(body, caller)),
    ]);
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const name: string = state.name ?? inputs.name ?? resource.name;
    if (!STREAM_NAME.test(name)) throw constraint(`Value '${name}' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
    if (this.streams.has(name)) throw new AwsError("ResourceInUseException", `Stream ${name} under account ${this.cloud.identity.account} already exists.`);
    const mode = inputs.streamModeDetails?.streamMode ?? "PROVISIONED";
    if (mode !== "ON_DEMAND" && mode !== "PROVISIONED") throw constraint(`Value '${mode}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]`);
    let shardCount = ON_DEMAND_SHARDS;
    if (mode === "PROVISIONED") {
      shardCount = Number(inputs.shardCount);
      if (!Number.isInteger(shardCount) || shardCount < 1) throw invalid(`A PROVISIONED stream needs a shardCount of at least 1 (got ${inputs.shardCount}).`);
      if (shardCount > Number(SHARD_FACTOR)) throw new AwsError("LimitExceededException", `This request would exceed the shard limit for the account ${this.cloud.identity.account} in ${this.cloud.identity.region}.`);
    }
    const retentionHours = Number(inputs.retentionPeriod ?? 24);
    if (!(retentionHours >= 24 && retentionHours <= 8760)) throw invalid(`Minimum allowed retention period is 24 hours and maximum is 8760 hours; requested ${retentionHours}.`);
    const shards: Shard[] = [];
    for (let index = 0; index < shardCount; index++) {
      const startingHashKey = (HASH_SPACE * BigInt(index)) / BigInt(shardCount);
      const endingHashKey = (HASH_SPACE * BigInt(index + 1)) / BigInt(shardCount) - 1n;
      shards.push({ id: shardId(index), index, startingHashKey, endingHashKey, log: new ShardLog() });
    }
    this.streams.set(name, {
      name,
      arn: state.arn ?? this.cloud.arn("kinesis", `stream/${name}`),
      mode,
      shards,
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
    const stream = this.lookup(streamArnOrName.startsWith("arn:") ? { StreamARN: streamArnOrName } : { StreamName: streamArnOrName });
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
    const stream = this.lookup(streamArnOrName.startsWith("arn:") ? { StreamARN: streamArnOrName } : { StreamName: streamArnOrName });
    return this.route(stream, explicitHashKey === undefined ? hashKeyOf(partitionKey) : parseHashKey(explicitHashKey)).id;
  }

  // ---- storing -----------------------------------------------------------------------------------

  private put(stream: Stream, data: Buffer, partitionKey: string, explicitHashKey?: string): { ShardId: string; SequenceNumber: string } {
    if (partitionKey.length < 1 || partitionKey.length > 256) throw constraint(`Value '${partitionKey}' at 'partitionKey' failed to satisfy constraint: Member must have length between 1 and 256`);
    if (data.length + Buffer.byteLength(partitionKey) > MAX_RECORD_BYTES) {
      throw constraint(`Value at 'data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES} (with the partition key)`);
    }
    const shard = this.route(stream, explicitHashKey === undefined ? hashKeyOf(partitionKey) : parseHashKey(explicitHashKey));
    this.trim(stream);
    const order = ++stream.counter;
    const sequenceNumber = (SEQUENCE_BASE + BigInt(order) * SHARD_FACTOR + BigInt(shard.index)).toString();
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

  private route(stream: Stream, hashKey: bigint): Shard {
    // Shards split the space evenly, so the index follows from the hash key; the loop corrects rounding.
    let index = Number((hashKey * BigInt(stream.shards.length)) / HASH_SPACE);
    while (index > 0 && hashKey < stream.shards[index].startingHashKey) index--;
    while (index < stream.shards.length - 1 && hashKey > stream.shards[index].endingHashKey) index++;
    return stream.shards[index];
  }

  private trim(stream: Stream): void {
    const cutoff = this.cloud.clock.now() - stream.retentionHours * 3_600_000;
    for (const shard of stream.shards) shard.log.trimBefore(cutoff);
  }

  // ---- operations ----------------------------------------------------------------------------------

  private lookup(body: Body): Stream {
    const { StreamName: name, StreamARN: arn } = body;
    if (name === undefined && arn === undefined) throw invalid("Either StreamName or StreamARN should be provided.");
    const fromArn = typeof arn === "string" ? arn.slice(arn.indexOf(":stream/") + 8) : undefined;
    if (name !== undefined && fromArn !== undefined && name !== fromArn) throw invalid(`StreamARN ${arn} and StreamName ${name} do not name the same stream.`);
    const streamName = (name ?? fromArn) as string;
    const stream = this.streams.get(streamName);
    if (!stream || (arn !== undefined && stream.arn !== arn)) throw new AwsError("ResourceNotFoundException", `Stream ${streamName} under account ${this.cloud.identity.account} not found.`);
    return stream;
  }

  private authorized(body: Body, caller: Principal, action: string): Stream {
    const stream = this.lookup(body);
    authorizeOrThrow(this.cloud, caller, `kinesis:${action}`, stream.arn);
    if (action === "PutRecord" || action === "PutRecords") this.useKey(stream, caller, "kms:GenerateDataKey");
    if (action === "GetRecords") this.useKey(stream, caller, "kms:Decrypt");
    return stream;
  }

  /**
   * Producers of an encrypted stream need kms:GenerateDataKey on its key, consumers kms:Decrypt;
   * Kinesis answers a denial with KMSAccessDeniedException.
   * https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
   */
  private useKey(stream: Stream, caller: Principal, action: string): void {
    useKey(this.cloud, stream.keyId, [action], caller, "kinesis", (message) => new AwsError("KMSAccessDeniedException", message));
  }

  private putRecordOperation(body: Body, caller: Principal) {
    const stream = this.authorized(body, caller, "PutRecord");
    if (body.PartitionKey === undefined) throw constraint("Value null at 'partitionKey' failed to satisfy constraint: Member must not be null");
    const result = this.put(stream, decodeData(body.Data, "data"), String(body.PartitionKey), body.ExplicitHashKey);
    return { ...result, EncryptionType: stream.encryptionType };
  }

  private putRecordsOperation(body: Body, caller: Principal) {
    const stream = this.authorized(body, caller, "PutRecords");
    const entries = body.Records;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 500) {
      throw constraint(`Value at 'records' failed to satisfy constraint: Member must have length between 1 and 500`);
    }
    const decoded = entries.map((entry: Body, index: number) => {
      if (entry?.PartitionKey === undefined) throw constraint(`Value null at 'records.${index + 1}.member.partitionKey' failed to satisfy constraint: Member must not be null`);
      return { data: decodeData(entry.Data, `records.${index + 1}.member.data`), partitionKey: String(entry.PartitionKey), explicitHashKey: entry.ExplicitHashKey as string | undefined };
    });
    const total = decoded.reduce((sum, entry) => sum + entry.data.length + Buffer.byteLength(entry.partitionKey), 0);
    if (total > 5 * MAX_RECORD_BYTES) throw invalid(`Records size exceeds 5 MB limit`);
    const records = decoded.map((entry) => this.put(stream, entry.data, entry.partitionKey, entry.explicitHashKey));
    return { FailedRecordCount: 0, Records: records, EncryptionType: stream.encryptionType };
  }

  private listShards(body: Body, caller: Principal) {
    let offset = 0;
    let request = body;
    if (body.NextToken !== undefined) {
      if (body.StreamName !== undefined || body.StreamARN !== undefined) throw invalid("NextToken and StreamName cannot be provided together.");
      const token = decodeToken(body.NextToken);
      request = { StreamName: token.stream };
      offset = token.offset;
    }
    const stream = this.authorized(request, caller, "ListShards");
    const maxResults = Number(body.MaxResults ?? 1000);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10_000) throw constraint(`Value '${body.MaxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000`);
    let shards = stream.shards;
    if (body.ExclusiveStartShardId !== undefined) shards = shards.filter((shard) => shard.id > body.ExclusiveStartShardId);
    const page = shards.slice(offset, offset + maxResults);
    const more = offset + maxResults < shards.length;
    return {
      Shards: page.map((shard) => ({
        ShardId: shard.id,
        HashKeyRange: { StartingHashKey: shard.startingHashKey.toString(), EndingHashKey: shard.endingHashKey.toString() },
        SequenceNumberRange: { StartingSequenceNumber: (SEQUENCE_BASE + BigInt(shard.index)).toString() },
      })),
      ...(more ? { NextToken: encodeToken({ stream: stream.name, offset: offset + maxResults }) } : {}),
    };
  }

  private getShardIterator(body: Body, caller: Principal) {
    const stream = this.authorized(body, caller, "GetShardIterator");
    const shard = stream.shards.find((candidate) => candidate.id === body.ShardId);
    if (!shard) throw new AwsError("ResourceNotFoundException", `Shard ${body.ShardId} in stream ${stream.name} under account ${this.cloud.identity.account} does not exist`);
    const type = body.ShardIteratorType;
    if (!ITERATOR_TYPES.includes(type)) throw constraint(`Value '${type}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [${ITERATOR_TYPES.join(", ")}]`);
    this.trim(stream);
    const log = shard.log;
    let position: number;
    switch (type) {
      case "TRIM_HORIZON":
        position = log.start;
        break;
      case "LATEST":
        position = log.end;
        break;
      case "AT_TIMESTAMP": {
        const timestamp = parseTimestamp(body.Timestamp);
        position = log.firstPosition((record) => record.arrival >= timestamp);
        break;
      }
      default: {
        const sequence = this.checkedSequence(body.StartingSequenceNumber, stream, shard);
        position = type === "AT_SEQUENCE_NUMBER" ? log.firstPosition((record) => compareSequence(record.sequenceNumber, sequence) >= 0) : log.firstPosition((record) => compareSequence(record.sequenceNumber, sequence) > 0);
      }
    }
    return { ShardIterator: encodeIterator({ stream: stream.name, shard: shard.index, position, issuedAt: this.cloud.clock.now() }) };
  }

  private checkedSequence(sequence: unknown, stream: Stream, shard: Shard): string {
    if (typeof sequence !== "string" || !/^(0|[1-9]\d{0,128})$/.test(sequence)) {
      throw invalid(`StartingSequenceNumber ${sequence} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${this.cloud.identity.account} is invalid.`);
    }
    const value = BigInt(sequence);
    const encoded = value >= SEQUENCE_BASE ? Number((value - SEQUENCE_BASE) % SHARD_FACTOR) : -1;
    if (encoded !== shard.index) {
      throw invalid(`Invalid StartingSequenceNumber. It encodes ${encoded >= 0 ? shardId(encoded) : "no shard of this stream"}, while it was used in a call to a shard with ${shard.id}`);
    }
    return sequence;
  }

  private getRecords(body: Body, caller: Principal) {
    const iterator = decodeIterator(body.ShardIterator);
    const stream = this.authorized({ StreamName: iterator.stream, ...(body.StreamARN ? { StreamARN: body.StreamARN } : {}) }, caller, "GetRecords");
    const now = this.cloud.clock.now();
    if (now - iterator.issuedAt > ITERATOR_LIFETIME_MS) {
      throw new AwsError(
        "ExpiredIteratorException",
        `Iterator expired. The iterator was created at time ${new Date(iterator.issuedAt).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
      );
    }
    const limit = Number(body.Limit ?? 10_000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw constraint(`Value '${body.Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`);
    const shard = stream.shards[iterator.shard];
    if (!shard) throw invalid("Invalid ShardIterator.");
    this.trim(stream);
    const log = shard.log;
    // Records trimmed since the iterator was issued are gone: read on from the oldest retained one.
    let position = Math.max(iterator.position, log.start);
    const records = [];
    let bytes = 0;
    for (let record = log.at(position); record && records.length < limit; record = log.at(position)) {
      if (records.length > 0 && bytes + record.data.length > MAX_GET_RECORDS_BYTES) break;
      bytes += record.data.length;
      records.push({
        SequenceNumber: record.sequenceNumber,
        ApproximateArrivalTimestamp: record.arrival / 1000,
        Data: record.data.toString("base64"),
        PartitionKey: record.partitionKey,
        ...(stream.encryptionType === "KMS" ? { EncryptionType: "KMS" } : {}),
      });
      position++;
    }
    const next = log.at(position);
    return {
      Records: records,
      NextShardIterator: encodeIterator({ stream: stream.name, shard: shard.index, position, issuedAt: now }),
      MillisBehindLatest: next ? Math.max(0, now - next.arrival) : 0,
    };
  }

  private describeStreamSummary(body: Body, caller: Principal) {
    const stream = this.authorized(body, caller, "DescribeStreamSummary");
    return {
      StreamDescriptionSummary: {
        StreamName: stream.name,
        StreamARN: stream.arn,
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: stream.mode },
        RetentionPeriodHours: stream.retentionHours,
        StreamCreationTimestamp: stream.createdAt / 1000,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: stream.encryptionType,
        ...(stream.keyId ? { KeyId: stream.keyId } : {}),
        OpenShardCount: stream.shards.length,
        ConsumerCount: 0,
      },
    };
  }

  /** DescribeStream (`aws kinesis describe-stream`): the summary's fields and a page of shards (Limit, ExclusiveStartShardId). */
  private describeStream(body: Body, caller: Principal) {
    const stream = this.authorized(body, caller, "DescribeStream");
    const limit = Number(body.Limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw constraint(`Value '${body.Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`);
    // The caller is authorized for DescribeStream above; the summary's fields are read as the operator.
    const { OpenShardCount: _open, ConsumerCount: _consumers, ...description } = this.describeStreamSummary({ StreamName: stream.name }, { kind: "operator" }).StreamDescriptionSummary;
    const shards = stream.shards.filter((shard) => body.ExclusiveStartShardId === undefined || shard.id > body.ExclusiveStartShardId);
    return {
      StreamDescription: {
        ...description,
        Shards: shards.slice(0, limit).map((shard) => ({
          ShardId: shard.id,
          HashKeyRange: { StartingHashKey: shard.startingHashKey.toString(), EndingHashKey: shard.endingHashKey.toString() },
          SequenceNumberRange: { StartingSequenceNumber: (SEQUENCE_BASE + BigInt(shard.index)).toString() },
        })),
        HasMoreShards: shards.length > limit,
      },
    };
  }

  private listStreams(body: Body, caller: Principal) {
    authorizeOrThrow(this.cloud, caller, "kinesis:ListStreams", this.cloud.arn("kinesis", "stream/*"));
    const limit = Number(body.Limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw constraint(`Value '${body.Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`);
    const after: string | undefined = body.NextToken !== undefined ? decodeToken(body.NextToken).stream : body.ExclusiveStartStreamName;
    const names = [...this.streams.keys()].sort().filter((name) => after === undefined || name > after);
    const page = names.slice(0, limit);
    const more = names.length > limit;
    return {
      StreamNames: page,
      HasMoreStreams: more,
      StreamSummaries: page.map((name) => {
        const stream = this.streams.get(name)!;
        return { StreamName: name, StreamARN: stream.arn, StreamStatus: "ACTIVE", StreamModeDetails: { StreamMode: stream.mode }, StreamCreationTimestamp: stream.createdAt / 1000 };
      }),
      ...(more ? { NextToken: encodeToken({ stream: page[page.length - 1], offset: 0 }) } : {}),
    };
  }
}

// ---- wire helpers ------------------------------------------------------------------------------------

function decodeData(data: unknown, member: string): Buffer {
  if (data === undefined || data === null) throw constraint(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (typeof data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new AwsError("SerializationException", `${member} is not valid base64`);
  return Buffer.from(data, "base64");
}

function parseHashKey(text: string): bigint {
  const fail = () => invalid(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${text}`);
  if (!/^\d{1,39}$/.test(String(text))) throw fail();
  const value = BigInt(text);
  if (value >= HASH_SPACE) throw fail();
  return value;
}

/** JSON 1.1 timestamps are epoch seconds; ISO text is accepted too. */
function parseTimestamp(value: unknown): number {
  const ms = typeof value === "number" ? value * 1000 : typeof value === "string" ? (/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value)) : NaN;
  if (!Number.isFinite(ms)) throw invalid("The timestamp must be provided for the AT_TIMESTAMP shard iterator type.");
  return ms;
}

function encodeIterator(state: IteratorState): string {
  return Buffer.from(JSON.stringify([state.stream, state.shard, state.position, state.issuedAt])).toString("base64");
}

function decodeIterator(text: unknown): IteratorState {
  if (typeof text !== "string" || text.length === 0) throw constraint("Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
  try {
    const [stream, shard, position, issuedAt] = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
    if (typeof stream === "string" && [shard, position, issuedAt].every(Number.isInteger)) return { stream, shard, position, issuedAt };
  } catch {
    // falls through to the error AWS gives for an iterator it did not issue
  }
  throw invalid("Invalid ShardIterator.");
}

function encodeToken(token: { stream: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString("base64");
}

function decodeToken(text: unknown): { stream: string; offset: number } {
  try {
    const token = JSON.parse(Buffer.from(String(text), "base64").toString("utf8"));
    if (typeof token.stream === "string" && Number.isInteger(token.offset)) return token;
  } catch {
    // below
  }
  throw invalid("Invalid NextToken.");
}
