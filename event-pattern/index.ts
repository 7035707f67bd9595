/**
 * EventBridge event patterns: typed shapes, validation with AWS's error messages, and matching
 * with AWS's semantics — those of aws/event-ruler (v2.x), the library EventBridge uses, checked
 * against the conformance data in `tests/fixtures/eventbridge-patterns` (814 match cases, 117
 * rejected patterns).
 *
 * ```ts
 * validateEventPattern(pattern);                 // throws InvalidEventPatternError like PutRule
 * const rule = compileEventPattern(pattern);     // once
 * rule.matches(event);                           // per event (object or JSON text)
 * ```
 *
 * Modules: `validate` (public checks and limits) → `rule-compiler` (grammar, over `json-tokens`)
 * → `ir` (sub-rules); `match` walks events with one `leaf-matcher` per field, helped by `ip`,
 * `wildcard`, `ignore-case` and `numbers`.
 *
 * A field constrained twice (e.g. at the top level and in an `$or` branch) is not ANDed: the later
 * occurrence replaces the earlier within each sub-rule, as event-ruler does by default
 * (`tests/fixtures/eventbridge-patterns/local-cases.json`); AWS documents nothing about it.
 *
 * Known differences from AWS, all deliberate or unavoidable:
 * - Events are parsed JSON, so number text is gone: numbers compare as doubles. event-ruler
 *   matches an event number written with more digits than a double holds (e.g. 0.1000000000000000001)
 *   only by its exact text; here it compares by its rounded value. Duplicate keys in an event's JSON
 *   text keep only the last value (JSON.parse); event-ruler sees both.
 * - Pattern text after the root object (`{...} junk`) is rejected; event-ruler stops reading at the
 *   end of the object. A wildcard / `$or` / size limit breach is reported with this engine's own
 *   wording where AWS's is not recorded. `anything-but` with an empty prefix/suffix/wildcard/
 *   equals-ignore-case list is rejected (event-ruler accepts it, with no sensible meaning).
 * - Not reproduced: event-ruler quirks that depend on other patterns sharing a byte machine — IP
 *   strings not being recognised in a field that also has a numeric filter, a `cidr` of /0
 *   matching some bare numbers — and per-UTF-16-unit case folding of astral characters in
 *   `equals-ignore-case` (done per code point here).
 * - IPv4 octets with leading zeros (`010.0.0.1`) are not addresses, as current JDKs refuse them.
 * - Wildcard complexity is a model of event-ruler's MachineComplexityEvaluator; it reproduces the
 *   recorded AWS accept / reject decisions, but values right at the limit may differ.
 */
export type { ContentFilter, EventPattern, LeafFilter, PatternFor, PatternLeaf } from "./types";
export {
  type EventPatternLimits,
  INVALID_EVENT_PATTERN_CODE,
  InvalidEventPatternError,
  isValidEventPattern,
  validateEventPattern,
} from "./validate";
export { compileEventPattern, type EventPatternMatcher, matchesEventPattern } from "./match";
