/**
 * The `wildcard` filter: `*` matches any run of characters (`/` included); `\*` and `\\` are the
 * only escapes; `?` and everything else is literal.
 */
import { reject } from "./errors";

/**
 * Rejects a wildcard value as event-ruler's WildcardParser does. It reads the UTF-8 bytes of the
 * value wrapped in quotes, so positions are byte offsets from that opening quote.
 */
export function checkWildcardSyntax(value: string): void {
  let position = 1; // after the opening quote
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x2a && value.charCodeAt(i + 1) === 0x2a) reject(`Consecutive wildcard characters at pos ${position}`);
    if (code === 0x5c) {
      const next = value.charCodeAt(i + 1);
      // Past the end of the value comes the closing quote, which is no valid escape either.
      if (next !== 0x2a && next !== 0x5c) reject(`Invalid escape character at pos ${position}`);
      i++;
      position += 2;
      continue;
    }
    position += utf8Length(value, i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) i++;
  }
}

function utf8Length(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) return 4;
  if (code >= 0xd800 && code <= 0xdfff) return 1; // a lone surrogate becomes "?"
  return 3;
}

/** Splits a (valid) wildcard value into its literal parts; stars lie between consecutive parts. */
function literalParts(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "\\") current += value[++i];
    else if (char === "*") {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** A compiled wildcard value. */
export class WildcardPattern {
  private readonly first: string;
  private readonly last: string;
  private readonly middle: readonly string[];
  private readonly hasStar: boolean;
  private readonly minLength: number;

  constructor(readonly value: string) {
    const parts = literalParts(value);
    this.first = parts[0];
    this.last = parts[parts.length - 1];
    this.middle = parts.slice(1, -1);
    this.hasStar = parts.length > 1;
    this.minLength = parts.reduce((sum, part) => sum + part.length, 0);
  }

  matches(text: string): boolean {
    if (!this.hasStar) return text === this.first;
    if (text.length < this.minLength || !text.startsWith(this.first) || !text.endsWith(this.last)) return false;
    // Greedy leftmost placement of the middle parts is optimal for `*`-only globs.
    let from = this.first.length;
    const limit = text.length - this.last.length;
    for (const part of this.middle) {
      const at = text.indexOf(part, from);
      if (at < 0 || at + part.length > limit) return false;
      from = at + part.length;
    }
    return true;
  }
}

const STAR = 256;

/** Quoted UTF-8 bytes of a (valid) wildcard value, with STAR for each unescaped `*`. */
function wildcardBytes(value: string): number[] {
  const tokens: number[] = [0x22];
  const encoder = new TextEncoder();
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "*") tokens.push(STAR);
    else {
      const literal = char === "\\" ? value[++i] : char;
      const code = literal.charCodeAt(0);
      const text = code >= 0xd800 && code <= 0xdbff && i + 1 < value.length ? literal + value[++i] : literal;
      tokens.push(...encoder.encode(text));
    }
  }
  tokens.push(0x22);
  return tokens;
}

/**
 * Estimates event-ruler's MachineComplexityEvaluator for one field's wildcard values: the largest
 * number of partial wildcard matches that a single input can keep alive at once (states of the
 * byte machine that can still lead to a wildcard match, each weighted by how many wildcard values
 * it serves, plus the wildcard states one more byte would enter). AWS rejects a rule above a fixed
 * threshold. The machine is modelled, not copied, so treat values near the limit as approximate.
 * Evaluation stops once `cap` is exceeded.
 */
export function wildcardComplexity(values: readonly string[], cap: number): number {
  const literal: Map<number, number[]>[] = [new Map()];
  const any: number[][] = [[]];
  const servedBy: Set<number>[] = [new Set()];
  const starFrom = new Map<number, number>(); // determinate state -> its shared star state
  const alphabet = new Set<number>();

  const newState = (): number => {
    literal.push(new Map());
    any.push([]);
    servedBy.push(new Set());
    return literal.length - 1;
  };
  const addLiteral = (from: number, byte: number, to: number): void => {
    const targets = literal[from].get(byte);
    if (targets === undefined) literal[from].set(byte, [to]);
    else if (!targets.includes(to)) targets.push(to);
  };

  values.forEach((value, valueIndex) => {
    let current = 0;
    let beforeStar = -1; // the state a star was entered from, when `current` is a star state
    let determinate = true; // still in the prefix shared with other values (no star yet)
    for (const token of wildcardBytes(value)) {
      let next: number;
      if (token === STAR) {
        const shared = determinate ? starFrom.get(current) : undefined;
        next = shared ?? newState();
        if (determinate) starFrom.set(current, next);
        if (!any[current].includes(next)) any[current].push(next);
        if (!any[next].includes(next)) any[next].push(next);
        beforeStar = current;
        determinate = false;
      } else {
        alphabet.add(token);
        const existing = determinate ? literal[current].get(token)?.[0] : undefined;
        next = existing ?? newState();
        addLiteral(current, token, next);
        // A star may match nothing: the byte after it is also reachable from before the star.
        if (beforeStar >= 0) addLiteral(beforeStar, token, next);
        beforeStar = -1;
      }
      servedBy[next].add(valueIndex);
      current = next;
    }
  });

  const weight = servedBy.map((set) => set.size);
  const symbols = [...alphabet, -1]; // -1: any byte no value mentions
  const seen = new Set<string>();
  const pending: number[][] = [[0]];
  let maximum = 0;
  while (pending.length > 0) {
    const states = pending.pop() as number[];
    for (const symbol of symbols) {
      const nextStates = new Set<number>();
      for (const state of states) {
        for (const target of any[state]) nextStates.add(target);
        for (const target of literal[state].get(symbol) ?? []) nextStates.add(target);
      }
      if (nextStates.size === 0) continue;
      let size = 0;
      for (const state of nextStates) {
        size += weight[state];
        for (const star of any[state]) if (!nextStates.has(star)) size += weight[star];
      }
      if (size > cap) return size;
      maximum = Math.max(maximum, size);
      const sorted = [...nextStates].sort((a, b) => a - b);
      const key = sorted.join(",");
      if (!seen.has(key)) {
        seen.add(key);
        pending.push(sorted);
      }
    }
  }
  return maximum;
}
