import { bytesOf, cloneItem, copyValue, type AttributeValue, type Item } from "./attribute-values";
import { operandTypeError } from "./conditions";
import { addNumbers, canonicalNumber } from "./decimal";
import { overlapping, pathText, resolve } from "./document-paths";
import type { Operand, UpdateAction } from "./expression-parser";
import type { Scope } from "./placeholders";
import { AwsError } from "../../aws-error";

/**
 * An update expression applied to an item: SET (with `+`, `-`, if_not_exists, list_append),
 * REMOVE, ADD and DELETE, every value computed from the item as it was before the update.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */

function updateValue(operand: Operand, item: Item, scope: Scope): AttributeValue {
  const missing = () => AwsError.validation("The provided expression refers to an attribute that does not exist in the item");
  switch (operand.kind) {
    case "path": {
      const value = resolve(item, scope.segments(operand));
      if (!value) throw missing();
      return value;
    }
    case "value":
      return copyValue(scope.value(operand.token));
    case "call": {
      if (operand.fn === "size") throw AwsError.validation("Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
      if (operand.fn === "if_not_exists") {
        if (operand.args.length !== 2 || operand.args[0].kind !== "path") throw AwsError.validation("Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists");
        return resolve(item, scope.segments(operand.args[0])) ?? updateValue(operand.args[1], item, scope);
      }
      if (operand.args.length !== 2) throw AwsError.validation(`Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: ${operand.args.length}`);
      const [head, tail] = operand.args.map((arg) => updateValue(arg, item, scope));
      for (const list of [head, tail]) if (!list.L) throw operandTypeError("UpdateExpression", "list_append", list);
      return { L: [...head.L!, ...tail.L!] };
    }
    case "arith": {
      const [left, right] = [updateValue(operand.left, item, scope), updateValue(operand.right, item, scope)];
      if (left.N === undefined || right.N === undefined) throw AwsError.validation("An operand in the update expression has an incorrect data type");
      return { N: addNumbers(left.N, right.N, operand.op === "-") };
    }
  }
}

/** The container a path's last segment lives in, or undefined when the path does not lead there. */
function parentOf(item: Item, segments: (string | number)[]): Record<string, AttributeValue> | AttributeValue[] | undefined {
  if (segments.length === 1) return item;
  const parent = resolve(item, segments.slice(0, -1));
  const last = segments[segments.length - 1];
  return typeof last === "number" ? parent?.L : parent?.M;
}

function writePath(item: Item, segments: (string | number)[], value: AttributeValue | undefined): void {
  const parent = parentOf(item, segments);
  if (!parent) throw AwsError.validation("The document path provided in the update expression is invalid for update");
  const last = segments[segments.length - 1];
  if (Array.isArray(parent)) {
    const index = last as number;
    if (value === undefined) {
      if (index < parent.length) parent.splice(index, 1);
    } else if (index >= parent.length) {
      parent.push(value);
    } else {
      parent[index] = value;
    }
  } else if (value === undefined) {
    delete parent[last as string];
  } else {
    parent[last as string] = value;
  }
}

function addOrDelete(kind: "ADD" | "DELETE", current: AttributeValue | undefined, operand: AttributeValue): AttributeValue | undefined {
  const label = "UpdateExpression";
  if (kind === "ADD" && operand.N !== undefined) {
    if (current && current.N === undefined) throw AwsError.validation("An operand in the update expression has an incorrect data type");
    return { N: addNumbers(current?.N ?? "0", operand.N) };
  }
  const setType = operand.SS ? "SS" : operand.NS ? "NS" : operand.BS ? "BS" : undefined;
  if (!setType) throw operandTypeError(label, kind, operand);
  if (!current) return kind === "ADD" ? operand : undefined;
  if (current[setType] === undefined) throw AwsError.validation("An operand in the update expression has an incorrect data type");
  const identity = (member: string | Uint8Array) => (setType === "BS" ? bytesOf(member).toString("base64") : setType === "NS" ? canonicalNumber(member as string) : (member as string));
  const existing = current[setType] as (string | Uint8Array)[];
  const changes = operand[setType] as (string | Uint8Array)[];
  if (kind === "ADD") {
    const present = new Set(existing.map(identity));
    return { [setType]: [...existing, ...changes.filter((member) => !present.has(identity(member)))] };
  }
  const removed = new Set(changes.map(identity));
  const remaining = existing.filter((member) => !removed.has(identity(member)));
  return remaining.length === 0 ? undefined : { [setType]: remaining };
}

/** Applies the actions to a copy of `item`; values are computed from the item as it was. */
export function applyUpdate(actions: UpdateAction[], item: Item, scope: Scope, keyNames: string[]): { updated: Item; touched: Set<string> } {
  const planned = actions.map((action) => ({ action, segments: scope.segments(action.path) }));
  for (let i = 0; i < planned.length; i++) {
    const { segments } = planned[i];
    if (keyNames.includes(segments[0] as string)) throw AwsError.validation(`One or more parameter values were invalid: Cannot update attribute ${segments[0]}. This attribute is part of the key`);
    for (let j = 0; j < i; j++) {
      if (overlapping(planned[j].segments, segments)) {
        throw AwsError.validation(`Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(planned[j].segments)}, path two: ${pathText(segments)}`);
      }
    }
  }
  const computed = planned.map(({ action, segments }) => {
    if (action.kind === "REMOVE") return undefined;
    if (action.kind === "SET") return updateValue(action.value, item, scope);
    return addOrDelete(action.kind, resolve(item, segments), updateValue(action.value, item, scope));
  });
  const updated = cloneItem(item);
  // Removing list elements shifts later ones: remove from the highest index down.
  const order = planned.map((_, i) => i).sort((a, b) => {
    const [x, y] = [planned[a].segments, planned[b].segments];
    const [ix, iy] = [x[x.length - 1], y[y.length - 1]];
    return typeof ix === "number" && typeof iy === "number" && planned[a].action.kind === "REMOVE" && planned[b].action.kind === "REMOVE" ? iy - ix : a - b;
  });
  for (const i of order) {
    const { action, segments } = planned[i];
    if (action.kind === "DELETE" && !resolve(updated, segments)) continue;
    if (action.kind === "REMOVE" && !parentOf(updated, segments)) continue;
    writePath(updated, segments, computed[i]);
  }
  return { updated, touched: new Set(planned.map(({ segments }) => segments[0] as string)) };
}
