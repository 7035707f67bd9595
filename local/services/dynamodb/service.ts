import { createHash } from "crypto";
import type { z } from "zod";
import { NAMES, nameFits } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Operation, type Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { operation } from "../../common/operation";
import { useKey } from "../kms/service";
import { DeleteItemRequest, DescribeTableRequest, GetItemRequest, ListTablesRequest, PutItemRequest, QueryRequest, ScanRequest, UpdateItemRequest } from "./wire-requests";
import type { KeyType } from "./attribute-values";
import { InMemoryTable } from "./table";
import { DYNAMODB_ERROR_TYPES, invalidRequest, wireError } from "./wire-errors";

export { ConditionalCheckFailedError } from "./wire-errors";

/**
 * DynamoDB tables (`aws:dynamodb/table:Table`), each an {@link InMemoryTable}, served on the
 * endpoint in the JSON 1.0 protocol (`DynamoDB_20120810.<Op>`): GetItem, PutItem, UpdateItem,
 * DeleteItem, Query, Scan, DescribeTable, ListTables. A role calling needs `dynamodb:<Op>` on the
 * table's ARN, as in AWS. Errors carry DynamoDB's `__type` (`com.amazonaws.dynamodb.v20120810#...`);
 * a failed condition brings the item along when ReturnValuesOnConditionCheckFailure is ALL_OLD
 * (wire-errors.ts). Each request is checked against its shape (wire-requests.ts) before it runs.
 *
 * TTL (the table's `ttl` input): an expired item is deleted as soon as anything touches it (see
 * table.ts). Not emulated: secondary indexes (a table declaring them deploys, a request
 * naming one is refused), streams, transactions and batch operations, capacity and throttling.
 */

interface Table {
  name: string;
  arn: string;
  id: string;
  createdAt: number;
  billingMode: string;
  keySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
  attributeDefinitions: { AttributeName: string; AttributeType: KeyType }[];
  ttlAttribute?: string;
  /** The customer or AWS managed key of the table; undefined for the AWS owned key. */
  kmsKey?: string;
  store: InMemoryTable;
}

/** The JSON 1.0 target of an operation. */
const target = (name: string) => `DynamoDB_20120810.${name}`;
/** Requests without the shape are answered in DynamoDB's words. */
const shapeErrors = { invalid: invalidRequest };

export class DynamoDbService implements Service {
  readonly namespace = "dynamodb";
  readonly resourceTypes = ["aws:dynamodb/table:Table"] as const;
  readonly operations: Record<string, Operation>;
  private readonly tables = new Map<string, Table>();

