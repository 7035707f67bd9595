import type { AttributeValue, Item } from "./attribute-values";

/**
 * Document paths made concrete (attribute names and list indexes, placeholders resolved): reading
 * the value at one, and telling whether two overlap (AWS refuses overlapping paths in one
 * update or projection).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html
 */

export function resolve(item: Item, segments: (string | number)[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[segments[0] as string];
  for (let i = 1; i < segments.length && current; i++) {
    const segment = segments[i];
    current = typeof segment === "number" ? current.L?.[segment] : current.M?.[segment];
  }
  return current;
}

export function overlapping(a: (string | number)[], b: (string | number)[]): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const pathText = (segments: (string | number)[]) => `[${segments.join(", ")}]`;
