import { cloneValue, type AttributeValue, type Item } from "./attribute-values";
import { overlapping, pathText, resolve } from "./document-paths";
import { AwsError } from "../../aws-error";

/**
 * A projection expression applied to an item: only the attributes and nested elements it names.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
 */

/** Orders paths so projected list elements come out in list order (map keys have no order). */
function byListIndex(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

export function project(item: Item, paths: (string | number)[][]): Item {
  for (let i = 1; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlapping(paths[j], paths[i])) {
        throw AwsError.validation(`Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(paths[j])}, path two: ${pathText(paths[i])}`);
      }
    }
  }
  const result: Item = {};
  for (const segments of [...paths].sort(byListIndex)) {
    const value = resolve(item, segments);
    if (value === undefined) continue;
    // Rebuild the path in the result: maps keep their keys, projected list elements are packed in order.
    let container: Record<string, AttributeValue> | AttributeValue[] = result;
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      const fresh: AttributeValue = last ? cloneValue(value) : typeof segments[i + 1] === "number" ? { L: [] } : { M: {} };
      let child = fresh;
      if (Array.isArray(container)) container.push(fresh);
      else child = container[segments[i] as string] ??= fresh;
      if (!last) container = child.L ?? child.M!;
    }
  }
  return result;
}

