/**
 * Pull-style JSON token readers, shaped like Jackson's `JsonParser`, which is what event-ruler's
 * rule compiler walks. Reading tokens (instead of a parsed tree) lets the compiler check a pattern
 * in the same order as AWS does, so the first problem found is the one AWS reports, and it keeps
 * the literal text of numbers, which AWS's number checks look at.
 */
import { reject } from "./errors";

export type TokenKind = "{" | "}" | "[" | "]" | "name" | "string" | "number" | "true" | "false" | "null" | "end";

export interface TokenReader {
  /** Advances to the next token. `end` means the input ended where a value could end. */
  next(): TokenKind;
  /** Jackson's `getText()`: the field name, string value or number literal; the punctuation otherwise. */
  readonly text: string;
  /** The value of the current `number` token. */
  readonly number: number;
  /** Rejects anything after the root value. */
  finish(): void;
}

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** Jackson's description of a character in its error messages. */
function describeChar(code: number): string {
  if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return `(CTRL-CHAR, code ${code})`;
  const char = String.fromCharCode(code);
  if (code > 0xff) return `'${char}' (code ${code} / 0x${code.toString(16)})`;
  return `'${char}' (code ${code})`;
}

function unexpectedChar(code: number, expectation: string): never {
  return reject(`Unexpected character (${describeChar(code)}): ${expectation}`);
}

function unexpectedInNumber(code: number, problem: string): never {
  return reject(`Unexpected character (${describeChar(code)}) in numeric value: ${problem}`);
}

const IDENTIFIER_START = /[\p{L}\p{Nl}\p{Sc}\p{Pc}]/u;
const IDENTIFIER_PART = /[\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Nd}\p{Mn}\p{Mc}]/u;

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

type Container = "object" | "array";

/** Reads JSON text, reporting malformed input with Jackson's messages (as AWS returns them). */
export class JsonTextReader implements TokenReader {
  text = "";
  number = Number.NaN;
  private pos = 0;
  private readonly containers: Container[] = [];
  /** Per open container: has it had an element yet (so a comma is needed before the next)? */
  private readonly started: boolean[] = [];
  private valueFollowsName = false;

  constructor(private readonly source: string) {}

  next(): TokenKind {
    if (this.valueFollowsName) {
      this.valueFollowsName = false;
      return this.readValue();
    }
    const depth = this.containers.length;
    this.skipWhitespace();
    if (depth === 0) return this.atEnd() ? "end" : this.readValue();
    if (this.atEnd()) return this.endOfInputInContainer();
    const container = this.containers[depth - 1];
    let code = this.peek();
    const close = container === "object" ? 0x7d : 0x5d;
    if (code === close) {
      this.pos++;
      this.containers.pop();
      this.started.pop();
      this.text = container === "object" ? "}" : "]";
      return container === "object" ? "}" : "]";
    }
    if (this.started[depth - 1]) {
      if (code !== 0x2c) {
        unexpectedChar(code, `was expecting comma to separate ${container === "object" ? "Object" : "Array"} entries`);
      }
      this.pos++;
      this.skipWhitespace();
      if (this.atEnd()) return this.endOfInputInContainer();
      code = this.peek();
    }
    this.started[depth - 1] = true;
    if (container === "array") return this.readValue();

    if (code !== 0x22) unexpectedChar(code, "was expecting double-quote to start field name");
    this.pos++;
    this.text = this.readStringBody();
    this.skipWhitespace();
    if (this.atEnd()) return this.endOfInputInContainer();
    code = this.peek();
    if (code !== 0x3a) unexpectedChar(code, "was expecting a colon to separate field name and value");
    this.pos++;
    this.valueFollowsName = true;
    return "name";
  }

  finish(): void {
    this.skipWhitespace();
    if (!this.atEnd()) unexpectedChar(this.peek(), "expected end-of-input after the pattern object");
  }

