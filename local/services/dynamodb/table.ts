import { cloneItem, cloneValue, copyItem, order, type AttributeValue, type Item } from "./attribute-values";
import { holds } from "./conditions";
import { parseCondition, parseProjection, parseUpdate, type Condition, type Parsed, type Path } from "./expression-parser";
import { keyConditionParts } from "./key-condition";
import { Scope } from "./placeholders";
import { project } from "./projection";
import { checkReturnValues, refuseLegacy, type ConditionalInput, type DeleteItemInput, type GetItemInput, type PutItemInput, type QueryInput, type ReadManyInput, type ReadManyOutput, type ScanInput, type UpdateItemInput } from "./table-requests";
import { TableKeys, type TableSchema } from "./table-keys";
import { applyUpdate } from "./update-expression";
import { AwsError } from "../../aws-error";


/** A failed ConditionExpression, with the item as it was when ALL_OLD was asked for. */
export class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super("The conditional request failed");
  }
}

/** TTL: AWS deletes only items expired within the last five years. */
const FIVE_YEARS_MS = 5 * 365 * 24 * 3600 * 1000;

/**
 * One DynamoDB table in memory, with DynamoDB's item semantics: a hash key and an optional range
 * key (items of a partition kept in range-key order), GetItem / PutItem / UpdateItem /
 * DeleteItem with ConditionExpression, Query (key condition on the hash key plus =, <, <=, >, >=,
 * BETWEEN or begins_with on the range key) and Scan with FilterExpression, ProjectionExpression,
 * Limit / ExclusiveStartKey paging, ReturnValues and ReturnValuesOnConditionCheckFailure.
 *
 * Expressions follow DynamoDB's grammar: document paths (`a.b[0]`, `#n`), comparators, BETWEEN,
 * IN, AND / OR / NOT, attribute_exists, attribute_not_exists, attribute_type, begins_with,
 * contains, size; updates SET (with `+`, `-`, if_not_exists, list_append), REMOVE, ADD, DELETE.
 * Numbers are exact decimals, as in DynamoDB. Placeholders AWS would refuse (undefined or unused)
 * are refused with AWS's ValidationException messages.
 *
 * TTL: an item whose TTL attribute (epoch seconds) lies in the past, within the five years AWS
 * considers, is deleted the moment anything touches it, so it is never read, returned or
 * matched by a condition. AWS deletes within days and may return expired items meanwhile; code
 * that relies on that lag is wrong in AWS too, so the local cloud takes the strict reading.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 *
 * The parts live beside this file: the expression language (expression-parser.ts), placeholders
 * (placeholders.ts), conditions.ts, update-expression.ts, projection.ts, key-condition.ts, the
 * key (table-keys.ts), values (attribute-values.ts) and numbers (decimal.ts).
 *
 * Not emulated: secondary indexes, the 400 KB item and 1 MB page limits, reserved-word checks on
 * bare attribute names, legacy parameters (Expected, AttributeUpdates, KeyConditions, filters).
 */
export class InMemoryTable {
  readonly schema: TableSchema;
  /** Items by their key (see `TableKeys.keyString`). */
  private readonly items = new Map<string, Item>();
  /** With a range key: the items of each partition, in range-key order. */
  private readonly partitions = new Map<string, Item[]>();
  private readonly keys: TableKeys;

  constructor(schema: TableSchema = { hashKey: "id" }) {
    this.schema = schema;
    this.keys = new TableKeys(schema);
  }

  get size(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
    this.partitions.clear();
  }

  // -- direct access (tests, seeding) --

  /** The item with this hash key (and range key), as a copy. Key values are given as text. */
  get(hash: string, range?: string): Item | undefined {
    const item = this.live(this.keys.keyString(this.keys.keyFrom(hash, range), "key"));
    return item && cloneItem(item);
  }

  /** Sets attributes of an item directly (test setup, e.g. a lease left by a crashed delivery). */
  patch(hash: string, attributes: Item, range?: string): void {
    const key = this.keys.keyFrom(hash, range);
    const current = this.live(this.keys.keyString(key, "key"));
    this.store({ ...(current ?? key), ...copyItem(attributes) });
  }

  delete(hash: string, range?: string): void {
    this.remove(this.keys.keyString(this.keys.keyFrom(hash, range), "key"));
  }

