/**
 * The checked form of a pattern, as event-ruler's compiler produces it: `$or` is expanded into
 * sub-rules, each a map from a dotted field path to the list of value patterns (ORed) for that field.
 */

/** An IP address (4 or 16 bytes) range, inclusive at both ends. */
export interface IpRange {
  readonly low: Uint8Array;
  readonly high: Uint8Array;
}

export type ValuePattern =
  | { readonly kind: "exact-string"; readonly value: string }
  /** A string that is an IP address literal: AWS compares it as an address, not as text. */
  | { readonly kind: "exact-ip"; readonly range: IpRange }
  | { readonly kind: "exact-number"; readonly value: number }
  | { readonly kind: "exact-literal"; readonly value: boolean | null }
  | { readonly kind: "prefix" | "suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "equals-ignore-case"; readonly value: string }
  | { readonly kind: "wildcard"; readonly value: string }
  | { readonly kind: "numeric"; readonly range: NumericRange }
  | { readonly kind: "exists"; readonly exists: boolean }
  | { readonly kind: "cidr"; readonly range: IpRange }
  | { readonly kind: "anything-but"; readonly strings: readonly string[]; readonly numbers: readonly number[] }
  | {
      readonly kind: "anything-but-prefix" | "anything-but-suffix" | "anything-but-ignore-case" | "anything-but-wildcard";
      readonly values: readonly string[];
    };

/** Bounds of a `numeric` filter; a missing bound is unbounded. `=` is a closed range of one value. */
export interface NumericRange {
  readonly low?: number;
  readonly lowOpen: boolean;
  readonly high?: number;
  readonly highOpen: boolean;
}

/**
 * One AND-branch of a rule: dotted field path → patterns. The same patterns array object is shared
 * by every sub-rule that took the field from the same place in the pattern, so matchers can
 * evaluate it once per event.
 */
export type SubRule = Map<string, readonly ValuePattern[]>;
