import { createHash } from "crypto";
import { AwsError } from "../../aws-error";

/**
 * The model of a Kinesis data stream: shards splitting the 128-bit hash key space evenly, each an
 * append-only log of records with growing sequence numbers that encode the shard.
 * https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html
 */

export interface StoredRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  arrival: number;
  /** Put order within the stream, for reading a stream back in order. */
  order: number;
}

/** A shard's records: appended at the tail, trimmed at the head, addressed by absolute position. */
export class ShardLog {
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

export interface Shard {
  id: string;
  index: number;
  startingHashKey: bigint;
  endingHashKey: bigint;
  log: ShardLog;
}

export interface Stream {
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

export const HASH_SPACE = 1n << 128n;
export const ON_DEMAND_SHARDS = 4;
/** Sequence numbers: 49·10^54 + counter·10^4 + shard index (56 digits, like AWS's). */
export const SEQUENCE_BASE = 49n * 10n ** 54n;
export const SHARD_FACTOR = 10_000n;
export const MAX_RECORD_BYTES = 1024 * 1024;

export const invalidArgument = (message: string) => new AwsError("InvalidArgumentException", message);
export const constraint = (message: string) => new AwsError("ValidationException", `1 validation error detected: ${message}`);

/** The 128-bit hash key of a partition key, as Kinesis computes it (MD5, big-endian). */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

export const shardId = (index: number) => `shardId-${index.toString().padStart(12, "0")}`;

/** The shards of a new stream: the hash key space split evenly, as AWS splits it. */
export function evenShards(count: number): Shard[] {
  const shards: Shard[] = [];
  for (let index = 0; index < count; index++) {
    const startingHashKey = (HASH_SPACE * BigInt(index)) / BigInt(count);
    const endingHashKey = (HASH_SPACE * BigInt(index + 1)) / BigInt(count) - 1n;
    shards.push({ id: shardId(index), index, startingHashKey, endingHashKey, log: new ShardLog() });
  }
  return shards;
}

/** The shard whose hash key range holds `hashKey`. */
export function route(stream: Stream, hashKey: bigint): Shard {
  // Shards split the space evenly, so the index follows from the hash key; the loop corrects rounding.
  let index = Number((hashKey * BigInt(stream.shards.length)) / HASH_SPACE);
  while (index > 0 && hashKey < stream.shards[index].startingHashKey) index--;
  while (index < stream.shards.length - 1 && hashKey > stream.shards[index].endingHashKey) index++;
  return stream.shards[index];
}

export function sequenceNumberOf(order: number, shard: Shard): string {
  return (SEQUENCE_BASE + BigInt(order) * SHARD_FACTOR + BigInt(shard.index)).toString();
}

export function compareSequence(a: string, b: string): number {
  const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

export function parseHashKey(text: string): bigint {
  const fail = () => invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${text}`);
  if (!/^\d{1,39}$/.test(text)) throw fail();
  const value = BigInt(text);
  if (value >= HASH_SPACE) throw fail();
  return value;
}

/** A shard as ListShards and DescribeStream describe it. */
export function shardDescription(shard: Shard) {
  return {
    ShardId: shard.id,
    HashKeyRange: { StartingHashKey: shard.startingHashKey.toString(), EndingHashKey: shard.endingHashKey.toString() },
    SequenceNumberRange: { StartingSequenceNumber: (SEQUENCE_BASE + BigInt(shard.index)).toString() },
  };
}
