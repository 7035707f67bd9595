import { AwsError } from "../../aws-error";

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
 *
 * Not emulated: secondary indexes, the 400 KB item and 1 MB page limits, reserved-word checks on
 * bare attribute names, legacy parameters (Expected, AttributeUpdates, KeyConditions, filters).
 */

// ---- attribute values ------------------------------------------------------------------------

/** DynamoDB's AttributeValue; B is base64 text on the wire and bytes from an in-process SDK. */
export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string | Uint8Array;
  SS?: string[];
  NS?: string[];
  BS?: (string | Uint8Array)[];
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
}

export type Item = Record<string, AttributeValue>;
export type KeyType = "S" | "N" | "B";
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

const TYPES = ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"] as const;
type TypeName = (typeof TYPES)[number];

const validation = (message: string) => new AwsError("ValidationException", message);

function typeOf(value: AttributeValue): TypeName {
  let found: TypeName | undefined;
  for (const type of TYPES) {
    if ((value as Record<string, unknown>)[type] === undefined) continue;
    if (found) throw validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    found = type;
  }
  if (!found) throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  return found;
}

const bytesOf = (value: string | Uint8Array): Buffer => (typeof value === "string" ? Buffer.from(value, "base64") : Buffer.from(value));

/** A validated copy: stored items never share objects with requests or responses. */
function copyValue(value: AttributeValue): AttributeValue {
  switch (typeOf(value)) {
    case "S":
      return { S: value.S };
    case "N":
      return { N: canonicalNumber(value.N!) };
    case "B":
      return { B: typeof value.B === "string" ? value.B : Uint8Array.from(value.B!) };
    case "SS":
      return { SS: checkedSet(value.SS!, "string", (s) => s) };
    case "NS":
      return { NS: checkedSet(value.NS!.map(canonicalNumber), "number", (n) => n) };
    case "BS":
      return { BS: checkedSet(value.BS!, "binary", (b) => bytesOf(b).toString("base64")).map((b) => (typeof b === "string" ? b : Uint8Array.from(b))) };
    case "M":
      return { M: copyItem(value.M!) };
    case "L":
      return { L: value.L!.map(copyValue) };
    case "NULL":
      if (value.NULL !== true) throw validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
      return { NULL: true };
    case "BOOL":
      return { BOOL: value.BOOL };
  }
}

