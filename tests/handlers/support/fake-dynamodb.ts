import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DeleteItemCommandInput,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";

/**
 * A small in-memory DynamoDB table with the semantics the
 * handlers and Powertools idempotency rely on: single-key tables (`id`),
 * GetItem / DeleteItem, PutItem and UpdateItem with ConditionExpression
 * (attribute_exists, attribute_not_exists, = <> < <= > >=, AND, OR, NOT,
 * parentheses), UpdateExpression `SET a = v, b = if_not_exists(b, v)` and
 * `REMOVE a, b`, ReturnValues ALL_NEW/ALL_OLD and ReturnValuesOnConditionCheckFailure.
 * {@link FakeDynamoDb} serves it to the SDK through aws-sdk-client-mock; the
 * loopback endpoint of `local-aws.ts` serves it over HTTP to real bundles.
 */

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

// ---- expressions -------------------------------------------------------------

const TOKEN = /\s*(<>|<=|>=|=|<|>|\(|\)|,|[#:]?[A-Za-z_][A-Za-z0-9_.]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`FakeDynamoDB: cannot parse "${expression}" at ${TOKEN.lastIndex}`);
    tokens.push(match[1]!);
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: string[],
    private readonly names: Names,
    private readonly values: Values,
  ) {}

  peek(): string | undefined {
    return this.tokens[this.position];
  }
  next(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new Error("FakeDynamoDB: unexpected end of expression");
    return token;
  }
  expect(token: string): void {
    const actual = this.next();
    if (actual !== token) throw new Error(`FakeDynamoDB: expected "${token}", got "${actual}"`);
  }
  done(): boolean {
    return this.position >= this.tokens.length;
  }

  name(token: string): string {
    if (!token.startsWith("#")) return token;
    const name = this.names?.[token];
    if (name === undefined) throw new Error(`FakeDynamoDB: missing ExpressionAttributeNames ${token}`);
    return name;
  }
  operand(item: Item): AttributeValue | undefined {
    const token = this.next();
    if (token.startsWith(":")) {
      const value = this.values?.[token];
      if (value === undefined) throw new Error(`FakeDynamoDB: missing ExpressionAttributeValues ${token}`);
      return value;
    }
    if (token === "if_not_exists") {
      this.expect("(");
      const path = this.name(this.next());
      this.expect(",");
      const fallback = this.operand(item);
      this.expect(")");
      return item[path] ?? fallback;
    }
    return item[this.name(token)];
  }

  condition(item: Item): boolean {
    let result = this.conjunction(item);
    while (this.peek()?.toUpperCase() === "OR") {
      this.next();
      const right = this.conjunction(item);
      result = result || right;
    }
    return result;
  }
  private conjunction(item: Item): boolean {
    let result = this.negation(item);
    while (this.peek()?.toUpperCase() === "AND") {
      this.next();
      const right = this.negation(item);
      result = result && right;
    }
    return result;
  }
  private negation(item: Item): boolean {
    if (this.peek()?.toUpperCase() === "NOT") {
      this.next();
      return !this.negation(item);
    }
    return this.primary(item);
  }
  private primary(item: Item): boolean {
    const token = this.peek();
    if (token === "(") {
      this.next();
      const result = this.condition(item);
      this.expect(")");
      return result;
    }
    if (token === "attribute_exists" || token === "attribute_not_exists") {
      this.next();
      this.expect("(");
      const exists = item[this.name(this.next())] !== undefined;
      this.expect(")");
      return token === "attribute_exists" ? exists : !exists;
    }
    const left = this.operand(item);
    const comparator = this.next();
    const right = this.operand(item);
    return compare(left, comparator, right);
  }
}

function compare(left: AttributeValue | undefined, comparator: string, right: AttributeValue | undefined): boolean {
  if (left === undefined || right === undefined) return comparator === "<>" && left !== right;
  let a: number | string;
  let b: number | string;
  if (left.N !== undefined && right.N !== undefined) [a, b] = [Number(left.N), Number(right.N)];
  else if (left.S !== undefined && right.S !== undefined) [a, b] = [left.S, right.S];
  else if (left.BOOL !== undefined && right.BOOL !== undefined) [a, b] = [String(left.BOOL), String(right.BOOL)];
  else return comparator === "<>";
  switch (comparator) {
    case "=": return a === b;
    case "<>": return a !== b;
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
    default: throw new Error(`FakeDynamoDB: unsupported comparator ${comparator}`);
  }
}

function conditionHolds(expression: string | undefined, item: Item, names: Names, values: Values): boolean {
  if (!expression) return true;
  const parser = new Parser(tokenize(expression), names, values);
  const result = parser.condition(item);
  if (!parser.done()) throw new Error(`FakeDynamoDB: trailing tokens in "${expression}"`);
  return result;
}

