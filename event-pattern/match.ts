/**
 * Matching events against EventBridge patterns with AWS's semantics (those of aws/event-ruler's
 * `rulesForJSONEvent`, which EventBridge uses).
 *
 * A pattern is compiled once into one probe per (field path, value patterns); a probe walks the
 * event along its path directly — no flattening, no per-event allocation on the common path.
 *
 * Arrays of objects need care: several fields inside one array must be matched within the same
 * element ("array consistency"). A value found inside an array of objects / arrays is "tied" to the
 * element it came from. As long as every value a sub-rule relies on is untied, fields are
 * independent and each is checked on its own. Otherwise the sub-rule is re-checked exactly by a
 * backtracking search, in event-ruler's field order (sorted paths), which matters for
 * `exists: false`: absence is judged against the array elements chosen for the fields before it.
 */
import type { SubRule, ValuePattern } from "./ir";
import { type EventScalar, LeafMatcher } from "./leaf-matcher";
import { type EventPatternLimits, parseEventPattern } from "./validate";

export interface EventPatternMatcher {
  /**
   * True if `event` matches. `event` is a parsed JSON object, or its JSON text. Non-objects never
   * match (AWS refuses them as events).
   */
  matches(event: unknown): boolean;
}

/** Validates and compiles `pattern` (object or JSON text) for repeated matching. */
export function compileEventPattern(pattern: unknown, limits?: EventPatternLimits): EventPatternMatcher {
  return new CompiledEventPattern(parseEventPattern(pattern, limits));
}

/** One-off match; compile with {@link compileEventPattern} to test many events. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

// Bits of a probe's scan result.
const UNTIED_MATCH = 1; // a matching value outside any array of objects/arrays
const TIED_MATCH = 2; // a matching value inside one
const UNTIED_VALUE = 4; // some value (matching or not) outside
const TIED_VALUE = 8; // some value inside

type Verdict = "match" | "fail" | "depends";

type JsonObject = Record<string, unknown>;

/** Event value → the array elements (array object → index) it lies in, as event-ruler records it. */
type Membership = ReadonlyMap<readonly unknown[], number>;

interface Candidate {
  readonly value: EventScalar;
  readonly membership: Membership;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Scans an event for the values of one field and tests them against the field's patterns. */
class FieldProbe {
  /** keys[from][k]: path segments from..from+k joined by "." (event keys may contain dots). */
  private readonly keys: string[][];
  /** Keys that exist on Object.prototype must be checked as own properties. */
  private readonly ownOnly: boolean[][];
  private flags = 0;
  private scannedIn = -1;

  constructor(
    readonly path: string,
    readonly leaf: LeafMatcher,
  ) {
    const segments = path.split(".");
    this.keys = segments.map((_, from) => segments.slice(from).map((__, k) => segments.slice(from, from + k + 1).join(".")));
    this.ownOnly = this.keys.map((row) => row.map((key) => key in Object.prototype));
  }

  get cost(): number {
    return this.leaf.cost * 16 + this.keys.length;
  }

  /** Scan result for `event`, computed once per match call (`pass`). */
  scan(event: JsonObject, pass: number): number {
    if (this.scannedIn !== pass) {
      this.flags = 0;
      this.visitObject(event, 0, false);
      this.scannedIn = pass;
    }
    return this.flags;
  }

  verdict(flags: number): Verdict {
    if (flags & UNTIED_MATCH) return "match";
    const matchesAbsence = this.leaf.matchesAbsence;
    if (matchesAbsence && (flags & (UNTIED_VALUE | TIED_VALUE)) === 0) return "match";
    if (flags & TIED_MATCH) return "depends";
    if (matchesAbsence && (flags & UNTIED_VALUE) === 0) return "depends";
    return "fail";
  }

  /** Every value of the field with its array membership, for the exact search. */
  collect(event: JsonObject): Candidate[] {
    const found: Candidate[] = [];
    this.collectObject(event, 0, new Map(), found);
    return found;
  }

