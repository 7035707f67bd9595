import { runOperation } from "../../local/cloud";
import { createHash } from "crypto";
import { LocalCloud } from "../../local/cloud";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import { KinesisService } from "../../local/services/kinesis/service";

const ACCOUNT = "123456789012";
const STREAM = "analytics";
const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/${STREAM}`;
const operator: Principal = { kind: "operator" };
const b64 = (text: string) => Buffer.from(text).toString("base64");
const text = (data: string) => Buffer.from(data, "base64").toString("utf8");

async function deploy(inputs: Record<string, unknown> = { streamModeDetails: { streamMode: "ON_DEMAND" } }) {
  const cloud = new LocalCloud();
  const kinesis = new KinesisService(cloud);
  cloud.register(kinesis);
  const mocks = new RecordingMocks();
  mocks.newResource({ type: "aws:kinesis/stream:Stream", name: STREAM, inputs: { name: STREAM, retentionPeriod: 24, ...inputs } } as any);
  await cloud.deploy(mocks.resources);
  const call = (op: string, body: Record<string, unknown>, caller: Principal = operator): any => runOperation(kinesis.operations[`Kinesis_20131202.${op}`], body, caller);
  return { cloud, kinesis, call };
}

/** Moves the virtual clock on by `ms`. */
async function advance(cloud: LocalCloud, ms: number): Promise<void> {
  cloud.clock.schedule(ms, () => undefined);
  await cloud.clock.settle();
}

describe("Kinesis shards", () => {
  it("splits the 128-bit hash key space evenly: 4 shards on demand", async () => {
    const { call } = await deploy();
    const { Shards } = call("ListShards", { StreamName: STREAM });
    expect(Shards.map((s: any) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]);
    expect(Shards[0].HashKeyRange).toEqual({ StartingHashKey: "0", EndingHashKey: "85070591730234615865843651857942052863" });
    expect(Shards[3].HashKeyRange.EndingHashKey).toBe(((1n << 128n) - 1n).toString());
    for (let i = 1; i < Shards.length; i++) expect(BigInt(Shards[i].HashKeyRange.StartingHashKey)).toBe(BigInt(Shards[i - 1].HashKeyRange.EndingHashKey) + 1n);
    expect(Shards[0].SequenceNumberRange.StartingSequenceNumber).toMatch(/^\d{56}$/);
  });

  it("routes a record to the shard whose range holds the MD5 of its partition key", async () => {
    const { call } = await deploy({ shardCount: 3 });
    const { Shards } = call("ListShards", { StreamARN: STREAM_ARN });
    expect(Shards).toHaveLength(3);
    const expectedShard = (key: string) => {
      const hash = BigInt(`0x${createHash("md5").update(key).digest("hex")}`);
      return Shards.find((s: any) => BigInt(s.HashKeyRange.StartingHashKey) <= hash && hash <= BigInt(s.HashKeyRange.EndingHashKey)).ShardId;
    };
    const used = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const key = `order-${i}`;
      const { ShardId } = call("PutRecord", { StreamName: STREAM, PartitionKey: key, Data: b64(`event ${i}`) });
      expect(ShardId).toBe(expectedShard(key));
      used.add(ShardId);
    }
    expect(used.size).toBe(3);
    // the same key always lands on the same shard; an explicit hash key overrides the key
    expect(call("PutRecord", { StreamName: STREAM, PartitionKey: "order-7", Data: b64("again") }).ShardId).toBe(expectedShard("order-7"));
    expect(call("PutRecord", { StreamName: STREAM, PartitionKey: "any", ExplicitHashKey: ((1n << 128n) - 1n).toString(), Data: b64("x") }).ShardId).toBe("shardId-000000000002");
  });

  it("refuses a provisioned stream without shards", async () => {
    await expect(deploy({ streamModeDetails: { streamMode: "PROVISIONED" } })).rejects.toThrow(/InvalidArgumentException/);
  });
});

describe("Kinesis reading", () => {
  it("round-trips records through GetShardIterator and GetRecords", async () => {
    const { cloud, call } = await deploy({ shardCount: 1 });
    const sequences: string[] = [];
    for (let i = 0; i < 5; i++) {
      sequences.push(call("PutRecord", { StreamName: STREAM, PartitionKey: "p", Data: b64(`r${i}`) }).SequenceNumber);
      await advance(cloud, 1000);
    }
    expect([...sequences].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(sequences);

    const { ShardIterator } = call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
    const first = call("GetRecords", { ShardIterator, Limit: 2 });
    expect(first.Records.map((r: any) => text(r.Data))).toEqual(["r0", "r1"]);
    expect(first.Records[0]).toMatchObject({ SequenceNumber: sequences[0], PartitionKey: "p" });
    expect(first.Records[0].ApproximateArrivalTimestamp).toBeLessThan(first.Records[1].ApproximateArrivalTimestamp);
    expect(first.MillisBehindLatest).toBeGreaterThan(0);
    const rest = call("GetRecords", { ShardIterator: first.NextShardIterator });
    expect(rest.Records.map((r: any) => text(r.Data))).toEqual(["r2", "r3", "r4"]);
    expect(rest.MillisBehindLatest).toBe(0);
    const empty = call("GetRecords", { ShardIterator: rest.NextShardIterator });
    expect(empty.Records).toEqual([]);

    const at = (type: string, extra: Record<string, unknown>) =>
      call("GetRecords", { ShardIterator: call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: type, ...extra }).ShardIterator }).Records.map((r: any) =>
        text(r.Data),
      );
    expect(at("AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[3] })).toEqual(["r3", "r4"]);
    expect(at("AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[3] })).toEqual(["r4"]);
    expect(at("AT_TIMESTAMP", { Timestamp: first.Records[1].ApproximateArrivalTimestamp })).toEqual(["r1", "r2", "r3", "r4"]);
    expect(at("LATEST", {})).toEqual([]);

    // LATEST sees what is put after it was issued
    const latest = call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }).ShardIterator;
    call("PutRecord", { StreamName: STREAM, PartitionKey: "p", Data: b64("r5") });
    expect(call("GetRecords", { ShardIterator: latest }).Records.map((r: any) => text(r.Data))).toEqual(["r5"]);
  });

  it("expires iterators after 5 minutes and trims records past the retention period", async () => {
    const { cloud, call, kinesis } = await deploy({ shardCount: 1 });
    call("PutRecord", { StreamName: STREAM, PartitionKey: "p", Data: b64("old") });
    const iterator = call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }).ShardIterator;
    await advance(cloud, 300_001);
    expect(() => call("GetRecords", { ShardIterator: iterator })).toThrow(expect.objectContaining({ code: "ExpiredIteratorException" }));
    await advance(cloud, 24 * 3600_000);
    call("PutRecord", { StreamName: STREAM, PartitionKey: "p", Data: b64("new") });
    expect(kinesis.records(STREAM).map((r) => r.data)).toEqual(["new"]);
  });

  it("answers with Kinesis's errors", async () => {
    const { call } = await deploy({ shardCount: 2 });
    expect(() => call("PutRecord", { StreamName: "nope", PartitionKey: "p", Data: b64("x") })).toThrow(
      expect.objectContaining({ code: "ResourceNotFoundException", message: `Stream nope under account ${ACCOUNT} not found.` }),
    );
    expect(() => call("PutRecord", { StreamName: STREAM, Data: b64("x") })).toThrow(expect.objectContaining({ code: "ValidationException" }));
    expect(() => call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" })).toThrow(expect.objectContaining({ code: "ResourceNotFoundException" }));
    expect(() => call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "SOMEWHERE" })).toThrow(expect.objectContaining({ code: "ValidationException" }));
    const { SequenceNumber, ShardId } = call("PutRecord", { StreamName: STREAM, PartitionKey: "p", Data: b64("x") });
    const otherShard = ShardId === "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
    expect(() => call("GetShardIterator", { StreamName: STREAM, ShardId: otherShard, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: SequenceNumber })).toThrow(
      expect.objectContaining({ code: "InvalidArgumentException", message: expect.stringContaining(`It encodes ${ShardId}`) }),
    );
    expect(() => call("GetRecords", { ShardIterator: "bm9wZQ==" })).toThrow(expect.objectContaining({ code: "InvalidArgumentException", message: "Invalid ShardIterator." }));
  });
});

describe("Kinesis as an EventBridge target", () => {
  const role: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/bus-to-analytics` };

  it("puts a delivered event when the target role may kinesis:PutRecord, and refuses it otherwise", async () => {
    const { cloud, kinesis, call } = await deploy();
    await expect(cloud.deliver(STREAM_ARN, { body: '{"orderId":"o-1"}', partitionKey: "o-1" }, role)).rejects.toMatchObject({ code: "AccessDeniedException" });
    cloud.iam.putRolePolicy(role.arn, "put", [{ Effect: "Allow", Action: "kinesis:PutRecord", Resource: STREAM_ARN }]);
    await cloud.deliver(STREAM_ARN, { body: '{"orderId":"o-1"}', partitionKey: "o-1" }, role);
    await cloud.deliver(STREAM_ARN, { body: '{"orderId":"o-2"}', partitionKey: "o-2" }, role);
    const records = kinesis.records(STREAM_ARN);
    expect(records.map((r) => [r.partitionKey, r.data])).toEqual([
      ["o-1", '{"orderId":"o-1"}'],
      ["o-2", '{"orderId":"o-2"}'],
    ]);
    expect(records[0].shardId).toBe(kinesis.shardFor(STREAM, "o-1"));
    expect(records[0].approximateArrivalTimestamp).toBeLessThanOrEqual(cloud.clock.now());
    expect(cloud.trace.count("record.put")).toBe(2);
    expect(cloud.trace.records[0]).toMatchObject({ kind: "record.put", resource: STREAM });
    // the role has PutRecord only
    expect(() => call("GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }, role)).toThrow(expect.objectContaining({ code: "AccessDeniedException" }));
  });
});