  /** The hash key of every item, as text. */
  ids(): string[] {
    return [...this.items.values()].map((item) => this.keys.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item"));
  }

  // -- the API --

  getItem(input: GetItemInput): { Item?: Item } {
    refuseLegacy(input);
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    const scope = new Scope(input, [["ProjectionExpression", projection]]);
    const item = this.live(this.keys.keyString(this.keys.checkedKey(input.Key), "key"));
    if (!item) return {};
    return { Item: projection ? project(item, projection.tree.map((path) => scope.segments(path))) : cloneItem(item) };
  }

  putItem(input: PutItemInput): { Attributes?: Item } {
    refuseLegacy(input);
    checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"], "ReturnValues can only be ALL_OLD or NONE");
    if (!input.Item) throw AwsError.validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
    const item = copyItem(input.Item);
    const key = this.keys.keyString(item, "item");
    const old = this.live(key);
    this.check(input, old);
    this.store(item, key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: cloneItem(old) } : {};
  }

  updateItem(input: UpdateItemInput): { Attributes?: Item } {
    refuseLegacy(input);
    checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"], "ReturnValues can only be one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW");
    const keyItem = this.keys.checkedKey(input.Key);
    const key = this.keys.keyString(keyItem, "key");
    const update = input.UpdateExpression ? parseUpdate(input.UpdateExpression) : undefined;
    const old = this.live(key);
    const scope = this.check(input, old, [["UpdateExpression", update]]);
    const { updated, touched } = update ? applyUpdate(update.tree, old ?? copyItem(keyItem), scope, this.keys.keyNames) : { updated: old ?? copyItem(keyItem), touched: new Set<string>() };
    this.store(updated, key);
    const pick = (item: Item | undefined) => {
      if (!item) return undefined;
      const picked: Item = {};
      for (const name of touched) if (item[name]) picked[name] = cloneValue(item[name]);
      return Object.keys(picked).length > 0 ? picked : undefined;
    };
    switch (input.ReturnValues) {
      case "ALL_NEW":
        return { Attributes: cloneItem(updated) };
      case "ALL_OLD":
        return old ? { Attributes: cloneItem(old) } : {};
      case "UPDATED_NEW":
        return { Attributes: pick(updated) };
      case "UPDATED_OLD":
        return { Attributes: pick(old) };
      default:
        return {};
    }
  }

  deleteItem(input: DeleteItemInput): { Attributes?: Item } {
    refuseLegacy(input);
    checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"], "ReturnValues can only be ALL_OLD or NONE");
    const key = this.keys.keyString(this.keys.checkedKey(input.Key), "key");
    const old = this.live(key);
    this.check(input, old);
    this.remove(key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: cloneItem(old) } : {};
  }

  query(input: QueryInput): ReadManyOutput {
    refuseLegacy(input);
    this.refuseIndex(input.IndexName);
    if (!input.KeyConditionExpression) throw AwsError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    const keyCondition = parseCondition("KeyConditionExpression", input.KeyConditionExpression);
    const { filter, projection, scope } = this.readParts(input, [["KeyConditionExpression", keyCondition]]);
    const { hash, range } = keyConditionParts(keyCondition.tree, scope, this.schema);
    const hashText = this.keys.keyPart(this.schema.hashKey, scope.value(hash), "condition");
    let candidates: Item[];
    if (this.schema.rangeKey) {
      candidates = this.partitions.get(hashText) ?? [];
      if (input.ScanIndexForward === false) candidates = [...candidates].reverse();
    } else {
      const item = this.items.get(hashText);
      candidates = item ? [item] : [];
    }
    const keyCheck = range ? (item: Item) => holds(range, item, scope, "KeyConditionExpression") : undefined;
    const start = input.ExclusiveStartKey ? this.keys.keyString(this.keys.checkedKey(input.ExclusiveStartKey, "ExclusiveStartKey"), "key") : undefined;
    return this.page(candidates, start, keyCheck, filter, projection, input, scope);
  }

  scan(input: ScanInput): ReadManyOutput {
    refuseLegacy(input);
    this.refuseIndex(input.IndexName);
    if (input.TotalSegments !== undefined || input.Segment !== undefined) {
      const total = input.TotalSegments ?? 0;
      const segment = input.Segment ?? -1;
      if (!(total >= 1 && total <= 1_000_000 && segment >= 0 && segment < total)) throw AwsError.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
    }
    const { filter, projection, scope } = this.readParts(input, []);
    // Scan order is by key, so a page boundary survives deletes between pages.
    let keys = [...this.items.keys()].sort();
    if (input.TotalSegments) keys = keys.filter((_, index) => index % input.TotalSegments! === input.Segment);
    const candidates = keys.map((key) => this.items.get(key)!);
    const start = input.ExclusiveStartKey ? this.keys.keyString(this.keys.checkedKey(input.ExclusiveStartKey, "ExclusiveStartKey"), "key") : undefined;
    return this.page(candidates, start, undefined, filter, projection, input, scope);
  }

  // -- internals --

  private refuseIndex(indexName: string | undefined): void {
    if (indexName !== undefined) throw AwsError.validation(`The table does not have the specified index: ${indexName}`);
  }

  private readParts(input: ReadManyInput, extra: [string, Parsed<unknown>][]) {
    if (input.Limit !== undefined && !(Number.isInteger(input.Limit) && input.Limit >= 1)) {
      throw AwsError.validation(`1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    if (input.Select !== undefined && !["ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"].includes(input.Select)) {
      throw AwsError.validation(input.Select === "ALL_PROJECTED_ATTRIBUTES" ? "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName" : `1 validation error detected: Value '${input.Select}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`);
    }
    const filter = input.FilterExpression ? parseCondition("FilterExpression", input.FilterExpression) : undefined;
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    const scope = new Scope(input, [...extra, ["FilterExpression", filter], ["ProjectionExpression", projection]]);
    return { filter, projection, scope };
  }

  /** Evaluates up to Limit candidates after the start key: key condition, then filter, then projection. */
  private page(
    candidates: Item[],
    start: string | undefined,
    keyCheck: ((item: Item) => boolean) | undefined,
    filter: Parsed<Condition> | undefined,
    projection: Parsed<Path[]> | undefined,
    input: ReadManyInput,
    scope: Scope,
  ): ReadManyOutput {
    const paths = projection?.tree.map((path) => scope.segments(path));
    const items: Item[] = [];
    const expired: string[] = [];
    let scanned = 0;
    let last: Item | undefined;
    let started = start === undefined;
    for (const item of candidates) {
      const key = this.keys.keyString(item, "item");
      if (!started) {
        started = key === start;
        continue;
      }
      if (this.isExpired(item)) {
        expired.push(key);
        continue;
      }
      if (keyCheck && !keyCheck(item)) continue;
      scanned++;
      last = item;
      if (!filter || holds(filter.tree, item, scope, "FilterExpression")) items.push(paths ? project(item, paths) : cloneItem(item));
      if (input.Limit !== undefined && scanned >= input.Limit) break;
    }
    for (const key of expired) this.remove(key);
    const output: ReadManyOutput = { Count: items.length, ScannedCount: scanned };
    if (input.Select !== "COUNT") output.Items = items;
    if (input.Limit !== undefined && scanned >= input.Limit && last) output.LastEvaluatedKey = this.keys.keyOf(last);
    return output;
  }

  private check(input: ConditionalInput, old: Item | undefined, extra: [string, Parsed<unknown> | undefined][] = []): Scope {
    const condition = input.ConditionExpression ? parseCondition("ConditionExpression", input.ConditionExpression) : undefined;
    const onFailure = input.ReturnValuesOnConditionCheckFailure;
    checkReturnValues(onFailure, ["NONE", "ALL_OLD"], "ReturnValuesOnConditionCheckFailure can only be ALL_OLD or NONE");
    const scope = new Scope(input, [...extra, ["ConditionExpression", condition]]);
    if (condition && !holds(condition.tree, old ?? {}, scope, "ConditionExpression")) {
      throw new ConditionFailed(onFailure === "ALL_OLD" && old ? cloneItem(old) : undefined);
    }
    return scope;
  }

  private isExpired(item: Item): boolean {
    const ttl = this.schema.ttlAttribute && item[this.schema.ttlAttribute]?.N;
    if (!ttl) return false;
    const expiresAt = Number(ttl) * 1000;
    const now = (this.schema.now ?? Date.now)();
    return expiresAt < now && expiresAt > now - FIVE_YEARS_MS;
  }

  /** The stored item under `key`, unless its TTL has passed (then it is deleted now). */
  private live(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item && this.isExpired(item)) {
      this.remove(key);
      return undefined;
    }
    return item;
  }

  private store(item: Item, key = this.keys.keyString(item, "item")): void {
    const existed = this.items.has(key);
    this.items.set(key, item);
    const rangeKey = this.schema.rangeKey;
    if (!rangeKey) return;
    const hash = this.keys.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item");
    let partition = this.partitions.get(hash);
    if (!partition) this.partitions.set(hash, (partition = []));
    const index = this.position(partition, item[rangeKey]);
    if (existed) partition[index] = item;
    else partition.splice(index, 0, item);
  }

  private remove(key: string): void {
    const item = this.items.get(key);
    if (!item) return;
    this.items.delete(key);
    const rangeKey = this.schema.rangeKey;
    if (!rangeKey) return;
    const hash = this.keys.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item");
    const partition = this.partitions.get(hash)!;
    partition.splice(this.position(partition, item[rangeKey]), 1);
    if (partition.length === 0) this.partitions.delete(hash);
  }

  /** First index in the partition whose range key is >= `range` (binary search). */
  private position(partition: Item[], range: AttributeValue): number {
    const rangeKey = this.schema.rangeKey!;
    let low = 0;
    let high = partition.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(partition[middle][rangeKey], range)! < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

}
