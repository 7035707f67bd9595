import { compileEventPattern, type EventPatternMatcher, InvalidEventPatternError } from "@event-routes/event-pattern";
import { invalidParameter, type FilterPolicyScope, type SnsMessageAttribute, type SubscriptionFilter } from "./model";

/**
 * Subscription filter policies. They are matched by the EventBridge pattern engine
 * (`components/event-pattern`), whose language SNS's shares: exact values, prefix, suffix,
 * anything-but, equals-ignore-case, numeric, exists, cidr and $or. Differences left knowingly: SNS
 * limits numbers to ±10^9 with 5 decimals (here: doubles); SNS's exact error texts for invalid
 * policies are approximated. SNS-only rules enforced: no `wildcard`, no nesting in the
 * MessageAttributes scope, at most 5 keys and 150 value combinations.
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
 */

/**
 * Validates a subscription's filter policy with SNS's rules and compiles it with the EventBridge
 * pattern engine, whose matching semantics SNS's filter language shares.
 */
export function compileFilterPolicy(text: string, scope: FilterPolicyScope): EventPatternMatcher | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (error) {
    throw invalidParameter(`FilterPolicy: failed to parse JSON. ${(error as Error).message}`);
  }
  if (!policy || typeof policy !== "object" || Array.isArray(policy)) throw invalidParameter("FilterPolicy: Filter policy must be a JSON object");
  if (Object.keys(policy).length === 0) return undefined; // an empty policy accepts everything
  let keys = 0;
  const complexity = (node: Record<string, unknown>): number => {
    let combinations = 1;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$or" && Array.isArray(value)) {
        combinations *= value.reduce((sum: number, branch) => sum + (branch && typeof branch === "object" ? complexity(branch as Record<string, unknown>) : 1), 0);
      } else if (Array.isArray(value)) {
        keys++;
        for (const condition of value) {
          if (condition && typeof condition === "object" && "wildcard" in condition) throw invalidParameter("FilterPolicy: Unrecognized match type wildcard");
        }
        combinations *= Math.max(1, value.length);
      } else if (value && typeof value === "object") {
        if (scope === "MessageAttributes") throw invalidParameter("FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy");
        combinations *= complexity(value as Record<string, unknown>);
      } else {
        throw invalidParameter(`FilterPolicy: "${key}" must be an object or an array`);
      }
    }
    return combinations;
  };
  const combinations = complexity(policy as Record<string, unknown>);
  if (keys > 5) throw invalidParameter("FilterPolicy: Filter policy can not have more than 5 keys");
  if (combinations > 150) throw invalidParameter("FilterPolicy: Filter policy is too complex");
  try {
    return compileEventPattern(policy);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw invalidParameter(`FilterPolicy: ${error.message}`);
    throw error;
  }
}

/** Whether a subscription's filter lets a notification (its attributes, the message it would get) through. */
export function filterAccepts(filter: SubscriptionFilter | undefined, attributes: Record<string, SnsMessageAttribute>, message: string): boolean {
  if (!filter) return true;
  if (filter.scope === "MessageAttributes") return filter.matcher.matches(attributeValues(attributes));
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return false; // SNS filters out message bodies that are not JSON
  }
  return filter.matcher.matches(body);
}

/** The attributes a MessageAttributes-scope filter policy sees: numbers as numbers, arrays as arrays, no Binary. */
function attributeValues(attributes: Record<string, SnsMessageAttribute>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const type = attribute.DataType;
    if (type.startsWith("Binary")) continue;
    if (type === "String.Array") values[name] = JSON.parse(attribute.StringValue!);
    else if (type.startsWith("Number")) values[name] = Number(attribute.StringValue);
    else values[name] = attribute.StringValue;
  }
  return values;
}
