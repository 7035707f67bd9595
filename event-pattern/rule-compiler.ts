/**
 * Checks a pattern token by token in the order event-ruler's JsonRuleCompiler does (the library
 * EventBridge uses), with its error texts, and builds the sub-rules `$or` expands to.
 */
import { reject } from "./errors";
import { parseCidr, ipRangeIfAddress } from "./ip";
import type { NumericRange, SubRule, ValuePattern } from "./ir";
import type { TokenKind, TokenReader } from "./json-tokens";
import { isComparableNumberLiteral } from "./numbers";
import { checkWildcardSyntax } from "./wildcard";

const OR = "$or";

/** Keys event-ruler refuses as field names inside `$or` (operators, and names it reserves). */
const RESERVED_IN_OR = new Set([
  "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
  "=", "<", "<=", ">", ">=",
  "regex", "not-wildcard", "not-equals-ignore-case",
  "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
  "ip-address-in-range", "ip-address-not-in-range",
]);

export interface CompileLimits {
  /** Most sub-rules `$or` may expand to (AWS: 1000). Checked as the expansion grows. */
  readonly maxSubRules: number;
}

/** Compiles the pattern read by `reader` into its sub-rules, or throws InvalidEventPatternError. */
export function compileRule(reader: TokenReader, limits: CompileLimits): SubRule[] {
  return new RuleCompiler(reader, limits).compile();
}

class RuleCompiler {
  constructor(
    private readonly reader: TokenReader,
    private readonly limits: CompileLimits,
  ) {}

  compile(): SubRule[] {
    if (this.reader.next() !== "{") reject("Filter is not an object");
    const rules: SubRule[] = [];
    this.parseObject(rules, [], false);
    this.reader.finish();
    return rules;
  }