  constructor(private readonly cloud: LocalCloud) {
    this.operations = {
      [target("GetItem")]: operation(GetItemRequest, (input, caller) => this.serve(caller, "GetItem", input.TableName, (table) => table.store.getItem(input)), shapeErrors),
      [target("PutItem")]: operation(PutItemRequest, (input, caller) => this.serve(caller, "PutItem", input.TableName, (table) => table.store.putItem(input)), shapeErrors),
      [target("UpdateItem")]: operation(UpdateItemRequest, (input, caller) => this.serve(caller, "UpdateItem", input.TableName, (table) => table.store.updateItem(input)), shapeErrors),
      [target("DeleteItem")]: operation(DeleteItemRequest, (input, caller) => this.serve(caller, "DeleteItem", input.TableName, (table) => table.store.deleteItem(input)), shapeErrors),
      [target("Query")]: operation(QueryRequest, (input, caller) => this.serve(caller, "Query", input.TableName, (table) => table.store.query(input)), shapeErrors),
      [target("Scan")]: operation(ScanRequest, (input, caller) => this.serve(caller, "Scan", input.TableName, (table) => table.store.scan(input)), shapeErrors),
      [target("DescribeTable")]: operation(DescribeTableRequest, (input, caller) => this.serve(caller, "DescribeTable", input.TableName, (table) => ({ Table: this.describe(table) })), shapeErrors),
      [target("ListTables")]: operation(ListTablesRequest, (input, caller) => this.listTables(input, caller), shapeErrors),
    };
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const name: string = state.name ?? inputs.name ?? resource.name;
    if (!nameFits(NAMES.table, name)) {
      throw new AwsError("ValidationException", `TableName must be at least 3 characters long and at most 255 characters long, and contain only a-z, A-Z, 0-9, '_', '-' and '.': ${name}`);
    }
    if (this.tables.has(name)) throw new AwsError("ResourceInUseException", `Table already exists: ${name}`);
    const hashKey: string | undefined = inputs.hashKey;
    const rangeKey: string | undefined = inputs.rangeKey;
    if (!hashKey) throw new AwsError("ValidationException", "1 validation error detected: the table has no hash key (hashKey)");
    const definitions = new Map<string, KeyType>();
    for (const attribute of (inputs.attributes ?? []) as { name: string; type: string }[]) {
      if (!["S", "N", "B"].includes(attribute.type)) {
        throw new AwsError("ValidationException", `1 validation error detected: Value '${attribute.type}' at 'attributeDefinitions.${attribute.name}.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]`);
      }
      definitions.set(attribute.name, attribute.type as KeyType);
    }
    const indexKeys = [...(inputs.globalSecondaryIndexes ?? []), ...(inputs.localSecondaryIndexes ?? [])].flatMap((index: { hashKey?: string; rangeKey?: string }) => [index.hashKey, index.rangeKey]);
    const keyAttributes = new Set([hashKey, rangeKey, ...indexKeys].filter((key): key is string => !!key));
    for (const key of keyAttributes) {
      if (!definitions.has(key)) throw new AwsError("ValidationException", `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${[...keyAttributes].join(", ")}], AttributeDefinitions: [${[...definitions.keys()].join(", ")}]`);
    }
    if (definitions.size !== keyAttributes.size) {
      throw new AwsError("ValidationException", "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
    }
    const ttlAttribute: string | undefined = inputs.ttl?.enabled ? inputs.ttl.attributeName : undefined;
    const keyTypes = Object.fromEntries([hashKey, rangeKey].filter((key): key is string => !!key).map((key) => [key, definitions.get(key)!]));
    const arn: string = state.arn ?? this.cloud.arn("dynamodb", `table/${name}`);
    this.tables.set(name, {
      name,
      arn,
      id: resource.id,
      createdAt: this.cloud.clock.now(),
      billingMode: inputs.billingMode ?? "PROVISIONED",
      keySchema: [{ AttributeName: hashKey, KeyType: "HASH" as const }, ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: "RANGE" as const }] : [])],
      attributeDefinitions: [...definitions].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      ttlAttribute,
      // Encryption on without a key is the AWS managed key; off is the AWS owned key (no KMS policy).
      kmsKey: inputs.serverSideEncryption?.enabled ? (inputs.serverSideEncryption.kmsKeyArn ?? "alias/aws/dynamodb") : undefined,
      store: new InMemoryTable({ hashKey, rangeKey, keyTypes, ttlAttribute, now: () => this.cloud.clock.now() }),
    });
  }

  /** A table's items, by name or ARN (tests and reports read it directly). */
  table(nameOrArn: string): InMemoryTable {
    return this.lookup(nameOrArn).store;
  }

  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  private lookup(nameOrArn: string | undefined): Table {
    const name = nameOrArn?.startsWith("arn:") ? nameOrArn.slice(nameOrArn.indexOf(":table/") + 7) : nameOrArn;
    const table = name === undefined ? undefined : this.tables.get(name);
    if (!table) throw new AwsError(DYNAMODB_ERROR_TYPES.ResourceNotFoundException, "Requested resource not found");
    return table;
  }

  /** Finds the table, authorizes `dynamodb:<action>` on it, runs the operation, maps its errors. */
  private serve(caller: Principal, action: string, tableName: string, run: (table: Table) => unknown): unknown {
    try {
      // The shape requires TableName; an empty one is answered as AWS answers an absent one.
      if (!tableName) throw new AwsError("ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
      const table = this.lookup(tableName);
      authorizeOrThrow(this.cloud, caller, `dynamodb:${action}`, table.arn);
      // DynamoDB decrypts the table key with the table's KMS key for the caller when it reads or
      // writes items: the caller must be allowed kms:Decrypt on it, else AccessDeniedException.
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
      if (action !== "DescribeTable") {
        useKey(this.cloud, table.kmsKey, ["kms:Decrypt"], caller, "dynamodb", (message) => new AwsError(DYNAMODB_ERROR_TYPES.AccessDeniedException, message));
      }
      return run(table);
    } catch (error) {
      throw wireError(error);
    }
  }

  private listTables(body: z.output<typeof ListTablesRequest>, caller: Principal) {
    try {
      // ListTables has no resource-level permissions: a policy grants it on "*".
      authorizeOrThrow(this.cloud, caller, "dynamodb:ListTables", "*");
      const limit = body.Limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new AwsError("ValidationException", `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`);
      }
      const names = this.tableNames().filter((name) => body.ExclusiveStartTableName === undefined || name > body.ExclusiveStartTableName);
      const page = names.slice(0, limit);
      return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
    } catch (error) {
      throw wireError(error);
    }
  }

  private describe(table: Table) {
    return {
      TableName: table.name,
      TableArn: table.arn,
      TableId: tableId(table.arn),
      TableStatus: "ACTIVE",
      CreationDateTime: table.createdAt / 1000,
      KeySchema: table.keySchema,
      AttributeDefinitions: table.attributeDefinitions,
      ItemCount: table.store.size,
      TableSizeBytes: 0,
      BillingModeSummary: { BillingMode: table.billingMode },
      ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
      DeletionProtectionEnabled: false,
    };
  }
}

/** A UUID-shaped id derived from the ARN, stable across runs. */
function tableId(arn: string): string {
  const hex = createHash("md5").update(arn).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