  private readValue(): TokenKind {
    this.skipWhitespace();
    if (this.atEnd()) return this.endOfInputInContainer();
    const code = this.peek();
    switch (code) {
      case 0x7b: // {
      case 0x5b: // [
        this.pos++;
        this.containers.push(code === 0x7b ? "object" : "array");
        this.started.push(false);
        this.text = code === 0x7b ? "{" : "[";
        return code === 0x7b ? "{" : "[";
      case 0x22: // "
        this.pos++;
        this.text = this.readStringBody();
        return "string";
      default:
        if (code === 0x2d || isDigit(code)) return this.readNumber();
        if (IDENTIFIER_START.test(String.fromCharCode(code))) return this.readKeyword();
        return unexpectedChar(code, `expected a valid value ${VALID_VALUES}`);
    }
  }

  /** `true`, `false`, `null`, or Jackson's "Unrecognized token" naming the whole identifier-like run. */
  private readKeyword(): TokenKind {
    const start = this.pos;
    while (!this.atEnd() && IDENTIFIER_PART.test(String.fromCharCode(this.peek()))) this.pos++;
    const word = this.source.slice(start, this.pos);
    if (word === "true" || word === "false" || word === "null") {
      this.text = word;
      return word;
    }
    return reject(`Unrecognized token '${word}': was expecting ${VALID_VALUES}`);
  }

  private readNumber(): TokenKind {
    const start = this.pos;
    if (this.peek() === 0x2d) {
      this.pos++;
      if (this.atEnd()) reject("Unexpected end-of-input in a Number value");
      if (!isDigit(this.peek())) {
        unexpectedInNumber(this.peek(), "expected digit (0-9) to follow minus sign, for valid numeric value");
      }
    }
    if (this.peek() === 0x30 && this.pos + 1 < this.source.length && isDigit(this.source.charCodeAt(this.pos + 1))) {
      reject("Invalid numeric value: Leading zeroes not allowed");
    }
    this.skipDigits();
    if (!this.atEnd() && this.peek() === 0x2e) {
      this.pos++;
      this.requireDigit("Decimal point not followed by a digit");
      this.skipDigits();
    }
    if (!this.atEnd() && (this.peek() === 0x65 || this.peek() === 0x45)) {
      this.pos++;
      if (!this.atEnd() && (this.peek() === 0x2b || this.peek() === 0x2d)) this.pos++;
      this.requireDigit("Exponent indicator not followed by a digit");
      this.skipDigits();
    }
    this.text = this.source.slice(start, this.pos);
    this.number = Number(this.text);
    if (this.containers.length === 0 && !this.atEnd() && !this.isWhitespace(this.peek())) {
      unexpectedChar(this.peek(), "Expected space separating root-level values");
    }
    return "number";
  }

  private requireDigit(problem: string): void {
    if (this.atEnd()) reject(`Unexpected end-of-input in numeric value: ${problem}`);
    if (!isDigit(this.peek())) unexpectedInNumber(this.peek(), problem);
  }

  private skipDigits(): void {
    while (!this.atEnd() && isDigit(this.peek())) this.pos++;
  }

  /** Reads a string after its opening quote, through the closing quote. */
  private readStringBody(): string {
    let result = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.atEnd()) reject("Unexpected end-of-input: was expecting closing quote for a string value");
      const code = this.peek();
      if (code === 0x22) {
        result += this.source.slice(chunkStart, this.pos);
        this.pos++;
        return result;
      }
      if (code < 0x20) {
        reject(`Illegal unquoted character (${describeChar(code)}): has to be escaped using backslash to be included in string value`);
      }
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      result += this.source.slice(chunkStart, this.pos);
      this.pos++;
      result += this.readEscape();
      chunkStart = this.pos;
    }
  }

  private readEscape(): string {
    if (this.atEnd()) reject("Unexpected end-of-input in character escape sequence");
    const code = this.peek();
    this.pos++;
    switch (code) {
      case 0x22: return '"';
      case 0x5c: return "\\";
      case 0x2f: return "/";
      case 0x62: return "\b";
      case 0x66: return "\f";
      case 0x6e: return "\n";
      case 0x72: return "\r";
      case 0x74: return "\t";
      case 0x75: {
        let value = 0;
        for (let i = 0; i < 4; i++) {
          if (this.atEnd()) reject("Unexpected end-of-input in character escape sequence");
          const digit = parseInt(this.source[this.pos], 16);
          if (Number.isNaN(digit)) unexpectedChar(this.peek(), "expected a hex-digit for character escape sequence");
          value = value * 16 + digit;
          this.pos++;
        }
        return String.fromCharCode(value);
      }
      default:
        return reject(`Unrecognized character escape ${describeChar(code)}`);
    }
  }

  private endOfInputInContainer(): never {
    const container = this.containers[this.containers.length - 1];
    return reject(`Unexpected end-of-input: expected close marker for ${container === "array" ? "Array" : "Object"}`);
  }

  private skipWhitespace(): void {
    while (!this.atEnd()) {
      const code = this.peek();
      if (this.isWhitespace(code)) this.pos++;
      else if (code < 0x20) {
        reject(`Illegal character (${describeChar(code)}): only regular white space (\\r, \\n, \\t) is allowed between tokens`);
      } else return;
    }
  }

  private isWhitespace(code: number): boolean {
    return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
  }

  private atEnd(): boolean {
    return this.pos >= this.source.length;
  }

  private peek(): number {
    return this.source.charCodeAt(this.pos);
  }
}

