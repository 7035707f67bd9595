/** Kinesis streams and DynamoDB tables. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { inRange, nameFormat } from "./formats";
import { list, Rule, T } from "./model";

export const dataRules: Rule[] = [
  {
    name: "kinesis-stream",
    severity: "mandatory",
    description: "A stream name is 1-128 characters of [a-zA-Z0-9_.-], retention 24-8760 hours, PROVISIONED with a shard count, KMS encryption with a key",
    docs: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html",
    subjects: [T.stream],
    check(stream, context) {
      const p = stream.props;
      nameFormat(context, p.name, NAMES.stream, "stream name");
      inRange(context, p.retentionPeriod, RANGES.kinesis.retentionHours, "retentionPeriod (hours)");
      const mode = p.streamModeDetails?.streamMode ?? "PROVISIONED";
      if (mode === "PROVISIONED" && !(p.shardCount >= 1)) context.report("a PROVISIONED stream without a shardCount of at least 1: CreateStream refuses it. Set shardCount or use ON_DEMAND.");
      if (p.encryptionType === "KMS" && !p.kmsKeyId) context.report('encryptionType KMS without kmsKeyId: StartStreamEncryption refuses it. Set kmsKeyId (a key of yours or "alias/aws/kinesis").');
    },
  },
  {
    name: "dynamodb-table",
    severity: "mandatory",
    description: "A table name is 3-255 characters of [a-zA-Z0-9_.-]; key attributes are defined and every defined attribute is a key; capacities match the billing mode; at most 20 global and 5 local indexes; streams and TTL fully specified",
    docs: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
    subjects: [T.table],
    check(table, context) {
      const p = table.props;
      nameFormat(context, p.name, NAMES.table, "table name");
      const defined = new Map(list(p.attributes as { name: string; type: string }[]).map((a) => [a.name, a.type]));
      const indexes = [...list(p.globalSecondaryIndexes as { hashKey?: string; rangeKey?: string; name?: string }[]), ...list(p.localSecondaryIndexes as { rangeKey?: string; name?: string }[])];
      const keys = [p.hashKey, p.rangeKey, ...indexes.flatMap((i) => [(i as { hashKey?: string }).hashKey, i.rangeKey])].filter((k): k is string => typeof k === "string");
      if (!p.hashKey) context.report("the table has no hashKey: CreateTable requires a partition key. Set hashKey and define it in attributes.");
      for (const key of keys) if (!defined.has(key)) context.report(`key attribute "${key}" is not in attributes: CreateTable refuses it. Define it with its type (S, N or B).`);
      for (const [name, type] of defined) {
        if (!keys.includes(name)) context.report(`attribute "${name}" is defined but is no key of the table or an index: CreateTable refuses it ("Some AttributeDefinitions are not used"). Define only key attributes.`);
        if (!["S", "N", "B"].includes(type)) context.report(`attribute "${name}" has type "${type}": key attributes are S, N or B.`);
      }
      const mode = p.billingMode ?? "PROVISIONED";
      if (mode === "PAY_PER_REQUEST" && (p.readCapacity || p.writeCapacity)) context.report("PAY_PER_REQUEST with read or write capacity: CreateTable refuses capacities on on-demand tables. Remove them.");
      if (mode === "PROVISIONED" && !(p.readCapacity >= 1 && p.writeCapacity >= 1)) context.report("a PROVISIONED table needs readCapacity and writeCapacity of at least 1. Set them, or use PAY_PER_REQUEST.");
      // Index quotas (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
      const gsis = list(p.globalSecondaryIndexes as { projectionType?: string; nonKeyAttributes?: string[] }[]);
      const lsis = list(p.localSecondaryIndexes as { projectionType?: string; nonKeyAttributes?: string[] }[]);
      if (gsis.length > RANGES.dynamodb.globalSecondaryIndexes.max) context.report(`${gsis.length} global secondary indexes; DynamoDB allows 20 per table by default. Remove some.`);
      if (lsis.length > RANGES.dynamodb.localSecondaryIndexes.max) context.report(`${lsis.length} local secondary indexes; DynamoDB allows 5 per table. Remove some.`);
      if (lsis.length > 0 && !p.rangeKey) context.report("local secondary indexes on a table without a sort key (rangeKey): CreateTable refuses them. Add a rangeKey or use global indexes.");
      for (const index of [...gsis, ...lsis]) {
        if (index.projectionType === "INCLUDE" && list(index.nonKeyAttributes).length === 0) context.report("an index with projectionType INCLUDE and no nonKeyAttributes: CreateTable refuses it. Name the attributes or project ALL / KEYS_ONLY.");
      }
      if (p.streamViewType && !p.streamEnabled) context.report("streamViewType without streamEnabled: DynamoDB refuses a stream view type on a table without a stream. Set streamEnabled: true.");
      if (p.ttl?.enabled && !p.ttl?.attributeName) context.report("TTL is enabled without an attributeName: UpdateTimeToLive refuses it. Name the expiry attribute.");
    },
  },
];