  private child(object: JsonObject, from: number, k: number): unknown {
    const key = this.keys[from][k];
    return this.ownOnly[from][k] && !hasOwn.call(object, key) ? undefined : object[key];
  }

  // The visit* methods return true to stop early: an untied match settles the field.

  private visitObject(object: JsonObject, from: number, tied: boolean): boolean {
    const candidates = this.keys[from].length;
    for (let k = 0; k < candidates; k++) {
      const value = this.child(object, from, k);
      if (value === undefined) continue;
      const rest = from + k + 1;
      if (rest === this.keys.length) {
        if (this.visitValue(value, tied)) return true;
      } else if (typeof value === "object" && value !== null) {
        const stop = Array.isArray(value) ? this.visitArrayOnPath(value, rest) : this.visitObject(value as JsonObject, rest, tied);
        if (stop) return true;
      }
    }
    return false;
  }

  /** An array met before the end of the path: its objects continue the path, tied to their element. */
  private visitArrayOnPath(array: readonly unknown[], from: number): boolean {
    for (let i = 0; i < array.length; i++) {
      const element = array[i];
      if (typeof element !== "object" || element === null) continue;
      const stop = Array.isArray(element) ? this.visitArrayOnPath(element, from) : this.visitObject(element as JsonObject, from, true);
      if (stop) return true;
    }
    return false;
  }

  /** The value at the end of the path: a scalar, or an array of them (nested arrays flattened). */
  private visitValue(value: unknown, tied: boolean): boolean {
    if (typeof value !== "object" || value === null) return this.record(value, tied);
    if (!Array.isArray(value)) return false; // an object holds no value at this path
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element !== "object" || element === null) {
        // Scalars in an array are not tied to their element (only objects and arrays are).
        if (this.record(element, tied)) return true;
      } else if (Array.isArray(element) && this.visitValue(element, true)) return true;
    }
    return false;
  }

  private record(value: unknown, tied: boolean): boolean {
    if (!isScalar(value)) return false;
    this.flags |= tied ? TIED_VALUE : UNTIED_VALUE;
    if (this.leaf.absenceOnly) return !tied; // an untied value alone settles `exists: false`
    if (!this.leaf.test(value)) return false;
    if (!tied) {
      this.flags |= UNTIED_MATCH;
      return true;
    }
    this.flags |= TIED_MATCH;
    return false;
  }

  private collectObject(object: JsonObject, from: number, membership: Map<readonly unknown[], number>, found: Candidate[]): void {
    const candidates = this.keys[from].length;
    for (let k = 0; k < candidates; k++) {
      const value = this.child(object, from, k);
      if (value === undefined) continue;
      const rest = from + k + 1;
      if (rest === this.keys.length) this.collectValue(value, membership, found);
      else if (typeof value === "object" && value !== null) {
        if (Array.isArray(value)) this.collectArrayOnPath(value, rest, membership, found);
        else this.collectObject(value as JsonObject, rest, membership, found);
      }
    }
  }

  private collectArrayOnPath(array: readonly unknown[], from: number, membership: Map<readonly unknown[], number>, found: Candidate[]): void {
    array.forEach((element, index) => {
      if (typeof element !== "object" || element === null) return;
      membership.set(array, index);
      if (Array.isArray(element)) this.collectArrayOnPath(element, from, membership, found);
      else this.collectObject(element as JsonObject, from, membership, found);
      membership.delete(array);
    });
  }

  private collectValue(value: unknown, membership: Map<readonly unknown[], number>, found: Candidate[]): void {
    if (isScalar(value)) {
      found.push({ value, membership: new Map(membership) });
      return;
    }
    if (!Array.isArray(value)) return;
    value.forEach((element: unknown, index) => {
      if (isScalar(element)) found.push({ value: element, membership: new Map(membership) });
      else if (Array.isArray(element)) {
        membership.set(value, index);
        this.collectValue(element, membership, found);
        membership.delete(value);
      }
    });
  }
}

