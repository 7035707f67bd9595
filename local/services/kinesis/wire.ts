import type {
  DescribeStreamInput,
  DescribeStreamSummaryInput,
  GetRecordsInput,
  GetShardIteratorInput,
  ListShardsInput,
  ListStreamsInput,
  PutRecordInput,
  PutRecordsInput,
  PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { z } from "zod";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Operation } from "../../cloud";
import { jsonShapeError, lowerCamelPath, operation, type ShapeProblem } from "../../common/operation";
import { decodeToken, encodeToken } from "../../common/pagination";
import { tiedTo, type Wire } from "../../common/sdk-shape";
import { compareSequence, constraint, invalidArgument, MAX_RECORD_BYTES, SEQUENCE_BASE, type Shard, SHARD_FACTOR, shardDescription, shardId, type Stream } from "./model";
import type { KinesisService } from "./service";

/**
 * Kinesis's operations of the endpoint, in JSON 1.1 (`Kinesis_20131202.<Op>`): PutRecord,
 * PutRecords, ListShards, GetShardIterator, GetRecords, DescribeStreamSummary, DescribeStream and
 * ListStreams, each authorized as `kinesis:<Op>` for a role caller. Request shapes are tied to
 * @aws-sdk/client-kinesis's input types; record Data is base64 text on the wire, Uint8Array in the
 * SDK, and a Timestamp epoch seconds (Date in the SDK): see Wire.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Operations.html
 */

const ITERATOR_LIFETIME_MS = 300_000;
const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;
const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];

const stream = { StreamName: z.string().optional(), StreamARN: z.string().optional() };
const PutRecordShape = tiedTo<Wire<PutRecordInput>>()(z.object({ ...stream, Data: z.string(), PartitionKey: z.string(), ExplicitHashKey: z.string().optional() }));
const PutRecordsEntry = tiedTo<Wire<PutRecordsRequestEntry>>()(z.object({ Data: z.string(), PartitionKey: z.string(), ExplicitHashKey: z.string().optional() }));
const PutRecordsShape = tiedTo<Wire<PutRecordsInput>>()(z.object({ ...stream, Records: z.array(PutRecordsEntry) }));
const ListShardsShape = tiedTo<Wire<ListShardsInput>>()(z.object({ ...stream, NextToken: z.string().optional(), ExclusiveStartShardId: z.string().optional(), MaxResults: z.number().optional() }));
const GetShardIteratorShape = tiedTo<Wire<GetShardIteratorInput>>()(z.object({
  ...stream,
  ShardId: z.string(),
  ShardIteratorType: z.string(),
  StartingSequenceNumber: z.string().optional(),
  Timestamp: z.union([z.number(), z.string()]).optional(),
}));
const GetRecordsShape = tiedTo<Wire<GetRecordsInput>>()(z.object({ ShardIterator: z.string(), Limit: z.number().optional(), StreamARN: z.string().optional() }));
const DescribeStreamSummaryShape = tiedTo<Wire<DescribeStreamSummaryInput>>()(z.object(stream));
const DescribeStreamShape = tiedTo<Wire<DescribeStreamInput>>()(z.object({ ...stream, Limit: z.number().optional(), ExclusiveStartShardId: z.string().optional() }));
const ListStreamsShape = tiedTo<Wire<ListStreamsInput>>()(z.object({ Limit: z.number().optional(), ExclusiveStartStreamName: z.string().optional(), NextToken: z.string().optional() }));

/**
 * Kinesis names a member in lower camel case and a list item by its 1-based position
 * (`records.1.member.partitionKey`); a wrong JSON type is a SerializationException.
 */
function kinesisShapeError(problem: ShapeProblem): AwsError {
  return jsonShapeError(problem, { member: (path) => lowerCamelPath(path, (index) => `${index + 1}.member`) });
}

