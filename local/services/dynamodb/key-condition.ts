import type { Condition, Operand } from "./expression-parser";
import type { Scope } from "./placeholders";
import type { TableSchema } from "./table-keys";
import { AwsError } from "../../aws-error";

/**
 * A Query's key condition split into its parts: equality on the hash key (required), and at most
 * one condition on the range key (=, <, <=, >, >=, BETWEEN or begins_with), against values only.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 */

/** `hashKey = :v [AND range condition]`, in either order, as DynamoDB accepts key conditions. */
export function keyConditionParts(tree: Condition, scope: Scope, schema: TableSchema): { hash: string; range?: Condition } {
  const unsupported = () => AwsError.validation("Query key condition not supported");
  const parts: Condition[] = [];
  const flatten = (condition: Condition) => {
    if (condition.kind === "and") {
      flatten(condition.left);
      flatten(condition.right);
    } else {
      parts.push(condition);
    }
  };
  flatten(tree);
  if (parts.length > 2) throw AwsError.validation("Conditions can be of length 1 or 2 only");
  const attributeOf = (condition: Condition): string | undefined => {
    const operand = condition.kind === "compare" ? condition.left : condition.kind === "between" ? condition.value : condition.kind === "fn" ? condition.args[0] : undefined;
    return operand?.kind === "path" && operand.segments.length === 1 ? scope.name((operand.segments[0] as { name: string }).name) : undefined;
  };
  let hash: string | undefined;
  let range: Condition | undefined;
  for (const part of parts) {
    const attribute = attributeOf(part);
    if (attribute === undefined) throw unsupported();
    if (attribute === schema.hashKey) {
      if (part.kind !== "compare" || part.op !== "=" || part.right.kind !== "value") throw unsupported();
      hash = part.right.token;
    } else if (attribute === schema.rangeKey) {
      const valuesOnly = (operands: Operand[]) => operands.every((operand) => operand.kind === "value");
      const allowed =
        (part.kind === "compare" && part.op !== "<>" && valuesOnly([part.right])) ||
        (part.kind === "between" && valuesOnly([part.low, part.high])) ||
        (part.kind === "fn" && part.fn === "begins_with" && valuesOnly([part.args[1]]));
      if (!allowed) throw unsupported();
      range = part;
    } else {
      throw AwsError.validation(`Query condition missed key schema element: ${schema.hashKey}`);
    }
  }
  if (hash === undefined) throw AwsError.validation(`Query condition missed key schema element: ${schema.hashKey}`);
  return { hash, range };
}