  private parseObject(rules: SubRule[], path: string[], insideOr: boolean): void {
    let fieldsPresent = false;
    while (this.reader.next() !== "}") {
      fieldsPresent = true;
      const step = this.reader.text;
      if (step === OR) {
        this.parseOr(rules, path);
        continue;
      }
      if (insideOr && RESERVED_IN_OR.has(step)) {
        reject(`${step} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
      }
      switch (this.reader.next()) {
        case "{":
          path.push(step);
          this.parseObject(rules, path, insideOr);
          path.pop();
          break;
        case "[":
          this.writeField(rules, [...path, step].join("."));
          break;
        default:
          reject(`"${step}" must be an object or an array`);
      }
    }
    if (!fieldsPresent) reject("Empty objects are not allowed");
  }

  /** Each object of the `$or` array forks every sub-rule built so far. */
  private parseOr(rules: SubRule[], path: string[]): void {
    const before = rules.map((rule) => new Map(rule));
    rules.length = 0;
    if (this.reader.next() !== "[") reject(`It must be an Array followed with ${OR}.`);
    let branches = 0;
    let token: TokenKind;
    while ((token = this.reader.next()) !== "]") {
      branches++;
      if (token !== "{") reject(`Only JSON object is allowed in array of ${OR} relationship.`);
      const forked = before.length === 0 ? [new Map()] : before.map((rule) => new Map(rule));
      this.parseObject(forked, path, true);
      rules.push(...forked);
      if (rules.length > this.limits.maxSubRules) {
        reject(`The ${OR} combinations in this pattern expand to more than ${this.limits.maxSubRules} rules`);
      }
    }
    if (branches < 2) reject(`There must have at least 2 Objects in ${OR} relationship.`);
  }

  private writeField(rules: SubRule[], name: string): void {
    const patterns: ValuePattern[] = [];
    let token: TokenKind;
    while ((token = this.reader.next()) !== "]") {
      switch (token) {
        case "{":
          patterns.push(this.matchExpression());
          break;
        case "string": {
          const range = ipRangeIfAddress(this.reader.text);
          patterns.push(range ? { kind: "exact-ip", range } : { kind: "exact-string", value: this.reader.text });
          break;
        }
        case "number":
          patterns.push({ kind: "exact-number", value: this.reader.number });
          break;
        case "true":
        case "false":
        case "null":
          patterns.push({ kind: "exact-literal", value: token === "null" ? null : token === "true" });
          break;
        default:
          reject("Match value must be String, number, true, false, or null");
      }
    }
    if (patterns.length === 0) reject("Empty arrays are not allowed");
    if (rules.length === 0) rules.push(new Map());
    // A later occurrence of the same path replaces the earlier one, as in event-ruler.
    for (const rule of rules) rule.set(name, patterns);
  }

  private matchExpression(): ValuePattern {
    if (this.reader.next() !== "name") reject("Match expression name not found");
    const operator = this.reader.text;
    switch (operator) {
      case "prefix":
      case "suffix":
        return this.prefixOrSuffix(operator);
      case "numeric":
        return this.numeric();
      case "anything-but":
        return this.anythingBut();
      case "exists": {
        const token = this.reader.next();
        if (token !== "true" && token !== "false") reject("exists match pattern must be either true or false.");
        this.endOfExpression();
        return { kind: "exists", exists: token === "true" };
      }
      case "cidr": {
        // event-ruler reuses the prefix message here.
        if (this.reader.next() !== "string") reject("prefix match pattern must be a string");
        const range = parseCidr(this.reader.text);
        this.endOfExpression();
        return { kind: "cidr", range };
      }
      case "equals-ignore-case": {
        const value = this.stringOperand("equals-ignore-case match pattern must be a string");
        this.endOfExpression();
        return { kind: "equals-ignore-case", value };
      }
      case "wildcard": {
        const value = this.stringOperand("wildcard match pattern must be a string");
        checkWildcardSyntax(value);
        this.endOfExpression();
        return { kind: "wildcard", value };
      }
      default:
        // Includes event-ruler's own `exactly`, which EventBridge does not document.
        return reject(`Unrecognized match type ${operator}`);
    }
  }

  private prefixOrSuffix(kind: "prefix" | "suffix"): ValuePattern {
    const token = this.reader.next();
    if (token === "{") {
      const label = kind === "prefix" ? "Prefix" : "Suffix";
      if (this.reader.next() !== "name") reject(`${label} expression name not found`);
      if (this.reader.text !== "equals-ignore-case") reject(`Unsupported ${kind} pattern: ${this.reader.text}`);
      const value = this.stringOperand("equals-ignore-case match pattern must be a string");
      this.endOfExpression();
      this.endOfExpression();
      return { kind, value, ignoreCase: true };
    }
    if (token !== "string") reject(`${kind} match pattern must be a string`);
    const value = this.reader.text;
    this.endOfExpression();
    return { kind, value, ignoreCase: false };
  }

  private numeric(): ValuePattern {
    if (this.reader.next() !== "[") reject("Value of numeric must be an array.");
    const range = this.numericRange();
    if (this.reader.next() !== "}") tooManyElements();
    return { kind: "numeric", range };
  }

  /** `[op, n]` or `[">" | ">=", low, "<" | "<=", high]`, checked in event-ruler's order. */
  private numericRange(): NumericRange {
    if (this.reader.next() !== "string") reject(`Invalid member in numeric match: ${this.reader.text}`);
    const operator = this.reader.text;
    const operandToken = this.reader.next();
    const label = operator === "=" ? "equals" : operator;
    switch (operator) {
      case "=":
      case "<":
      case "<=": {
        if (operandToken !== "number") reject(`Value of ${label} must be numeric`);
        const literal = this.reader.text;
        const value = this.reader.number;
        if (this.reader.next() !== "]") tooManyElements();
        comparable(literal);
        if (operator === "=") return { low: value, lowOpen: false, high: value, highOpen: false };
        return { lowOpen: false, high: value, highOpen: operator === "<" };
      }
      case ">":
      case ">=": {
        if (operandToken !== "number") reject(`Value of ${label} must be numeric`);
        const lowLiteral = this.reader.text;
        const low = this.reader.number;
        const lowOpen = operator === ">";
        const next = this.reader.next();
        if (next === "]") {
          comparable(lowLiteral);
          return { low, lowOpen, highOpen: false };
        }
        if (next !== "string") reject(`Bad value in numeric range: ${this.reader.text}`);
        const topOperator = this.reader.text;
        if (topOperator !== "<" && topOperator !== "<=") reject(`Bad numeric range operator: ${topOperator}`);
        if (this.reader.next() !== "number") reject(`Value of ${topOperator} must be numeric`);
        const highLiteral = this.reader.text;
        const high = this.reader.number;
        if (this.reader.next() !== "]") reject("Too many terms in numeric range expression");
        comparable(lowLiteral);
        comparable(highLiteral);
        if (!(low < high)) reject("Bottom must be less than top");
        return { low, lowOpen, high, highOpen: topOperator === "<" };
      }
      default:
        return reject(`Unrecognized numeric range operator: ${operator}`);
    }
  }

  private anythingBut(): ValuePattern {
    let token = this.reader.next();
    let kind: "anything-but" | "anything-but-prefix" | "anything-but-suffix" | "anything-but-ignore-case" | "anything-but-wildcard" =
      "anything-but";
    if (token === "{") {
      if (this.reader.next() !== "name") reject("Anything-But expression name not found");
      switch (this.reader.text) {
        case "equals-ignore-case":
          kind = "anything-but-ignore-case";
          break;
        case "prefix":
          kind = "anything-but-prefix";
          break;
        case "suffix":
          kind = "anything-but-suffix";
          break;
        case "wildcard":
          kind = "anything-but-wildcard";
          break;
        default:
          reject(`Unsupported anything-but pattern: ${this.reader.text}`);
      }
      token = this.reader.next();
    }
    if (token !== "[" && token !== "string" && token !== "number") {
      reject("Value of anything-but must be an array or single string/number value.");
    }

    let pattern: ValuePattern;
    if (kind === "anything-but") {
      pattern = token === "[" ? this.anythingButList() : this.anythingButValue(token);
    } else {
      const values = token === "[" ? this.anythingButSetList(kind) : [this.anythingButSetValue(kind, token)];
      pattern = { kind, values };
    }
    if (this.reader.next() !== "}") tooManyElements();
    if (kind !== "anything-but" && this.reader.next() !== "}") tooManyElements();
    return pattern;
  }

  private anythingButValue(token: TokenKind): ValuePattern {
    if (token === "string") return { kind: "anything-but", strings: [this.reader.text], numbers: [] };
    comparable(this.reader.text);
    return { kind: "anything-but", strings: [], numbers: [this.reader.number] };
  }

  private anythingButList(): ValuePattern {
    const strings: string[] = [];
    const numbers: number[] = [];
    let token: TokenKind;
    while ((token = this.reader.next()) !== "]") {
      if (token === "string") strings.push(this.reader.text);
      else if (token === "number") {
        comparable(this.reader.text);
        numbers.push(this.reader.number);
      } else reject("Inside anything but list, start|null|boolean is not supported.");
    }
    if ((strings.length > 0) === (numbers.length > 0)) {
      reject("Inside anything but list, either all values are number or string, mixed type is not supported");
    }
    return { kind: "anything-but", strings, numbers };
  }

  private anythingButSetList(kind: AnythingButSetKind): string[] {
    const values: string[] = [];
    let token: TokenKind;
    while ((token = this.reader.next()) !== "]") values.push(this.anythingButSetValue(kind, token, false));
    // event-ruler accepts an empty list here (and then matches unpredictably); every other empty
    // list in a pattern is refused, so this one is too.
    if (values.length === 0) reject("Empty arrays are not allowed");
    if (kind === "anything-but-wildcard") values.forEach(checkWildcardSyntax);
    return values;
  }

  private anythingButSetValue(kind: AnythingButSetKind, token: TokenKind, checkWildcard = true): string {
    if (token !== "string") {
      if (kind === "anything-but-ignore-case") {
        reject("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
      }
      reject(kind === "anything-but-wildcard" ? "wildcard match pattern must be a string" : "prefix/suffix match pattern must be a string");
    }
    const value = this.reader.text;
    if ((kind === "anything-but-prefix" || kind === "anything-but-suffix") && value === "") reject("Null prefix/suffix not allowed");
    if (kind === "anything-but-wildcard" && checkWildcard) checkWildcardSyntax(value);
    return value;
  }

  private stringOperand(problem: string): string {
    if (this.reader.next() !== "string") reject(problem);
    return this.reader.text;
  }

  private endOfExpression(): void {
    if (this.reader.next() !== "}") reject("Only one key allowed in match expression");
  }
}

type AnythingButSetKind = "anything-but-prefix" | "anything-but-suffix" | "anything-but-ignore-case" | "anything-but-wildcard";

/** event-ruler's wording (sic) whenever a match expression object has a key too many. */
function tooManyElements(): never {
  return reject("Too many elements in numeric expression");
}

function comparable(literal: string): void {
  if (!isComparableNumberLiteral(literal)) reject(`Cannot compare number : ${literal}`);
}