export function kinesisOperations(kinesis: KinesisService, cloud: LocalCloud): Record<string, Operation> {
  const invalid = kinesisShapeError;
  const badToken = () => invalidArgument("Invalid NextToken.");
  const limitOf = (value: number | undefined, fallback: number, member: string): number => {
    const limit = value ?? fallback;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw constraint(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value between 1 and 10000`);
    return limit;
  };

  const operations: Record<string, Operation> = {
    PutRecord: operation(
      PutRecordShape,
      (request, caller) => {
        const target = kinesis.authorized(request, caller, "PutRecord");
        const result = kinesis.put(target, decodeData(request.Data, "data"), request.PartitionKey, request.ExplicitHashKey);
        return { ...result, EncryptionType: target.encryptionType };
      },
      { invalid },
    ),

    PutRecords: operation(
      PutRecordsShape,
      (request, caller) => {
        const target = kinesis.authorized(request, caller, "PutRecords");
        const entries = request.Records;
        if (entries.length < 1 || entries.length > 500) throw constraint(`Value at 'records' failed to satisfy constraint: Member must have length between 1 and 500`);
        const decoded = entries.map((entry, index) => ({ data: decodeData(entry.Data, `records.${index + 1}.member.data`), partitionKey: entry.PartitionKey, explicitHashKey: entry.ExplicitHashKey }));
        const total = decoded.reduce((sum, entry) => sum + entry.data.length + Buffer.byteLength(entry.partitionKey), 0);
        if (total > 5 * MAX_RECORD_BYTES) throw invalidArgument(`Records size exceeds 5 MB limit`);
        const records = decoded.map((entry) => kinesis.put(target, entry.data, entry.partitionKey, entry.explicitHashKey));
        return { FailedRecordCount: 0, Records: records, EncryptionType: target.encryptionType };
      },
      { invalid },
    ),

    ListShards: operation(
      ListShardsShape,
      (request, caller) => {
        let offset = 0;
        let reference: { StreamName?: string; StreamARN?: string } = request;
        if (request.NextToken !== undefined) {
          if (request.StreamName !== undefined || request.StreamARN !== undefined) throw invalidArgument("NextToken and StreamName cannot be provided together.");
          // The token carries the stream: a next page names no stream of its own.
          const token = decodeToken(request.NextToken, badToken, { stream: z.string() });
          reference = { StreamName: token.stream };
          offset = token.offset;
        }
        const target = kinesis.authorized(reference, caller, "ListShards");
        const maxResults = limitOf(request.MaxResults, 1000, "maxResults");
        const after = request.ExclusiveStartShardId;
        const shards = after === undefined ? target.shards : target.shards.filter((shard) => shard.id > after);
        if (offset > shards.length) throw badToken();
        const more = offset + maxResults < shards.length;
        return {
          Shards: shards.slice(offset, offset + maxResults).map(shardDescription),
          ...(more ? { NextToken: encodeToken({ offset: offset + maxResults, stream: target.name }) } : {}),
        };
      },
      { invalid },
    ),

    GetShardIterator: operation(
      GetShardIteratorShape,
      (request, caller) => {
        const target = kinesis.authorized(request, caller, "GetShardIterator");
        const shard = target.shards.find((candidate) => candidate.id === request.ShardId);
        if (!shard) throw new AwsError("ResourceNotFoundException", `Shard ${request.ShardId} in stream ${target.name} under account ${cloud.identity.account} does not exist`);
        const type = request.ShardIteratorType;
        if (!ITERATOR_TYPES.includes(type)) throw constraint(`Value '${type}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [${ITERATOR_TYPES.join(", ")}]`);
        kinesis.trim(target);
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
            const timestamp = parseTimestamp(request.Timestamp);
            position = log.firstPosition((record) => record.arrival >= timestamp);
            break;
          }
          default: {
            const sequence = checkedSequence(request.StartingSequenceNumber, target, shard, cloud.identity.account);
            position =
              type === "AT_SEQUENCE_NUMBER"
                ? log.firstPosition((record) => compareSequence(record.sequenceNumber, sequence) >= 0)
                : log.firstPosition((record) => compareSequence(record.sequenceNumber, sequence) > 0);
          }
        }
        return { ShardIterator: encodeIterator({ stream: target.name, shard: shard.index, position, issuedAt: cloud.clock.now() }) };
      },
      { invalid },
    ),

    GetRecords: operation(
      GetRecordsShape,
      (request, caller) => {
        const iterator = decodeIterator(request.ShardIterator);
        const target = kinesis.authorized({ StreamName: iterator.stream, ...(request.StreamARN ? { StreamARN: request.StreamARN } : {}) }, caller, "GetRecords");
        const now = cloud.clock.now();
        if (now - iterator.issuedAt > ITERATOR_LIFETIME_MS) {
          throw new AwsError(
            "ExpiredIteratorException",
            `Iterator expired. The iterator was created at time ${new Date(iterator.issuedAt).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
          );
        }
        const limit = limitOf(request.Limit, 10_000, "limit");
        const shard = target.shards[iterator.shard];
        if (!shard) throw invalidArgument("Invalid ShardIterator.");
        kinesis.trim(target);
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
            ...(target.encryptionType === "KMS" ? { EncryptionType: "KMS" } : {}),
          });
          position++;
        }
        const next = log.at(position);
        return {
          Records: records,
          NextShardIterator: encodeIterator({ stream: target.name, shard: shard.index, position, issuedAt: now }),
          MillisBehindLatest: next ? Math.max(0, now - next.arrival) : 0,
        };
      },
      { invalid },
    ),

    DescribeStreamSummary: operation(DescribeStreamSummaryShape, (request, caller) => ({ StreamDescriptionSummary: summaryOf(kinesis.authorized(request, caller, "DescribeStreamSummary")) }), { invalid }),

    /** `aws kinesis describe-stream`: the summary's fields and a page of shards (Limit, ExclusiveStartShardId). */
    DescribeStream: operation(
      DescribeStreamShape,
      (request, caller) => {
        const target = kinesis.authorized(request, caller, "DescribeStream");
        const limit = limitOf(request.Limit, 100, "limit");
        const { OpenShardCount: _open, ConsumerCount: _consumers, ...description } = summaryOf(target);
        const after = request.ExclusiveStartShardId;
        const shards = target.shards.filter((shard) => after === undefined || shard.id > after);
        return { StreamDescription: { ...description, Shards: shards.slice(0, limit).map(shardDescription), HasMoreShards: shards.length > limit } };
      },
      { invalid },
    ),

    ListStreams: operation(
      ListStreamsShape,
      (request, caller) => {
        authorizeOrThrow(cloud, caller, "kinesis:ListStreams", cloud.arn("kinesis", "stream/*"));
        const limit = limitOf(request.Limit, 100, "limit");
        // The token carries the last name listed: the next page starts after it.
        const after = request.NextToken !== undefined ? decodeToken(request.NextToken, badToken, { stream: z.string() }).stream : request.ExclusiveStartStreamName;
        const names = kinesis.streamNames().filter((name) => after === undefined || name > after);
        const page = names.slice(0, limit);
        const more = names.length > limit;
        return {
          StreamNames: page,
          HasMoreStreams: more,
          StreamSummaries: page.map((name) => {
            const { StreamARN, StreamStatus, StreamModeDetails, StreamCreationTimestamp } = summaryOf(kinesis.lookup({ StreamName: name }));
            return { StreamName: name, StreamARN, StreamStatus, StreamModeDetails, StreamCreationTimestamp };
          }),
          ...(more ? { NextToken: encodeToken({ offset: 0, stream: page[page.length - 1] }) } : {}),
        };
      },
      { invalid },
    ),
  };
  return Object.fromEntries(Object.entries(operations).map(([name, op]) => [`Kinesis_20131202.${name}`, op]));
}

function summaryOf(stream: Stream) {
  return {
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
  };
}

function checkedSequence(sequence: string | undefined, stream: Stream, shard: Shard, account: string): string {
  if (sequence === undefined || !/^(0|[1-9]\d{0,128})$/.test(sequence)) {
    throw invalidArgument(`StartingSequenceNumber ${sequence} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${account} is invalid.`);
  }
  const value = BigInt(sequence);
  const encoded = value >= SEQUENCE_BASE ? Number((value - SEQUENCE_BASE) % SHARD_FACTOR) : -1;
  if (encoded !== shard.index) {
    throw invalidArgument(`Invalid StartingSequenceNumber. It encodes ${encoded >= 0 ? shardId(encoded) : "no shard of this stream"}, while it was used in a call to a shard with ${shard.id}`);
  }
  return sequence;
}

function decodeData(data: string, member: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new AwsError("SerializationException", `${member} is not valid base64`);
  return Buffer.from(data, "base64");
}

/** JSON 1.1 timestamps are epoch seconds; ISO text is accepted too. */
function parseTimestamp(value: number | string | undefined): number {
  const ms = typeof value === "number" ? value * 1000 : typeof value === "string" ? (/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value)) : NaN;
  if (!Number.isFinite(ms)) throw invalidArgument("The timestamp must be provided for the AT_TIMESTAMP shard iterator type.");
  return ms;
}

/** Where a reader is: a shard of a stream, a position in its log, and when the iterator was issued. */
interface IteratorState {
  stream: string;
  shard: number;
  position: number;
  issuedAt: number;
}

function encodeIterator(state: IteratorState): string {
  return Buffer.from(JSON.stringify([state.stream, state.shard, state.position, state.issuedAt])).toString("base64");
}

function decodeIterator(text: string): IteratorState {
  if (text.length === 0) throw constraint("Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
  try {
    const [stream, shard, position, issuedAt] = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown[];
    if (typeof stream === "string" && typeof shard === "number" && typeof position === "number" && typeof issuedAt === "number" && [shard, position, issuedAt].every(Number.isInteger)) {
      return { stream, shard, position, issuedAt };
    }
  } catch {
    // falls through to the error AWS gives for an iterator it did not issue
  }
  throw invalidArgument("Invalid ShardIterator.");
}
