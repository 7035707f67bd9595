/**
 * Types of the EventBridge event-pattern language.
 *
 * `EventPattern` is the untyped JSON shape AWS accepts. `PatternFor<T>` narrows it to the fields
 * of a known event detail type `T`, so a misspelt field name is a compile error, and each leaf only
 * offers the operators that make sense for that field's type.
 */

type Scalar = string | number | boolean | null;

/** Content filters of the pattern language (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html). */
export type ContentFilter =
  | { prefix: string | { "equals-ignore-case": string } }
  | { suffix: string | { "equals-ignore-case": string } }
  | { "equals-ignore-case": string }
  | { wildcard: string }
  | { "anything-but": Scalar | Scalar[] | { prefix: string } | { suffix: string } | { "equals-ignore-case": string | string[] } | { wildcard: string | string[] } }
  | { numeric: (string | number)[] }
  | { exists: boolean }
  | { cidr: string };

/** A leaf of an untyped pattern: an array of values and/or content filters. */
export type PatternLeaf = (Scalar | ContentFilter)[];

/** An untyped EventBridge event pattern, as AWS accepts it. */
export interface EventPattern {
  [field: string]: PatternLeaf | EventPattern | EventPattern[] | undefined;
}

type StringFilter =
  | string
  | { prefix: string | { "equals-ignore-case": string } }
  | { suffix: string | { "equals-ignore-case": string } }
  | { "equals-ignore-case": string }
  | { wildcard: string }
  | { "anything-but": string | string[] | { prefix: string } | { suffix: string } | { "equals-ignore-case": string | string[] } | { wildcard: string | string[] } }
  | { cidr: string }
  | { exists: boolean };

type NumberFilter = number | { numeric: (string | number)[] } | { "anything-but": number | number[] } | { exists: boolean };

type BooleanFilter = boolean | { exists: boolean };

/** The filters allowed for a leaf whose event value has type `V`. */
export type LeafFilter<V> = [V] extends [string]
  ? StringFilter[]
  : [V] extends [number]
    ? NumberFilter[]
    : [V] extends [boolean]
      ? BooleanFilter[]
      : (Scalar | ContentFilter)[];

/**
 * A pattern over an object of type `T`: every key must be a key of `T`; objects nest, arrays of
 * values are matched element-wise (as EventBridge does), scalars take the filters of their type.
 */
export type PatternFor<T> = {
  [K in keyof T]?: PatternForValue<NonNullable<T[K]>> | (undefined extends T[K] ? { exists: boolean }[] : never);
} & { $or?: PatternFor<T>[] };

type PatternForValue<V> = V extends readonly (infer E)[]
  ? PatternForValue<E>
  : V extends object
    ? PatternFor<V>
    : LeafFilter<V>;
