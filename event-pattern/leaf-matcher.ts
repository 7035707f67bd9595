/**
 * The value test of one pattern field: does a single event value (string, number, boolean or null)
 * satisfy any of the field's value patterns? Everything is prepared once, at compile time.
 */
import { IgnoreCaseText } from "./ignore-case";
import { inIpRange, parseIpAddress } from "./ip";
import type { IpRange, NumericRange, ValuePattern } from "./ir";
import { WildcardPattern } from "./wildcard";

export type EventScalar = string | number | boolean | null;

type StringTest = (value: string) => boolean;

const addressScratch = new Uint8Array(16);

export class LeafMatcher {
  /** `{"exists": false}` is one of the alternatives: a missing field matches. */
  readonly matchesAbsence: boolean;
  /** Nothing but `{"exists": false}`: no value can match. */
  readonly absenceOnly: boolean;
  /** Relative cost of {@link test}, to order field checks cheapest first. */
  readonly cost: number;

  private readonly anyValue: boolean;
  private readonly strings?: Set<string>;
  private readonly numbers?: Set<number>;
  private readonly matchTrue: boolean;
  private readonly matchFalse: boolean;
  private readonly matchNull: boolean;
  private readonly ipRanges: IpRange[] = [];
  private readonly stringTests: StringTest[] = [];
  private readonly numericRanges: NumericRange[] = [];
  /** Each returns true when the value is *not* excluded. */
  private readonly anythingButs: ((value: EventScalar) => boolean)[] = [];

  constructor(patterns: readonly ValuePattern[]) {
    const strings: string[] = [];
    const numbers: number[] = [];
    const literals = new Set<boolean | null>();
    let anyValue = false;
    let absence = false;
    let cost = 0;
    for (const pattern of patterns) {
      switch (pattern.kind) {
        case "exact-string":
          strings.push(pattern.value);
          break;
        case "exact-number":
          numbers.push(pattern.value);
          break;
        case "exact-literal":
          literals.add(pattern.value);
          break;
        case "exact-ip":
        case "cidr":
          this.ipRanges.push(pattern.range);
          cost = Math.max(cost, 2);
          break;
        case "prefix":
        case "suffix":
          this.stringTests.push(affixTest(pattern.kind, pattern.value, pattern.ignoreCase));
          cost = Math.max(cost, 1);
          break;
        case "equals-ignore-case": {
          const text = new IgnoreCaseText(pattern.value);
          this.stringTests.push((value) => text.equals(value));
          cost = Math.max(cost, 2);
          break;
        }
        case "wildcard": {
          const wildcard = new WildcardPattern(pattern.value);
          this.stringTests.push((value) => wildcard.matches(value));
          cost = Math.max(cost, 2);
          break;
        }
        case "numeric":
          this.numericRanges.push(pattern.range);
          cost = Math.max(cost, 1);
          break;
        case "exists":
          if (pattern.exists) anyValue = true;
          else absence = true;
          cost = Math.max(cost, 3);
          break;
        default:
          this.anythingButs.push(anythingButTest(pattern));
          cost = Math.max(cost, 3);
      }
    }
    this.anyValue = anyValue;
    this.matchesAbsence = absence;
    this.absenceOnly = absence && patterns.every((p) => p.kind === "exists" && !p.exists);
    this.cost = cost;
    if (strings.length > 0) this.strings = new Set(strings);
    if (numbers.length > 0) this.numbers = new Set(numbers);
    this.matchTrue = literals.has(true);
    this.matchFalse = literals.has(false);
    this.matchNull = literals.has(null);
  }

  test(value: EventScalar): boolean {
    if (this.anyValue) return true;
    switch (typeof value) {
      case "string":
        if (this.strings !== undefined && this.strings.has(value)) return true;
        if (this.ipRanges.length > 0 && this.inIpRanges(value)) return true;
        for (let i = 0; i < this.stringTests.length; i++) if (this.stringTests[i](value)) return true;
        break;
      case "number":
        // Set lookup is by value (SameValueZero), so 300 finds 300.0 and 3e2, -0 finds 0.
        if (this.numbers !== undefined && this.numbers.has(value)) return true;
        for (let i = 0; i < this.numericRanges.length; i++) if (inNumericRange(value, this.numericRanges[i])) return true;
        break;
      case "boolean":
        if (value ? this.matchTrue : this.matchFalse) return true;
        break;
      default:
        if (this.matchNull) return true;
    }
    for (let i = 0; i < this.anythingButs.length; i++) if (this.anythingButs[i](value)) return true;
    return false;
  }

  private inIpRanges(value: string): boolean {
    const length = parseIpAddress(value, addressScratch);
    if (length === 0) return false;
    for (const range of this.ipRanges) if (inIpRange(addressScratch, length, range)) return true;
    return false;
  }
}

function affixTest(kind: "prefix" | "suffix", affix: string, ignoreCase: boolean): StringTest {
  if (ignoreCase) {
    const text = new IgnoreCaseText(affix);
    return kind === "prefix" ? (value) => text.isPrefixOf(value) : (value) => text.isSuffixOf(value);
  }
  return kind === "prefix" ? (value) => value.startsWith(affix) : (value) => value.endsWith(affix);
}

/** event-ruler only compares numbers it can represent; an overflowed (infinite) value is not one. */
function inNumericRange(value: number, range: NumericRange): boolean {
  if (!Number.isFinite(value)) return false;
  if (range.low !== undefined && (range.lowOpen ? value <= range.low : value < range.low)) return false;
  if (range.high !== undefined && (range.highOpen ? value >= range.high : value > range.high)) return false;
  return true;
}

/**
 * anything-but excludes values of its own kind only: a string list never excludes a number, a
 * number list never excludes the string "5", and null / booleans are never excluded.
 */
function anythingButTest(pattern: Extract<ValuePattern, { kind: `anything-but${string}` }>): (value: EventScalar) => boolean {
  switch (pattern.kind) {
    case "anything-but": {
      const strings = new Set(pattern.strings);
      const numbers = new Set(pattern.numbers);
      return (value) =>
        typeof value === "string" ? !strings.has(value) : typeof value === "number" ? !(Number.isFinite(value) && numbers.has(value)) : true;
    }
    case "anything-but-prefix":
      return excludeStrings(pattern.values.map((affix) => (value: string) => value.startsWith(affix)));
    case "anything-but-suffix":
      return excludeStrings(pattern.values.map((affix) => (value: string) => value.endsWith(affix)));
    case "anything-but-ignore-case":
      return excludeStrings(pattern.values.map((text) => new IgnoreCaseText(text)).map((text) => (value: string) => text.equals(value)));
    case "anything-but-wildcard":
      return excludeStrings(pattern.values.map((text) => new WildcardPattern(text)).map((wildcard) => (value: string) => wildcard.matches(value)));
  }
}

function excludeStrings(excluded: StringTest[]): (value: EventScalar) => boolean {
  return (value) => typeof value !== "string" || !excluded.some((test) => test(value));
}