function applyUpdate(expression: string, item: Item, names: Names, values: Values): Item {
  const updated: Item = { ...item };
  const parser = new Parser(tokenize(expression), names, values);
  while (!parser.done()) {
    const clause = parser.next().toUpperCase();
    do {
      if (parser.peek() === ",") parser.next();
      const path = parser.name(parser.next());
      if (clause === "SET") {
        parser.expect("=");
        const value = parser.operand(item);
        if (value === undefined) throw new Error(`FakeDynamoDB: SET ${path} to a missing attribute`);
        updated[path] = value;
      } else if (clause === "REMOVE") {
        delete updated[path];
      } else {
        throw new Error(`FakeDynamoDB: unsupported update clause ${clause}`);
      }
    } while (parser.peek() === ",");
  }
  return updated;
}

// ---- the table -----------------------------------------------------------------

/** A failed ConditionExpression, with the item as it was when ALL_OLD was asked for. */
export class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super("The conditional request failed");
  }
}

export class InMemoryTable {
  private readonly items = new Map<string, Item>();

  clear(): void {
    this.items.clear();
  }

  get(id: string): Item | undefined {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }

  /** Sets attributes of an item directly (test setup, e.g. a lease left by a crashed delivery). */
  patch(id: string, attributes: Item): void {
    this.items.set(id, { ...(this.items.get(id) ?? { id: { S: id } }), ...structuredClone(attributes) });
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  ids(): string[] {
    return [...this.items.keys()];
  }

  private keyOf(key: Item | undefined): string {
    const id = key?.id?.S;
    if (id === undefined) throw new Error("FakeDynamoDB: the key must be { id: { S } }");
    return id;
  }

  private check(expression: string | undefined, old: Item | undefined, input: ConditionalInput): void {
    if (!conditionHolds(expression, old ?? {}, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw new ConditionFailed(input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && old ? structuredClone(old) : undefined);
    }
  }

  getItem(input: GetItemCommandInput) {
    const item = this.items.get(this.keyOf(input.Key));
    return { Item: item && structuredClone(item) };
  }

  putItem(input: PutItemCommandInput) {
    const id = this.keyOf(input.Item);
    const old = this.items.get(id);
    this.check(input.ConditionExpression, old, input);
    this.items.set(id, structuredClone(input.Item!));
    return { Attributes: input.ReturnValues === "ALL_OLD" && old ? structuredClone(old) : undefined };
  }

  updateItem(input: UpdateItemCommandInput) {
    const id = this.keyOf(input.Key);
    const old = this.items.get(id);
    this.check(input.ConditionExpression, old, input);
    const current: Item = old ?? structuredClone(input.Key!);
    const updated = applyUpdate(input.UpdateExpression ?? "", current, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    this.items.set(id, updated);
    const returned = input.ReturnValues === "ALL_NEW" ? updated : input.ReturnValues === "ALL_OLD" ? old : undefined;
    return { Attributes: returned && structuredClone(returned) };
  }

  deleteItem(input: DeleteItemCommandInput) {
    this.items.delete(this.keyOf(input.Key));
    return {};
  }
}

type ConditionalInput = {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ReturnValuesOnConditionCheckFailure?: string;
};

// ---- behind aws-sdk-client-mock ----------------------------------------------------

/** The in-memory table behind every DynamoDBClient of this process (aws-sdk-client-mock). */
export class FakeDynamoDb extends InMemoryTable {
  readonly mock = mockClient(DynamoDBClient);

  constructor() {
    super();
    this.install();
  }

  /** Empties the table and re-installs the fake behaviour (after `mock.reset()`). */
  reset(): void {
    this.clear();
    this.mock.reset();
    this.install();
  }

  restore(): void {
    this.mock.restore();
  }

  private install(): void {
    const sdkErrors = <I, O>(operation: (input: I) => O) => (input: I): O => {
      try {
        return operation(input);
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        throw new ConditionalCheckFailedException({
          message: error.message,
          $metadata: { httpStatusCode: 400 },
          Item: error.item,
        });
      }
    };
    this.mock.on(GetItemCommand).callsFake(sdkErrors((input: GetItemCommandInput) => this.getItem(input)));
    this.mock.on(PutItemCommand).callsFake(sdkErrors((input: PutItemCommandInput) => this.putItem(input)));
    this.mock.on(UpdateItemCommand).callsFake(sdkErrors((input: UpdateItemCommandInput) => this.updateItem(input)));
    this.mock.on(DeleteItemCommand).callsFake(sdkErrors((input: DeleteItemCommandInput) => this.deleteItem(input)));
  }
}