type Frame =
  | { kind: "object"; value: Record<string, unknown>; keys: string[]; index: number }
  | { kind: "array"; value: readonly unknown[]; index: number };

/**
 * Reads an in-memory value as the JSON text `JSON.stringify` would produce for it (`toJSON` is
 * honoured, `undefined` / functions / symbols are dropped from objects and become `null` in arrays),
 * so a pattern object is judged exactly as the string a deployment would send. Numbers JSON cannot
 * hold (NaN, ±Infinity) are rejected instead of being silently turned into `null`.
 */
export class JsonValueReader implements TokenReader {
  text = "";
  number = Number.NaN;
  private readonly frames: Frame[] = [];
  private readonly open = new Set<object>();
  private pending: unknown;
  private hasPending = true;

  constructor(root: unknown) {
    this.pending = toJsonValue(root, "");
  }

  next(): TokenKind {
    if (this.hasPending) {
      this.hasPending = false;
      return this.emit(this.pending);
    }
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return "end";
    if (frame.kind === "object") {
      while (frame.index < frame.keys.length) {
        const key = frame.keys[frame.index++];
        const value = toJsonValue(frame.value[key], key);
        if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
        this.pending = value;
        this.hasPending = true;
        this.text = key;
        return "name";
      }
    } else if (frame.index < frame.value.length) {
      const index = frame.index++;
      const value = toJsonValue(frame.value[index], String(index));
      return this.emit(value === undefined || typeof value === "function" || typeof value === "symbol" ? null : value);
    }
    this.frames.pop();
    this.open.delete(frame.value);
    this.text = frame.kind === "object" ? "}" : "]";
    return frame.kind === "object" ? "}" : "]";
  }

  finish(): void {
    // An in-memory value has nothing after its root.
  }

  private emit(value: unknown): TokenKind {
    switch (typeof value) {
      case "string":
        this.text = value;
        return "string";
      case "number":
        if (!Number.isFinite(value)) return reject(`Cannot compare number : ${value}`);
        this.number = value;
        this.text = String(value);
        return "number";
      case "boolean":
        this.text = String(value);
        return value ? "true" : "false";
      case "bigint":
        return reject(`BigInt ${value} cannot be written as JSON`);
      case "object":
        if (value === null) {
          this.text = "null";
          return "null";
        }
        if (this.open.has(value)) return reject("The pattern object contains a circular reference");
        this.open.add(value);
        if (Array.isArray(value)) {
          this.frames.push({ kind: "array", value, index: 0 });
          this.text = "[";
          return "[";
        }
        this.frames.push({ kind: "object", value: value as Record<string, unknown>, keys: Object.keys(value), index: 0 });
        this.text = "{";
        return "{";
      default:
        // A root `undefined` or function: JSON.stringify would produce no text at all.
        this.text = "";
        return "end";
    }
  }
}

function toJsonValue(value: unknown, key: string): unknown {
  if (typeof value === "object" && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return (toJSON as (key: string) => unknown).call(value, key);
  }
  return value;
}