describe("Kinesis stream operations", () => {
  it("puts batches and describes and lists streams", async () => {
    const { call } = await deploy({ streamModeDetails: { streamMode: "ON_DEMAND" }, encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" });
    const batch = call("PutRecords", { StreamName: STREAM, Records: [0, 1, 2].map((i) => ({ PartitionKey: `k${i}`, Data: b64(`d${i}`) })) });
    expect(batch).toMatchObject({ FailedRecordCount: 0, EncryptionType: "KMS" });
    expect(batch.Records).toHaveLength(3);
    expect(batch.Records[0]).toEqual({ ShardId: expect.stringMatching(/^shardId-/), SequenceNumber: expect.stringMatching(/^\d{56}$/) });
    const { StreamDescriptionSummary: summary } = call("DescribeStreamSummary", { StreamName: STREAM });
    expect(summary).toMatchObject({ StreamName: STREAM, StreamARN: STREAM_ARN, StreamStatus: "ACTIVE", StreamModeDetails: { StreamMode: "ON_DEMAND" }, RetentionPeriodHours: 24, OpenShardCount: 4, EncryptionType: "KMS" });
    expect(call("ListStreams", {})).toMatchObject({ StreamNames: [STREAM], HasMoreStreams: false, StreamSummaries: [{ StreamName: STREAM, StreamARN: STREAM_ARN }] });
    const page = call("ListShards", { StreamName: STREAM, MaxResults: 3 });
    expect(page.Shards).toHaveLength(3);
    expect(call("ListShards", { NextToken: page.NextToken }).Shards.map((s: any) => s.ShardId)).toEqual(["shardId-000000000003"]);
    expect(() => call("PutRecords", { StreamName: STREAM, Records: [] })).toThrow(expect.objectContaining({ code: "ValidationException" }));
  });

  it("describes a stream with a page of its shards (aws kinesis describe-stream), authorized as kinesis:DescribeStream", async () => {
    const { call } = await deploy();
    const { StreamDescription: first } = call("DescribeStream", { StreamName: STREAM, Limit: 3 });
    expect(first).toMatchObject({ StreamName: STREAM, StreamARN: STREAM_ARN, StreamStatus: "ACTIVE", RetentionPeriodHours: 24, HasMoreShards: true });
    expect(first.Shards.map((s: any) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    const rest = call("DescribeStream", { StreamName: STREAM, ExclusiveStartShardId: "shardId-000000000002" }).StreamDescription;
    expect(rest).toMatchObject({ HasMoreShards: false, Shards: [{ ShardId: "shardId-000000000003" }] });
    const stranger: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/stranger` };
    expect(() => call("DescribeStream", { StreamName: STREAM }, stranger)).toThrow(expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining("kinesis:DescribeStream") }));
  });

  it("checks requests against their shapes (tied to the SDK's input types), in Kinesis's words", async () => {
    const { call, kinesis } = await deploy();
    // Data is base64 text on the wire: a number is a SerializationException, and nothing is put.
    expect(() => call("PutRecord", { StreamName: STREAM, PartitionKey: "k", Data: 42 })).toThrow(expect.objectContaining({ code: "SerializationException" }));
    expect(() => call("PutRecords", { StreamName: STREAM, Records: [{ PartitionKey: "a", Data: b64("1") }, { Data: b64("2") }] })).toThrow(
      expect.objectContaining({ code: "ValidationException", message: "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null" }),
    );
    expect(() => call("ListShards", { StreamName: STREAM, MaxResults: "3" })).toThrow(expect.objectContaining({ code: "SerializationException" }));
    expect(kinesis.records(STREAM)).toEqual([]);
  });

  it("pages with the shared paging scheme: a ListShards token carries its stream, a token it did not issue is refused", async () => {
    const { call } = await deploy();
    const page = call("ListShards", { StreamName: STREAM, MaxResults: 2 });
    const next = call("ListShards", { NextToken: page.NextToken, MaxResults: 2 });
    expect(next.Shards.map((s: any) => s.ShardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(next.NextToken).toBeUndefined();
    const offsetOnly = Buffer.from(JSON.stringify({ offset: 2 })).toString("base64");
    for (const token of ["%%%", offsetOnly]) {
      expect(() => call("ListShards", { NextToken: token })).toThrow(expect.objectContaining({ code: "InvalidArgumentException", message: "Invalid NextToken." }));
    }
    expect(() => call("ListStreams", { NextToken: offsetOnly })).toThrow(expect.objectContaining({ code: "InvalidArgumentException" }));
  });
});