function checkedSet<T>(members: T[], kind: string, identity: (member: T) => string): T[] {
  if (members.length === 0) throw validation(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  const seen = new Set(members.map(identity));
  if (seen.size !== members.length) throw validation(`Input collection [${members.map(identity).join(", ")}] contains duplicates.`);
  return [...members];
}

function copyItem(item: Item): Item {
  const copy: Item = {};
  for (const name of Object.keys(item)) copy[name] = copyValue(item[name]);
  return copy;
}

/** A copy for callers (no validation: stored items are valid). */
function cloneValue(value: AttributeValue): AttributeValue {
  if (value.M) {
    const map: Item = {};
    for (const name of Object.keys(value.M)) map[name] = cloneValue(value.M[name]);
    return { M: map };
  }
  if (value.L) return { L: value.L.map(cloneValue) };
  if (value.SS) return { SS: [...value.SS] };
  if (value.NS) return { NS: [...value.NS] };
  if (value.BS) return { BS: value.BS.map((b) => (typeof b === "string" ? b : Uint8Array.from(b))) };
  if (value.B !== undefined && typeof value.B !== "string") return { B: Uint8Array.from(value.B) };
  return { ...value };
}

function cloneItem(item: Item): Item {
  const copy: Item = {};
  for (const name of Object.keys(item)) copy[name] = cloneValue(item[name]);
  return copy;
}

// ---- exact decimals (DynamoDB numbers) -----------------------------------------------------------

interface Decimal {
  /** value = mantissa × 10^-scale, with no trailing zero digits in the mantissa when scale > 0. */
  mantissa: bigint;
  scale: number;
}

const NUMBER = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

function parseDecimal(text: string): Decimal {
  const match = NUMBER.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw validation(`The parameter cannot be converted to a numeric value: ${text}`);
  const [, sign, whole, fraction = "", exponentText] = match;
  const exponent = Number(exponentText ?? 0);
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "");
  if (Math.abs(exponent) > 400 || digits.replace(/^0+/, "").length > 38) throw validation(`Number overflow. Attempting to store a number with magnitude larger than supported range: ${text}`);
  let mantissa = BigInt(`${sign}${digits || "0"}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    mantissa *= 10n ** BigInt(-scale);
    scale = 0;
  }
  while (scale > 0 && mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale--;
  }
  return { mantissa, scale };
}

function formatDecimal({ mantissa, scale }: Decimal): string {
  const negative = mantissa < 0n;
  let digits = (negative ? -mantissa : mantissa).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative && digits !== "0" ? `-${digits}` : digits;
}

const canonicalNumber = (text: string) => formatDecimal(parseDecimal(text));

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.mantissa * 10n ** BigInt(scale - a.scale), b.mantissa * 10n ** BigInt(scale - b.scale), scale];
}

function compareNumbers(a: string, b: string): number {
  const [x, y] = aligned(parseDecimal(a), parseDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

function addNumbers(a: string, b: string, negateB = false): string {
  const [x, y, scale] = aligned(parseDecimal(a), parseDecimal(b));
  return canonicalNumber(formatDecimal({ mantissa: negateB ? x - y : x + y, scale }));
}

// ---- comparing values ---------------------------------------------------------------------------

/** UTF-8 byte order, which is code point order (UTF-16 units differ only around surrogates). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Order of two scalars of the same type (S, N, B), or undefined when they are not comparable. */
function order(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(bytesOf(a.B), bytesOf(b.B));
  return undefined;
}

function setMembers(value: AttributeValue): string[] | undefined {
  if (value.SS) return value.SS;
  if (value.NS) return value.NS.map(canonicalNumber);
  if (value.BS) return value.BS.map((b) => bytesOf(b).toString("base64"));
  return undefined;
}

function equal(a: AttributeValue, b: AttributeValue): boolean {
  const typeA = typeOf(a);
  if (typeA !== typeOf(b)) return false;
  switch (typeA) {
    case "S":
    case "N":
    case "B":
      return order(a, b) === 0;
    case "BOOL":
      return a.BOOL === b.BOOL;
    case "NULL":
      return true;
    case "SS":
    case "NS":
    case "BS": {
      const left = new Set(setMembers(a));
      const right = setMembers(b)!;
      return left.size === right.length && right.every((member) => left.has(member));
    }
    case "L":
      return a.L!.length === b.L!.length && a.L!.every((element, i) => equal(element, b.L![i]));
    case "M": {
      const keys = Object.keys(a.M!);
      return keys.length === Object.keys(b.M!).length && keys.every((key) => b.M![key] !== undefined && equal(a.M![key], b.M![key]));
    }
  }
}

// ---- expressions: tokens and syntax tree --------------------------------------------------------

type Segment = { name: string } | { index: number };
interface Path {
  kind: "path";
  segments: Segment[];
}
type Operand =
  | Path
  | { kind: "value"; token: string }
  | { kind: "call"; fn: "if_not_exists" | "list_append" | "size"; args: Operand[] }
  | { kind: "arith"; op: "+" | "-"; left: Operand; right: Operand };
type Condition =
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition }
  | { kind: "compare"; op: string; left: Operand; right: Operand }
  | { kind: "between"; value: Operand; low: Operand; high: Operand }
  | { kind: "in"; value: Operand; list: Operand[] }
  | { kind: "fn"; fn: string; args: Operand[] };
type UpdateAction =
  | { kind: "SET"; path: Path; value: Operand }
  | { kind: "REMOVE"; path: Path }
  | { kind: "ADD" | "DELETE"; path: Path; value: Operand };

interface Parsed<T> {
  tree: T;
  names: Set<string>;
  values: Set<string>;
}

const TOKEN = /\s*(<>|<=|>=|[=<>(),[\].+-]|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*)/y;
const CONDITION_FUNCTIONS = new Set(["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]);
const COMPARATORS = new Set(["=", "<>", "<", "<=", ">", ">="]);

class ExpressionParser {
  private readonly tokens: string[] = [];
  private position = 0;
  readonly names = new Set<string>();
  readonly values = new Set<string>();

  constructor(
    expression: string,
    private readonly label: string,
  ) {
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < expression.length) {
      const start = TOKEN.lastIndex;
      if (/^\s*$/.test(expression.slice(start))) break;
      const match = TOKEN.exec(expression);
      if (!match) throw this.syntaxError(expression.slice(start).trim()[0] ?? "", start);
      this.tokens.push(match[1]);
    }
    if (this.tokens.length === 0) throw validation(`Invalid ${label}: The expression can not be empty;`);
  }

  private syntaxError(token: string, at = this.position): AwsError {
    const near = this.tokens.slice(Math.max(0, at - 1), at + 1).join(" ");
    return validation(`Invalid ${this.label}: Syntax error; token: "${token}", near: "${near}"`);
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private peekKeyword(): string | undefined {
    return this.peek()?.toUpperCase();
  }

  private next(): string {
    const token = this.tokens[this.position];
    if (token === undefined) throw validation(`Invalid ${this.label}: Syntax error; token: "<EOF>", near: "${this.tokens.slice(-2).join(" ")}"`);
    this.position++;
    return token;
  }

  private expect(token: string): void {
    const actual = this.next();
    if (actual !== token) throw this.syntaxError(actual, this.position - 1);
  }

  end(): void {
    if (this.position < this.tokens.length) throw this.syntaxError(this.tokens[this.position]);
  }

  // condition := disjunction; precedence NOT > AND > OR
  condition(): Condition {
    let left = this.conjunction();
    while (this.peekKeyword() === "OR") {
      this.next();
      left = { kind: "or", left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.peekKeyword() === "AND") {
      this.next();
      left = { kind: "and", left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.peekKeyword() === "NOT") {
      this.next();
      return { kind: "not", condition: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.peek();
    if (token === "(") {
      this.next();
      const inner = this.condition();
      this.expect(")");
      return inner;
    }
    if (token !== undefined && CONDITION_FUNCTIONS.has(token) && this.tokens[this.position + 1] === "(") {
      this.next();
      return { kind: "fn", fn: token, args: this.arguments() };
    }
    const left = this.operand();
    const keyword = this.peekKeyword();
    if (keyword === "BETWEEN") {
      this.next();
      const low = this.operand();
      if (this.peekKeyword() !== "AND") throw this.syntaxError(this.peek() ?? "<EOF>");
      this.next();
      return { kind: "between", value: left, low, high: this.operand() };
    }
    if (keyword === "IN") {
      this.next();
      this.expect("(");
      const list = [this.operand()];
      while (this.peek() === ",") {
        this.next();
        list.push(this.operand());
      }
      this.expect(")");
      return { kind: "in", value: left, list };
    }
    const op = this.next();
    if (!COMPARATORS.has(op)) throw this.syntaxError(op, this.position - 1);
    return { kind: "compare", op, left, right: this.operand() };
  }

  private arguments(): Operand[] {
    this.expect("(");
    const args = [this.operand()];
    while (this.peek() === ",") {
      this.next();
      args.push(this.operand());
    }
    this.expect(")");
    return args;
  }

  operand(): Operand {
    const token = this.peek();
    if (token?.startsWith(":")) {
      this.next();
      this.values.add(token);
      return { kind: "value", token };
    }
    if ((token === "if_not_exists" || token === "list_append" || token === "size") && this.tokens[this.position + 1] === "(") {
      this.next();
      return { kind: "call", fn: token, args: this.arguments() };
    }
    return this.path();
  }

  path(): Path {
    const segments: Segment[] = [{ name: this.pathName() }];
    for (;;) {
      if (this.peek() === ".") {
        this.next();
        segments.push({ name: this.pathName() });
      } else if (this.peek() === "[") {
        this.next();
        const index = this.next();
        if (!/^[0-9]+$/.test(index)) throw this.syntaxError(index, this.position - 1);
        this.expect("]");
        segments.push({ index: Number(index) });
      } else {
        return { kind: "path", segments };
      }
    }
  }

  private pathName(): string {
    const token = this.next();
    if (token.startsWith("#")) this.names.add(token);
    else if (!/^[A-Za-z_]/.test(token)) throw this.syntaxError(token, this.position - 1);
    return token;
  }

  /** path, path, ... */
  projection(): Path[] {
    const paths = [this.path()];
    while (this.peek() === ",") {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }

  /** SET a = v, ... REMOVE a, ... ADD a v, ... DELETE a v, ... (each section at most once). */
  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.peek() !== undefined) {
      const section = this.next().toUpperCase();
      if (section !== "SET" && section !== "REMOVE" && section !== "ADD" && section !== "DELETE") throw this.syntaxError(this.tokens[this.position - 1], this.position - 1);
      if (seen.has(section)) throw validation(`Invalid ${this.label}: The "${section}" section can only be used once in an update expression;`);
      seen.add(section);
      for (let first = true; first || this.peek() === ","; first = false) {
        if (!first) this.next();
        const path = this.path();
        if (section === "SET") {
          this.expect("=");
          const left = this.operand();
          const op = this.peek();
          if (op === "+" || op === "-") {
            this.next();
            actions.push({ kind: "SET", path, value: { kind: "arith", op, left, right: this.operand() } });
          } else {
            actions.push({ kind: "SET", path, value: left });
          }
        } else if (section === "REMOVE") {
          actions.push({ kind: "REMOVE", path });
        } else {
          actions.push({ kind: section, path, value: this.operand() });
        }
      }
    }
    return actions;
  }
}

/** Parsed expressions by kind and text: an application sends the same few texts again and again. */
const parsedCache = new Map<string, Parsed<unknown>>();
const CACHE_LIMIT = 10_000;

function parseCached<T>(label: string, expression: string, parse: (parser: ExpressionParser) => T): Parsed<T> {
  const cacheKey = `${label}\u0000${expression}`;
  const cached = parsedCache.get(cacheKey);
  if (cached) return cached as Parsed<T>;
  const parser = new ExpressionParser(expression, label);
  const tree = parse(parser);
  parser.end();
  const parsed = { tree, names: parser.names, values: parser.values };
  if (parsedCache.size >= CACHE_LIMIT) parsedCache.clear();
  parsedCache.set(cacheKey, parsed);
  return parsed;
}


const parseCondition = (label: string, expression: string) => parseCached(label, expression, (parser) => parser.condition());
const parseUpdate = (expression: string) => parseCached("UpdateExpression", expression, (parser) => parser.update());
const parseProjection = (expression: string) => parseCached("ProjectionExpression", expression, (parser) => parser.projection());

// ---- expressions: placeholders and evaluation ---------------------------------------------------

interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** The placeholders of one request, checked against every expression of it as AWS does. */
class Scope {
  private readonly names: Names;
  private readonly values: Values;

  constructor(input: ExpressionInput, expressions: [label: string, parsed: Parsed<unknown> | undefined][]) {
    this.names = input.ExpressionAttributeNames;
    this.values = input.ExpressionAttributeValues;
    const used = expressions.filter((entry): entry is [string, Parsed<unknown>] => entry[1] !== undefined);
    for (const [what, map] of [["ExpressionAttributeNames", this.names], ["ExpressionAttributeValues", this.values]] as const) {
      if (map === undefined) continue;
      if (used.length === 0) throw validation(`${what} can only be specified when using expressions`);
      if (Object.keys(map).length === 0) throw validation(`${what} must not be empty`);
    }
    const usedNames = new Set<string>();
    const usedValues = new Set<string>();
    for (const [label, parsed] of used) {
      for (const name of parsed.names) {
        if (this.names?.[name] === undefined) throw validation(`Invalid ${label}: An expression attribute name used in the document path is not defined; attribute name: ${name}`);
        usedNames.add(name);
      }
      for (const value of parsed.values) {
        if (this.values?.[value] === undefined) throw validation(`Invalid ${label}: An expression attribute value used in expression is not defined; attribute value: ${value}`);
        typeOf(this.values[value]);
        usedValues.add(value);
      }
    }
    const unusedNames = Object.keys(this.names ?? {}).filter((name) => !usedNames.has(name));
    if (unusedNames.length > 0) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(", ")}}`);
    const unusedValues = Object.keys(this.values ?? {}).filter((value) => !usedValues.has(value));
    if (unusedValues.length > 0) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(", ")}}`);
  }

  name(token: string): string {
    return token.startsWith("#") ? this.names![token] : token;
  }

  value(token: string): AttributeValue {
    return this.values![token];
  }

  /** The concrete path: attribute names, list indexes. */
  segments(path: Path): (string | number)[] {
    return path.segments.map((segment) => ("name" in segment ? this.name(segment.name) : segment.index));
  }
}

function resolve(item: Item, segments: (string | number)[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[segments[0] as string];
  for (let i = 1; i < segments.length && current; i++) {
    const segment = segments[i];
    current = typeof segment === "number" ? current.L?.[segment] : current.M?.[segment];
  }
  return current;
}

const describe = (value: AttributeValue): string => ({ S: "S", N: "N", B: "B", SS: "SS", NS: "NS", BS: "BS", M: "M", L: "L", NULL: "NULL", BOOL: "BOOL" })[typeOf(value)];

function operandTypeError(label: string, operator: string, value: AttributeValue): AwsError {
  return validation(`Invalid ${label}: Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${describe(value)}`);
}

function evaluateOperand(operand: Operand, item: Item, scope: Scope, label: string): AttributeValue | undefined {
  switch (operand.kind) {
    case "path":
      return resolve(item, scope.segments(operand));
    case "value":
      return scope.value(operand.token);
    case "call": {
      if (operand.fn !== "size") throw validation(`Invalid ${label}: The function is not allowed to be used this way in an expression; function: ${operand.fn}`);
      const target = evaluateOperand(operand.args[0], item, scope, label);
      if (target === undefined) return undefined;
      if (target.S !== undefined) return { N: String([...target.S].length) };
      if (target.B !== undefined) return { N: String(bytesOf(target.B).length) };
      const members = target.SS ?? target.NS ?? target.BS ?? target.L;
      if (members) return { N: String(members.length) };
      if (target.M) return { N: String(Object.keys(target.M).length) };
      throw operandTypeError(label, "size", target);
    }
    case "arith":
      throw validation(`Invalid ${label}: Syntax error; token: "${operand.op}"`);
  }
}

function requireScalarLiteral(operand: Operand, value: AttributeValue | undefined, label: string, operator: string): void {
  if (operand.kind === "value" && value && value.S === undefined && value.N === undefined && value.B === undefined) throw operandTypeError(label, operator, value);
}

function holds(condition: Condition, item: Item, scope: Scope, label: string): boolean {
  switch (condition.kind) {
    case "or":
      return holds(condition.left, item, scope, label) || holds(condition.right, item, scope, label);
    case "and":
      return holds(condition.left, item, scope, label) && holds(condition.right, item, scope, label);
    case "not":
      return !holds(condition.condition, item, scope, label);
    case "compare": {
      const left = evaluateOperand(condition.left, item, scope, label);
      const right = evaluateOperand(condition.right, item, scope, label);
      if (condition.op === "=" || condition.op === "<>") {
        const same = left !== undefined && right !== undefined && equal(left, right);
        return condition.op === "=" ? same : !same;
      }
      requireScalarLiteral(condition.left, left, label, condition.op);
      requireScalarLiteral(condition.right, right, label, condition.op);
      const comparison = left && right ? order(left, right) : undefined;
      if (comparison === undefined) return false;
      return condition.op === "<" ? comparison < 0 : condition.op === "<=" ? comparison <= 0 : condition.op === ">" ? comparison > 0 : comparison >= 0;
    }
    case "between": {
      const [value, low, high] = [condition.value, condition.low, condition.high].map((operand) => evaluateOperand(operand, item, scope, label));
      if (low && high) {
        const bounds = order(low, high);
        if (bounds !== undefined && bounds > 0) {
          throw validation(`Invalid ${label}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(low)}, upper bound operand: AttributeValue: ${JSON.stringify(high)}`);
        }
      }
      if (!value || !low || !high) return false;
      const above = order(low, value);
      const below = order(value, high);
      return above !== undefined && below !== undefined && above <= 0 && below <= 0;
    }
    case "in": {
      const value = evaluateOperand(condition.value, item, scope, label);
      return value !== undefined && condition.list.some((operand) => {
        const candidate = evaluateOperand(operand, item, scope, label);
        return candidate !== undefined && equal(value, candidate);
      });
    }
    case "fn":
      return holdsFunction(condition.fn, condition.args, item, scope, label);
  }
}

function holdsFunction(fn: string, args: Operand[], item: Item, scope: Scope, label: string): boolean {
  const arity = fn === "attribute_exists" || fn === "attribute_not_exists" ? 1 : 2;
  if (args.length !== arity) throw validation(`Invalid ${label}: Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${args.length}`);
  if (args[0].kind !== "path") throw validation(`Invalid ${label}: Operator or function requires a document path; operator or function: ${fn}`);
  const target = resolve(item, scope.segments(args[0]));
  switch (fn) {
    case "attribute_exists":
      return target !== undefined;
    case "attribute_not_exists":
      return target === undefined;
    case "attribute_type": {
      const type = evaluateOperand(args[1], item, scope, label);
      if (type?.S === undefined || !(TYPES as readonly string[]).includes(type.S)) {
        throw validation(`Invalid ${label}: Invalid attribute type name found; type: ${type?.S ?? JSON.stringify(type)}, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M };`);
      }
      return target !== undefined && typeOf(target) === type.S;
    }
    case "begins_with": {
      const prefix = evaluateOperand(args[1], item, scope, label);
      if (!target || !prefix) return false;
      if (target.S !== undefined && prefix.S !== undefined) return target.S.startsWith(prefix.S);
      if (target.B !== undefined && prefix.B !== undefined) {
        const [whole, start] = [bytesOf(target.B), bytesOf(prefix.B)];
        return whole.subarray(0, start.length).equals(start);
      }
      return false;
    }
    default: {
      // contains: a substring of a string, a member of a set, an element of a list
      const operand = evaluateOperand(args[1], item, scope, label);
      if (!target || !operand) return false;
      if (target.S !== undefined) return operand.S !== undefined && target.S.includes(operand.S);
      if (target.L) return target.L.some((element) => equal(element, operand));
      const members = setMembers(target);
      if (!members) return false;
      const wanted = target.SS ? operand.S : target.NS ? operand.N !== undefined && canonicalNumber(operand.N) : operand.B !== undefined && bytesOf(operand.B).toString("base64");
      return typeof wanted === "string" && members.includes(wanted);
    }
  }
}

// ---- update expressions -------------------------------------------------------------------------

function updateValue(operand: Operand, item: Item, scope: Scope): AttributeValue {
  const missing = () => validation("The provided expression refers to an attribute that does not exist in the item");
  switch (operand.kind) {
    case "path": {
      const value = resolve(item, scope.segments(operand));
      if (!value) throw missing();
      return value;
    }
    case "value":
      return copyValue(scope.value(operand.token));
    case "call": {
      if (operand.fn === "size") throw validation("Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
      if (operand.fn === "if_not_exists") {
        if (operand.args.length !== 2 || operand.args[0].kind !== "path") throw validation("Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists");
        return resolve(item, scope.segments(operand.args[0])) ?? updateValue(operand.args[1], item, scope);
      }
      if (operand.args.length !== 2) throw validation(`Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: ${operand.args.length}`);
      const [head, tail] = operand.args.map((arg) => updateValue(arg, item, scope));
      for (const list of [head, tail]) if (!list.L) throw operandTypeError("UpdateExpression", "list_append", list);
      return { L: [...head.L!, ...tail.L!] };
    }
    case "arith": {
      const [left, right] = [updateValue(operand.left, item, scope), updateValue(operand.right, item, scope)];
      if (left.N === undefined || right.N === undefined) throw validation("An operand in the update expression has an incorrect data type");
      return { N: addNumbers(left.N, right.N, operand.op === "-") };
    }
  }
}

function overlapping(a: (string | number)[], b: (string | number)[]): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return false;
  return true;
}

const pathText = (segments: (string | number)[]) => `[${segments.join(", ")}]`;

/** The container a path's last segment lives in, or undefined when the path does not lead there. */
function parentOf(item: Item, segments: (string | number)[]): Record<string, AttributeValue> | AttributeValue[] | undefined {
  if (segments.length === 1) return item;
  const parent = resolve(item, segments.slice(0, -1));
  const last = segments[segments.length - 1];
  return typeof last === "number" ? parent?.L : parent?.M;
}

function writePath(item: Item, segments: (string | number)[], value: AttributeValue | undefined): void {
  const parent = parentOf(item, segments);
  if (!parent) throw validation("The document path provided in the update expression is invalid for update");
  const last = segments[segments.length - 1];
  if (Array.isArray(parent)) {
    const index = last as number;
    if (value === undefined) {
      if (index < parent.length) parent.splice(index, 1);
    } else if (index >= parent.length) {
      parent.push(value);
    } else {
      parent[index] = value;
    }
  } else if (value === undefined) {
    delete parent[last as string];
  } else {
    parent[last as string] = value;
  }
}

function addOrDelete(kind: "ADD" | "DELETE", current: AttributeValue | undefined, operand: AttributeValue): AttributeValue | undefined {
  const label = "UpdateExpression";
  if (kind === "ADD" && operand.N !== undefined) {
    if (current && current.N === undefined) throw validation("An operand in the update expression has an incorrect data type");
    return { N: addNumbers(current?.N ?? "0", operand.N) };
  }
  const setType = operand.SS ? "SS" : operand.NS ? "NS" : operand.BS ? "BS" : undefined;
  if (!setType) throw operandTypeError(label, kind, operand);
  if (!current) return kind === "ADD" ? operand : undefined;
  if (current[setType] === undefined) throw validation("An operand in the update expression has an incorrect data type");
  const identity = (member: string | Uint8Array) => (setType === "BS" ? bytesOf(member).toString("base64") : setType === "NS" ? canonicalNumber(member as string) : (member as string));
  const existing = current[setType] as (string | Uint8Array)[];
  const changes = operand[setType] as (string | Uint8Array)[];
  if (kind === "ADD") {
    const present = new Set(existing.map(identity));
    return { [setType]: [...existing, ...changes.filter((member) => !present.has(identity(member)))] };
  }
  const removed = new Set(changes.map(identity));
  const remaining = existing.filter((member) => !removed.has(identity(member)));
  return remaining.length === 0 ? undefined : { [setType]: remaining };
}

/** Applies the actions to a copy of `item`; values are computed from the item as it was. */
function applyUpdate(actions: UpdateAction[], item: Item, scope: Scope, keyNames: string[]): { updated: Item; touched: Set<string> } {
  const planned = actions.map((action) => ({ action, segments: scope.segments(action.path) }));
  for (let i = 0; i < planned.length; i++) {
    const { segments } = planned[i];
    if (keyNames.includes(segments[0] as string)) throw validation(`One or more parameter values were invalid: Cannot update attribute ${segments[0]}. This attribute is part of the key`);
    for (let j = 0; j < i; j++) {
      if (overlapping(planned[j].segments, segments)) {
        throw validation(`Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(planned[j].segments)}, path two: ${pathText(segments)}`);
      }
    }
  }
  const computed = planned.map(({ action, segments }) => {
    if (action.kind === "REMOVE") return undefined;
    if (action.kind === "SET") return updateValue(action.value, item, scope);
    return addOrDelete(action.kind, resolve(item, segments), updateValue(action.value, item, scope));
  });
  const updated = cloneItem(item);
  // Removing list elements shifts later ones: remove from the highest index down.
  const order = planned.map((_, i) => i).sort((a, b) => {
    const [x, y] = [planned[a].segments, planned[b].segments];
    const [ix, iy] = [x[x.length - 1], y[y.length - 1]];
    return typeof ix === "number" && typeof iy === "number" && planned[a].action.kind === "REMOVE" && planned[b].action.kind === "REMOVE" ? iy - ix : a - b;
  });
  for (const i of order) {
    const { action, segments } = planned[i];
    if (action.kind === "DELETE" && !resolve(updated, segments)) continue;
    if (action.kind === "REMOVE" && !parentOf(updated, segments)) continue;
    writePath(updated, segments, computed[i]);
  }
  return { updated, touched: new Set(planned.map(({ segments }) => segments[0] as string)) };
}

// ---- projections ------------------------------------------------------------------------------

/** Orders paths so projected list elements come out in list order (map keys have no order). */
function byListIndex(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

function project(item: Item, paths: (string | number)[][]): Item {
  for (let i = 1; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlapping(paths[j], paths[i])) {
        throw validation(`Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(paths[j])}, path two: ${pathText(paths[i])}`);
      }
    }
  }
  const result: Item = {};
  for (const segments of [...paths].sort(byListIndex)) {
    const value = resolve(item, segments);
    if (value === undefined) continue;
    // Rebuild the path in the result: maps keep their keys, projected list elements are packed in order.
    let container: Record<string, AttributeValue> | AttributeValue[] = result;
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      const fresh: AttributeValue = last ? cloneValue(value) : typeof segments[i + 1] === "number" ? { L: [] } : { M: {} };
      let child = fresh;
      if (Array.isArray(container)) container.push(fresh);
      else child = container[segments[i] as string] ??= fresh;
      if (!last) container = child.L ?? child.M!;
    }
  }
  return result;
}

// ---- the table ----------------------------------------------------------------------------------

/** A failed ConditionExpression, with the item as it was when ALL_OLD was asked for. */
export class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super("The conditional request failed");
  }
}

export interface TableSchema {
  hashKey: string;
  rangeKey?: string;
  /** Types of the key attributes (AttributeDefinitions); a key without one accepts S, N or B. */
  keyTypes?: Record<string, KeyType>;
  /** The TTL attribute, when TTL is enabled. */
  ttlAttribute?: string;
  /** The cloud's clock (ms since the epoch), for TTL. */
  now?: () => number;
}

interface ConditionalInput extends ExpressionInput {
  ConditionExpression?: string;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
  Expected?: unknown;
  ConditionalOperator?: unknown;
}
export interface GetItemInput extends ExpressionInput {
  Key?: Item;
  ProjectionExpression?: string;
  ConsistentRead?: boolean;
  AttributesToGet?: unknown;
}
export interface PutItemInput extends ConditionalInput {
  Item?: Item;
}
export interface UpdateItemInput extends ConditionalInput {
  Key?: Item;
  UpdateExpression?: string;
  AttributeUpdates?: unknown;
}
export interface DeleteItemInput extends ConditionalInput {
  Key?: Item;
}
interface ReadManyInput extends ExpressionInput {
  IndexName?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  Limit?: number;
  ExclusiveStartKey?: Item;
  Select?: string;
  ConsistentRead?: boolean;
  AttributesToGet?: unknown;
}
export interface QueryInput extends ReadManyInput {
  KeyConditionExpression?: string;
  ScanIndexForward?: boolean;
  KeyConditions?: unknown;
  QueryFilter?: unknown;
}
export interface ScanInput extends ReadManyInput {
  Segment?: number;
  TotalSegments?: number;
  ScanFilter?: unknown;
}
export interface ReadManyOutput {
  Items?: Item[];
  Count: number;
  ScannedCount: number;
  LastEvaluatedKey?: Item;
}

const FIVE_YEARS_MS = 5 * 365 * 24 * 3600 * 1000;
const LEGACY: Record<string, string> = {
  Expected: "ConditionExpression",
  ConditionalOperator: "ConditionExpression",
  AttributeUpdates: "UpdateExpression",
  AttributesToGet: "ProjectionExpression",
  KeyConditions: "KeyConditionExpression",
  QueryFilter: "FilterExpression",
  ScanFilter: "FilterExpression",
};

function refuseLegacy(input: object): void {
  for (const parameter of Object.keys(input)) {
    const replacement = LEGACY[parameter];
    if (replacement && (input as Record<string, unknown>)[parameter] !== undefined) {
      throw validation(`The local cloud supports expression parameters only: use ${replacement} instead of the legacy ${parameter} parameter`);
    }
  }
}

function checkReturnValues(value: string | undefined, allowed: string[], message: string): void {
  if (value !== undefined && !allowed.includes(value)) throw validation(message);
}

export class InMemoryTable {
  readonly schema: TableSchema;
  /** Items by their key (see `keyString`). */
  private readonly items = new Map<string, Item>();
  /** With a range key: the items of each partition, in range-key order. */
  private readonly partitions = new Map<string, Item[]>();
  private readonly keyNames: string[];

  constructor(schema: TableSchema = { hashKey: "id" }) {
    this.schema = schema;
    this.keyNames = schema.rangeKey ? [schema.hashKey, schema.rangeKey] : [schema.hashKey];
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
    const item = this.live(this.keyString(this.keyFrom(hash, range), "key"));
    return item && cloneItem(item);
  }

  /** Sets attributes of an item directly (test setup, e.g. a lease left by a crashed delivery). */
  patch(hash: string, attributes: Item, range?: string): void {
    const key = this.keyFrom(hash, range);
    const current = this.live(this.keyString(key, "key"));
    this.store({ ...(current ?? key), ...copyItem(attributes) });
  }

  delete(hash: string, range?: string): void {
    this.remove(this.keyString(this.keyFrom(hash, range), "key"));
  }

  /** The hash key of every item, as text. */
  ids(): string[] {
    return [...this.items.values()].map((item) => this.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item"));
  }

  // -- the API --

  getItem(input: GetItemInput): { Item?: Item } {
    refuseLegacy(input);
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    const scope = new Scope(input, [["ProjectionExpression", projection]]);
    const item = this.live(this.keyString(this.checkedKey(input.Key), "key"));
    if (!item) return {};
    return { Item: projection ? project(item, projection.tree.map((path) => scope.segments(path))) : cloneItem(item) };
  }

  putItem(input: PutItemInput): { Attributes?: Item } {
    refuseLegacy(input);
    checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"], "ReturnValues can only be ALL_OLD or NONE");
    if (!input.Item) throw validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
    const item = copyItem(input.Item);
    const key = this.keyString(item, "item");
    const old = this.live(key);
    this.check(input, old);
    this.store(item, key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: cloneItem(old) } : {};
  }

  updateItem(input: UpdateItemInput): { Attributes?: Item } {
    refuseLegacy(input);
    checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"], "ReturnValues can only be one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW");
    const keyItem = this.checkedKey(input.Key);
    const key = this.keyString(keyItem, "key");
    const update = input.UpdateExpression ? parseUpdate(input.UpdateExpression) : undefined;
    const old = this.live(key);
    const scope = this.check(input, old, [["UpdateExpression", update]]);
    const { updated, touched } = update ? applyUpdate(update.tree, old ?? copyItem(keyItem), scope, this.keyNames) : { updated: old ?? copyItem(keyItem), touched: new Set<string>() };
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
    const key = this.keyString(this.checkedKey(input.Key), "key");
    const old = this.live(key);
    this.check(input, old);
    this.remove(key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: cloneItem(old) } : {};
  }

  query(input: QueryInput): ReadManyOutput {
    refuseLegacy(input);
    this.refuseIndex(input.IndexName);
    if (!input.KeyConditionExpression) throw validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    const keyCondition = parseCondition("KeyConditionExpression", input.KeyConditionExpression);
    const { filter, projection, scope } = this.readParts(input, [["KeyConditionExpression", keyCondition]]);
    const { hash, range } = this.keyConditionParts(keyCondition.tree, scope);
    const hashText = this.keyPart(this.schema.hashKey, scope.value(hash), "condition");
    let candidates: Item[];
    if (this.schema.rangeKey) {
      candidates = this.partitions.get(hashText) ?? [];
      if (input.ScanIndexForward === false) candidates = [...candidates].reverse();
    } else {
      const item = this.items.get(hashText);
      candidates = item ? [item] : [];
    }
    const keyCheck = range ? (item: Item) => holds(range, item, scope, "KeyConditionExpression") : undefined;
    const start = input.ExclusiveStartKey ? this.keyString(this.checkedKey(input.ExclusiveStartKey, "ExclusiveStartKey"), "key") : undefined;
    return this.page(candidates, start, keyCheck, filter, projection, input, scope);
  }

  scan(input: ScanInput): ReadManyOutput {
    refuseLegacy(input);
    this.refuseIndex(input.IndexName);
    if (input.TotalSegments !== undefined || input.Segment !== undefined) {
      const total = input.TotalSegments ?? 0;
      const segment = input.Segment ?? -1;
      if (!(total >= 1 && total <= 1_000_000 && segment >= 0 && segment < total)) throw validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
    }
    const { filter, projection, scope } = this.readParts(input, []);
    // Scan order is by key, so a page boundary survives deletes between pages.
    let keys = [...this.items.keys()].sort();
    if (input.TotalSegments) keys = keys.filter((_, index) => index % input.TotalSegments! === input.Segment);
    const candidates = keys.map((key) => this.items.get(key)!);
    const start = input.ExclusiveStartKey ? this.keyString(this.checkedKey(input.ExclusiveStartKey, "ExclusiveStartKey"), "key") : undefined;
    return this.page(candidates, start, undefined, filter, projection, input, scope);
  }

  // -- internals --

  private refuseIndex(indexName: string | undefined): void {
    if (indexName !== undefined) throw validation(`The table does not have the specified index: ${indexName}`);
  }

  private readParts(input: ReadManyInput, extra: [string, Parsed<unknown>][]) {
    if (input.Limit !== undefined && !(Number.isInteger(input.Limit) && input.Limit >= 1)) {
      throw validation(`1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    if (input.Select !== undefined && !["ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"].includes(input.Select)) {
      throw validation(input.Select === "ALL_PROJECTED_ATTRIBUTES" ? "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName" : `1 validation error detected: Value '${input.Select}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`);
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
      const key = this.keyString(item, "item");
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
    if (input.Limit !== undefined && scanned >= input.Limit && last) output.LastEvaluatedKey = this.keyOf(last);
    return output;
  }

  /** `hashKey = :v [AND range condition]`, in either order, as DynamoDB accepts key conditions. */
  private keyConditionParts(tree: Condition, scope: Scope): { hash: string; range?: Condition } {
    const unsupported = () => validation("Query key condition not supported");
    const parts: Condition[] = [];
    const flatten = (condition: Condition) => {
      if (condition.kind === "and") {
        flatten(condition.left);
        flatten(condition.right);
      } else {
        parts.push(condition);
      }
    };
    flatten(tree);
    if (parts.length > 2) throw validation("Conditions can be of length 1 or 2 only");
    const attributeOf = (condition: Condition): string | undefined => {
      const operand = condition.kind === "compare" ? condition.left : condition.kind === "between" ? condition.value : condition.kind === "fn" ? condition.args[0] : undefined;
      return operand?.kind === "path" && operand.segments.length === 1 ? scope.name((operand.segments[0] as { name: string }).name) : undefined;
    };
    let hash: string | undefined;
    let range: Condition | undefined;
    for (const part of parts) {
      const attribute = attributeOf(part);
      if (attribute === undefined) throw unsupported();
      if (attribute === this.schema.hashKey) {
        if (part.kind !== "compare" || part.op !== "=" || part.right.kind !== "value") throw unsupported();
        hash = part.right.token;
      } else if (attribute === this.schema.rangeKey) {
        const valuesOnly = (operands: Operand[]) => operands.every((operand) => operand.kind === "value");
        const allowed =
          (part.kind === "compare" && part.op !== "<>" && valuesOnly([part.right])) ||
          (part.kind === "between" && valuesOnly([part.low, part.high])) ||
          (part.kind === "fn" && part.fn === "begins_with" && valuesOnly([part.args[1]]));
        if (!allowed) throw unsupported();
        range = part;
      } else {
        throw validation(`Query condition missed key schema element: ${this.schema.hashKey}`);
      }
    }
    if (hash === undefined) throw validation(`Query condition missed key schema element: ${this.schema.hashKey}`);
    return { hash, range };
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

  private store(item: Item, key = this.keyString(item, "item")): void {
    const existed = this.items.has(key);
    this.items.set(key, item);
    const rangeKey = this.schema.rangeKey;
    if (!rangeKey) return;
    const hash = this.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item");
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
    const hash = this.keyPart(this.schema.hashKey, item[this.schema.hashKey], "item");
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

  private keyFrom(hash: string, range?: string): Item {
    const typed = (name: string, text: string): AttributeValue => ({ [this.schema.keyTypes?.[name] ?? "S"]: text });
    const key: Item = { [this.schema.hashKey]: typed(this.schema.hashKey, hash) };
    if (this.schema.rangeKey) {
      if (range === undefined) throw validation(`The table's range key ${this.schema.rangeKey} needs a value`);
      key[this.schema.rangeKey] = typed(this.schema.rangeKey, range);
    }
    return key;
  }

  private keyOf(item: Item): Item {
    const key: Item = {};
    for (const name of this.keyNames) key[name] = cloneValue(item[name]);
    return key;
  }

  /** A Key parameter: exactly the key attributes, of the key's types. */
  private checkedKey(key: Item | undefined, parameter = "Key"): Item {
    if (!key) throw validation(`1 validation error detected: Value null at '${parameter.charAt(0).toLowerCase()}${parameter.slice(1)}' failed to satisfy constraint: Member must not be null`);
    const names = Object.keys(key);
    if (names.length !== this.keyNames.length || !this.keyNames.every((name) => key[name] !== undefined)) {
      throw validation(parameter === "Key" ? "The provided key element does not match the schema" : "The provided starting key is invalid: The provided key element does not match the schema");
    }
    return key;
  }

  /** The text identifying an item's key: unambiguous for any hash and range values. */
  private keyString(item: Item, where: "key" | "item"): string {
    const hash = this.keyPart(this.schema.hashKey, item[this.schema.hashKey], where);
    if (!this.schema.rangeKey) return hash;
    const range = this.keyPart(this.schema.rangeKey, item[this.schema.rangeKey], where);
    return `${hash.length}:${hash}${range}`;
  }

  private keyPart(name: string, value: AttributeValue | undefined, where: "key" | "item" | "condition"): string {
    const mismatch = () => validation(where === "item" ? `One or more parameter values were invalid: Missing the key ${name} in the item` : "The provided key element does not match the schema");
    if (!value) throw mismatch();
    const type = typeOf(value);
    const declared = this.schema.keyTypes?.[name];
    if (type !== "S" && type !== "N" && type !== "B") throw mismatch();
    if (declared && declared !== type) {
      throw validation(where === "key" ? "The provided key element does not match the schema" : `One or more parameter values were invalid: Type mismatch for key ${name} expected: ${declared} actual: ${type}`);
    }
    if (type === "N") return canonicalNumber(value.N!);
    const text = type === "S" ? value.S! : bytesOf(value.B!).toString("base64");
    if (text === "") {
      throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${type === "S" ? "string" : "binary"} value. Key: ${name}`);
    }
    return text;
  }
}