function isScalar(value: unknown): value is EventScalar {
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || value === null;
}

interface CompiledSubRule {
  /** Cheapest first, for the independent checks. */
  readonly byCost: readonly FieldProbe[];
  /** Sorted by path, the order event-ruler visits fields in. */
  readonly byPath: readonly FieldProbe[];
}

class CompiledEventPattern implements EventPatternMatcher {
  private readonly subRules: readonly CompiledSubRule[];
  private pass = 0;

  constructor(rules: readonly SubRule[]) {
    const leaves = new Map<readonly ValuePattern[], LeafMatcher>();
    const probes = new Map<string, FieldProbe>();
    let nextId = 0;
    const ids = new Map<readonly ValuePattern[], number>();
    this.subRules = rules.map((rule) => {
      const fields = [...rule].map(([path, patterns]) => {
        let leaf = leaves.get(patterns);
        if (leaf === undefined) {
          leaf = new LeafMatcher(patterns);
          leaves.set(patterns, leaf);
          ids.set(patterns, nextId++);
        }
        // Sub-rules that share a field (same path, same patterns) share its probe and its scan.
        const key = `${ids.get(patterns)}\u0000${path}`;
        let probe = probes.get(key);
        if (probe === undefined) {
          probe = new FieldProbe(path, leaf);
          probes.set(key, probe);
        }
        return probe;
      });
      return {
        byCost: [...fields].sort((a, b) => a.cost - b.cost),
        byPath: [...fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      };
    });
  }

  matches(event: unknown): boolean {
    const root: unknown = typeof event === "string" ? JSON.parse(event) : event;
    if (typeof root !== "object" || root === null || Array.isArray(root)) return false;
    const pass = ++this.pass;
    for (const rule of this.subRules) {
      if (this.matchesSubRule(rule, root as JsonObject, pass)) return true;
    }
    return false;
  }

  private matchesSubRule(rule: CompiledSubRule, event: JsonObject, pass: number): boolean {
    let dependent = 0;
    let lastDependent: FieldProbe | undefined;
    for (const probe of rule.byCost) {
      const verdict = probe.verdict(probe.scan(event, pass));
      if (verdict === "fail") return false;
      if (verdict === "depends") {
        dependent++;
        lastDependent = probe;
      }
    }
    if (dependent === 0) return true;
    if (dependent === 1) {
      // Alone, a tied value is consistent with everything else; but it also means the field
      // exists, so only an actual tied match will do.
      return ((lastDependent as FieldProbe).scan(event, pass) & TIED_MATCH) !== 0;
    }
    const dependentProbes = rule.byPath.filter((probe) => probe.verdict(probe.scan(event, pass)) === "depends");
    return searchConsistent(dependentProbes, event);
  }
}

/**
 * Exact array-consistent matching over the fields whose outcome depends on array elements. Fields
 * are visited in path order; each picks a matching value whose array elements agree with those
 * already picked, or — for `exists: false` — passes if no value agrees with them.
 */
function searchConsistent(probes: readonly FieldProbe[], event: JsonObject): boolean {
  const candidates = probes.map((probe) => probe.collect(event));
  const search = (index: number, chosen: Membership): boolean => {
    if (index === probes.length) return true;
    const leaf = probes[index].leaf;
    let anyConsistent = false;
    for (const candidate of candidates[index]) {
      if (!consistent(chosen, candidate.membership)) continue;
      anyConsistent = true;
      if (leaf.test(candidate.value) && search(index + 1, merge(chosen, candidate.membership))) return true;
    }
    return leaf.matchesAbsence && !anyConsistent && search(index + 1, chosen);
  };
  return search(0, new Map());
}

function consistent(a: Membership, b: Membership): boolean {
  for (const [array, index] of b) {
    const other = a.get(array);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}

function merge(a: Membership, b: Membership): Membership {
  if (b.size === 0) return a;
  const merged = new Map(a);
  for (const [array, index] of b) merged.set(array, index);
  return merged;
}
