/**
 * The Condition element: operators, their IfExists and Null forms, and the ForAnyValue /
 * ForAllValues set qualifiers for multivalued keys.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { ConditionBlock, list } from "./grammar";
import { wildcard } from "./wildcard";

/**
 * Three-valued: `"unknown"` when the answer depends on what only the real request would tell (an
 * offline check that cannot know whether a key is present, an operator not modelled here).
 */
export type Outcome = true | false | "unknown";

/** The request context: condition keys (any case) and their value(s); a missing key is absent. */
export type ConditionContext = Record<string, string | string[] | undefined>;

/**
 * Whether a key the context does not carry might still be in the real request. Omitted, the context
 * is complete (the local cloud knows its whole request): a missing key is absent.
 */
export type UnknownKeys = (lowerCaseKey: string) => boolean;

interface Operator {
  /** ForAnyValue / ForAllValues, for multivalued keys. */
  set?: "any" | "all";
  ifExists: boolean;
  /** The operator without its qualifiers and without Not (`StringNotLike` → `StringLike`). */
  base: string;
  negated: boolean;
}

function parseOperator(raw: string): Operator {
  let name = raw;
  let set: Operator["set"];
  if (name.startsWith("ForAnyValue:")) [set, name] = ["any", name.slice("ForAnyValue:".length)];
  else if (name.startsWith("ForAllValues:")) [set, name] = ["all", name.slice("ForAllValues:".length)];
  const ifExists = name.endsWith("IfExists");
  if (ifExists) name = name.slice(0, -"IfExists".length);
  const negated = name !== "Null" && name.includes("Not");
  return { set, ifExists, base: negated ? name.replace("Not", "") : name, negated };
}

/** One value against the policy's values, before negation; undefined for an operator not modelled. */
function compareOne(base: string, value: string, expected: string[]): boolean | undefined {
  switch (base) {
    // String and ARN operators: exact, case-sensitive (ArnEquals compared exactly, as ever here).
    case "StringEquals":
    case "ArnEquals":
      return expected.includes(value);
    case "StringEqualsIgnoreCase":
      return expected.some((candidate) => candidate.toLowerCase() === value.toLowerCase());
    case "StringLike":
    case "ArnLike":
      return expected.some((pattern) => wildcard(pattern, value));
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
    case "Bool":
      return expected.some((candidate) => candidate.toLowerCase() === value.toLowerCase());
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
    case "NumericEquals":
      return expected.some((candidate) => Number(candidate) === Number(value));
    case "NumericLessThan":
      return expected.some((candidate) => Number(value) < Number(candidate));
    case "NumericLessThanEquals":
      return expected.some((candidate) => Number(value) <= Number(candidate));
    case "NumericGreaterThan":
      return expected.some((candidate) => Number(value) > Number(candidate));
    case "NumericGreaterThanEquals":
      return expected.some((candidate) => Number(value) >= Number(candidate));
    default:
      return undefined;
  }
}

/**
 * One operator and key. A key absent from the request: Null asks exactly that; IfExists, a negated
 * operator and ForAllValues (vacuously) hold; anything else fails. A key only an online request would
 * show (`unknownKey`): Null "true" and IfExists are taken to hold, as the offline checks always did;
 * anything else is unknown.
 */
export function conditionHolds(rawOperator: string, actual: string | string[] | undefined, expectedValues: unknown, unknownKey = false): Outcome {
  const operator = parseOperator(rawOperator);
  const expected = list(expectedValues).map(String);
  if (actual === undefined) {
    if (unknownKey) {
      if (operator.base === "Null") return expected.includes("true") ? true : "unknown";
      return operator.ifExists ? true : "unknown";
    }
    if (operator.base === "Null") return expected.includes("true");
    return operator.ifExists || operator.negated || operator.set === "all";
  }
  if (operator.base === "Null") return expected.includes("false");
  const values = list(actual);
  const results = values.map((value) => compareOne(operator.base, value, expected));
  if (results.includes(undefined)) return "unknown";
  const single = (hit: boolean | undefined) => (operator.negated ? !hit : !!hit);
  return operator.set === "all" ? results.every(single) : results.some(single);
}

/** All of a statement's conditions (every operator, every key: AND), against the request context. */
export function conditionsHold(conditions: ConditionBlock | undefined, context: ConditionContext, unknownKeys?: UnknownKeys): Outcome {
  if (!conditions) return true;
  const byLowerCase = new Map(Object.entries(context).filter(([, value]) => value !== undefined).map(([key, value]) => [key.toLowerCase(), value]));
  let outcome: Outcome = true;
  for (const [operator, keys] of Object.entries(conditions)) {
    for (const [key, expected] of Object.entries(keys ?? {})) {
      // Condition key names are not case-sensitive.
      const lower = key.toLowerCase();
      const actual = byLowerCase.get(lower);
      const holds = conditionHolds(operator, actual, expected, actual === undefined && !!unknownKeys?.(lower));
      if (holds === false) return false;
      if (holds === "unknown") outcome = "unknown";
    }
  }
  return outcome;
}
