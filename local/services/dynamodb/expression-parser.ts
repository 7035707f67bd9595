import { AwsError } from "../../aws-error";

/**
 * The expression language of DynamoDB requests, parsed into trees: condition expressions (also
 * filters and key conditions), update expressions and projection expressions. Parsing only: what a
 * tree means for an item is in conditions.ts, update-expression.ts and projection.ts.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
 */

export type Segment = { name: string } | { index: number };
export interface Path {
  kind: "path";
  segments: Segment[];
}
export type Operand =
  | Path
  | { kind: "value"; token: string }
  | { kind: "call"; fn: "if_not_exists" | "list_append" | "size"; args: Operand[] }
  | { kind: "arith"; op: "+" | "-"; left: Operand; right: Operand };
export type Condition =
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition }
  | { kind: "compare"; op: string; left: Operand; right: Operand }
  | { kind: "between"; value: Operand; low: Operand; high: Operand }
  | { kind: "in"; value: Operand; list: Operand[] }
  | { kind: "fn"; fn: string; args: Operand[] };
export type UpdateAction =
  | { kind: "SET"; path: Path; value: Operand }
  | { kind: "REMOVE"; path: Path }
  | { kind: "ADD" | "DELETE"; path: Path; value: Operand };

export interface Parsed<T> {
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
    if (this.tokens.length === 0) throw AwsError.validation(`Invalid ${label}: The expression can not be empty;`);
  }

  private syntaxError(token: string, at = this.position): AwsError {
    const near = this.tokens.slice(Math.max(0, at - 1), at + 1).join(" ");
    return AwsError.validation(`Invalid ${this.label}: Syntax error; token: "${token}", near: "${near}"`);
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private peekKeyword(): string | undefined {
    return this.peek()?.toUpperCase();
  }

  private next(): string {
    const token = this.tokens[this.position];
    if (token === undefined) throw AwsError.validation(`Invalid ${this.label}: Syntax error; token: "<EOF>", near: "${this.tokens.slice(-2).join(" ")}"`);
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
      if (seen.has(section)) throw AwsError.validation(`Invalid ${this.label}: The "${section}" section can only be used once in an update expression;`);
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

export const parseCondition = (label: string, expression: string) => parseCached(label, expression, (parser) => parser.condition());
export const parseUpdate = (expression: string) => parseCached("UpdateExpression", expression, (parser) => parser.update());
export const parseProjection = (expression: string) => parseCached("ProjectionExpression", expression, (parser) => parser.projection());
