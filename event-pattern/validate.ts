/**
 * Validation of EventBridge event patterns: rejects what AWS rejects, with AWS's messages.
 */
import { InvalidEventPatternError, reject } from "./errors";
import type { SubRule, ValuePattern } from "./ir";
import { JsonTextReader, JsonValueReader } from "./json-tokens";
import { compileRule } from "./rule-compiler";
import { wildcardComplexity } from "./wildcard";

export { InvalidEventPatternError, INVALID_EVENT_PATTERN_CODE } from "./errors";

/** Limits AWS applies beyond the pattern grammar. */
export interface EventPatternLimits {
  /**
   * The "Event pattern size" quota, in characters of the pattern text (for an object, of its
   * `JSON.stringify` form). Default 2048; the quota is adjustable per account, so raise it (or pass
   * `Infinity`) if yours was.
   */
  readonly maxLength?: number;
  /** Most rules the `$or`s of one pattern may combine into. Default 1000, as documented. */
  readonly maxOrCombinations?: number;
  /**
   * Highest wildcard complexity accepted. Default 10: AWS accepted complexity 7 and 9 and refused 11
   * ("Rule is too complex ...").
   */
  readonly maxWildcardComplexity?: number;
}

const DEFAULT_LIMITS: Required<EventPatternLimits> = {
  maxLength: 2048,
  maxOrCombinations: 1000,
  maxWildcardComplexity: 10,
};

const TOO_COMPLEX =
  "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/**
 * Throws {@link InvalidEventPatternError} if AWS would reject `pattern`. Takes the pattern as an
 * object, or as the JSON text you would send (which is then also checked as JSON, as AWS does).
 */
export function validateEventPattern(pattern: unknown, limits?: EventPatternLimits): void {
  parseEventPattern(pattern, limits);
}

/** True if AWS would accept `pattern` (see {@link validateEventPattern}). */
export function isValidEventPattern(pattern: unknown, limits?: EventPatternLimits): boolean {
  try {
    parseEventPattern(pattern, limits);
    return true;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return false;
    throw error;
  }
}

/** Validates `pattern` and returns its sub-rules (one per `$or` combination). */
export function parseEventPattern(pattern: unknown, limits: EventPatternLimits = {}): SubRule[] {
  const { maxLength, maxOrCombinations, maxWildcardComplexity } = { ...DEFAULT_LIMITS, ...limits };
  const text = typeof pattern === "string" ? pattern : stringifyOrUndefined(pattern);
  if (text !== undefined && text.length > maxLength) {
    reject(`Event pattern is ${text.length} characters long; the maximum is ${maxLength}`);
  }
  const reader = typeof pattern === "string" ? new JsonTextReader(pattern) : new JsonValueReader(pattern);
  const rules = compileRule(reader, { maxSubRules: maxOrCombinations });
  checkWildcardComplexity(rules, maxWildcardComplexity);
  return rules;
}

function stringifyOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // circular or BigInt: the compiler reports it
  }
}

/** Each field's wildcard values form one byte machine, whose complexity AWS caps. */
function checkWildcardComplexity(rules: readonly SubRule[], limit: number): void {
  const checked = new Set<readonly ValuePattern[]>();
  for (const rule of rules) {
    for (const patterns of rule.values()) {
      if (checked.has(patterns)) continue;
      checked.add(patterns);
      const wildcards = patterns.flatMap((p) => (p.kind === "wildcard" ? [p.value] : []));
      if (wildcards.length > 0 && wildcardComplexity(wildcards, limit) > limit) reject(TOO_COMPLEX);
    }
  }
}
