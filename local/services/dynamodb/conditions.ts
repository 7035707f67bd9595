import { bytesOf, equal, order, setMembers, TYPES, typeOf, type AttributeValue, type Item } from "./attribute-values";
import { canonicalNumber } from "./decimal";
import { resolve } from "./document-paths";
import type { Condition, Operand } from "./expression-parser";
import type { Scope } from "./placeholders";
import { AwsError } from "../../aws-error";

/**
 * Whether a condition holds for an item: condition expressions, filter expressions and the range
 * part of key conditions. Comparators, BETWEEN, IN, AND / OR / NOT and the functions
 * attribute_exists, attribute_not_exists, attribute_type, begins_with, contains and size.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */

const describe = (value: AttributeValue): string => ({ S: "S", N: "N", B: "B", SS: "SS", NS: "NS", BS: "BS", M: "M", L: "L", NULL: "NULL", BOOL: "BOOL" })[typeOf(value)];

export function operandTypeError(label: string, operator: string, value: AttributeValue): AwsError {
  return AwsError.validation(`Invalid ${label}: Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${describe(value)}`);
}

function evaluateOperand(operand: Operand, item: Item, scope: Scope, label: string): AttributeValue | undefined {
  switch (operand.kind) {
    case "path":
      return resolve(item, scope.segments(operand));
    case "value":
      return scope.value(operand.token);
    case "call": {
      if (operand.fn !== "size") throw AwsError.validation(`Invalid ${label}: The function is not allowed to be used this way in an expression; function: ${operand.fn}`);
      const target = evaluateOperand(operand.args[0], item, scope, label);
      if (target === undefined) return undefined;
      if (target.S !== undefined) return { N: String([...target.S].length) };
      if (target.B !== undefined) return { N: String(bytesOf(target.B).length) };
      const members = target.SS ?? target.NS ?? target.BS ?? target.L;
      if (members) return { N: String(members.length) };
      if (target.M) return { N: String(Object.keys(target.M).length) };
      throw operandTypeError(label, "size", target);
    }
    case "arith":
      throw AwsError.validation(`Invalid ${label}: Syntax error; token: "${operand.op}"`);
  }
}

function requireScalarLiteral(operand: Operand, value: AttributeValue | undefined, label: string, operator: string): void {
  if (operand.kind === "value" && value && value.S === undefined && value.N === undefined && value.B === undefined) throw operandTypeError(label, operator, value);
}

export function holds(condition: Condition, item: Item, scope: Scope, label: string): boolean {
  switch (condition.kind) {
    case "or":
      return holds(condition.left, item, scope, label) || holds(condition.right, item, scope, label);
    case "and":
      return holds(condition.left, item, scope, label) && holds(condition.right, item, scope, label);
    case "not":
      return !holds(condition.condition, item, scope, label);
    case "compare": {
      const left = evaluateOperand(condition.left, item, scope, label);
      const right = evaluateOperand(condition.right, item, scope, label);
      if (condition.op === "=" || condition.op === "<>") {
        const same = left !== undefined && right !== undefined && equal(left, right);
        return condition.op === "=" ? same : !same;
      }
      requireScalarLiteral(condition.left, left, label, condition.op);
      requireScalarLiteral(condition.right, right, label, condition.op);
      const comparison = left && right ? order(left, right) : undefined;
      if (comparison === undefined) return false;
      return condition.op === "<" ? comparison < 0 : condition.op === "<=" ? comparison <= 0 : condition.op === ">" ? comparison > 0 : comparison >= 0;
    }
    case "between": {
      const [value, low, high] = [condition.value, condition.low, condition.high].map((operand) => evaluateOperand(operand, item, scope, label));
      if (low && high) {
        const bounds = order(low, high);
        if (bounds !== undefined && bounds > 0) {
          throw AwsError.validation(`Invalid ${label}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(low)}, upper bound operand: AttributeValue: ${JSON.stringify(high)}`);
        }
      }
      if (!value || !low || !high) return false;
      const above = order(low, value);
      const below = order(value, high);
      return above !== undefined && below !== undefined && above <= 0 && below <= 0;
    }
    case "in": {
      const value = evaluateOperand(condition.value, item, scope, label);
      return value !== undefined && condition.list.some((operand) => {
        const candidate = evaluateOperand(operand, item, scope, label);
        return candidate !== undefined && equal(value, candidate);
      });
    }
    case "fn":
      return holdsFunction(condition.fn, condition.args, item, scope, label);
  }
}

function holdsFunction(fn: string, args: Operand[], item: Item, scope: Scope, label: string): boolean {
  const arity = fn === "attribute_exists" || fn === "attribute_not_exists" ? 1 : 2;
  if (args.length !== arity) throw AwsError.validation(`Invalid ${label}: Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${args.length}`);
  if (args[0].kind !== "path") throw AwsError.validation(`Invalid ${label}: Operator or function requires a document path; operator or function: ${fn}`);
  const target = resolve(item, scope.segments(args[0]));
  switch (fn) {
    case "attribute_exists":
      return target !== undefined;
    case "attribute_not_exists":
      return target === undefined;
    case "attribute_type": {
      const type = evaluateOperand(args[1], item, scope, label);
      if (type?.S === undefined || !(TYPES as readonly string[]).includes(type.S)) {
        throw AwsError.validation(`Invalid ${label}: Invalid attribute type name found; type: ${type?.S ?? JSON.stringify(type)}, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M };`);
      }
      return target !== undefined && typeOf(target) === type.S;
    }
    case "begins_with": {
      const prefix = evaluateOperand(args[1], item, scope, label);
      if (!target || !prefix) return false;
      if (target.S !== undefined && prefix.S !== undefined) return target.S.startsWith(prefix.S);
      if (target.B !== undefined && prefix.B !== undefined) {
        const [whole, start] = [bytesOf(target.B), bytesOf(prefix.B)];
        return whole.subarray(0, start.length).equals(start);
      }
      return false;
    }
    default: {
      // contains: a substring of a string, a member of a set, an element of a list
      const operand = evaluateOperand(args[1], item, scope, label);
      if (!target || !operand) return false;
      if (target.S !== undefined) return operand.S !== undefined && target.S.includes(operand.S);
      if (target.L) return target.L.some((element) => equal(element, operand));
      const members = setMembers(target);
      if (!members) return false;
      const wanted = target.SS ? operand.S : target.NS ? operand.N !== undefined && canonicalNumber(operand.N) : operand.B !== undefined && bytesOf(operand.B).toString("base64");
      return typeof wanted === "string" && members.includes(wanted);
    }
  }
}

