import { canonicalNumber, compareNumbers } from "./decimal";
import { AwsError } from "../../aws-error";

/**
 * DynamoDB's attribute values: their types, the checks AWS makes on them (exactly one type set, no
 * empty or duplicate sets, NULL only true), copies, equality and the order of S, N and B values.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */

/** DynamoDB's AttributeValue; B is base64 text on the wire and bytes from an in-process SDK. */
export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string | Uint8Array;
  SS?: string[];
  NS?: string[];
  BS?: (string | Uint8Array)[];
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
}

export type Item = Record<string, AttributeValue>;
export type KeyType = "S" | "N" | "B";

export const TYPES = ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"] as const;
type TypeName = (typeof TYPES)[number];

export function typeOf(value: AttributeValue): TypeName {
  let found: TypeName | undefined;
  for (const type of TYPES) {
    if ((value as Record<string, unknown>)[type] === undefined) continue;
    if (found) throw AwsError.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    found = type;
  }
  if (!found) throw AwsError.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  return found;
}

export const bytesOf = (value: string | Uint8Array): Buffer => (typeof value === "string" ? Buffer.from(value, "base64") : Buffer.from(value));

/** A validated copy: stored items never share objects with requests or responses. */
export function copyValue(value: AttributeValue): AttributeValue {
  switch (typeOf(value)) {
    case "S":
      return { S: value.S };
    case "N":
      return { N: canonicalNumber(value.N!) };
    case "B":
      return { B: typeof value.B === "string" ? value.B : Uint8Array.from(value.B!) };
    case "SS":
      return { SS: checkedSet(value.SS!, "string", (s) => s) };
    case "NS":
      return { NS: checkedSet(value.NS!.map(canonicalNumber), "number", (n) => n) };
    case "BS":
      return { BS: checkedSet(value.BS!, "binary", (b) => bytesOf(b).toString("base64")).map((b) => (typeof b === "string" ? b : Uint8Array.from(b))) };
    case "M":
      return { M: copyItem(value.M!) };
    case "L":
      return { L: value.L!.map(copyValue) };
    case "NULL":
      if (value.NULL !== true) throw AwsError.validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
      return { NULL: true };
    case "BOOL":
      return { BOOL: value.BOOL };
  }
}

function checkedSet<T>(members: T[], kind: string, identity: (member: T) => string): T[] {
  if (members.length === 0) throw AwsError.validation(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  const seen = new Set(members.map(identity));
  if (seen.size !== members.length) throw AwsError.validation(`Input collection [${members.map(identity).join(", ")}] contains duplicates.`);
  return [...members];
}

export function copyItem(item: Item): Item {
  const copy: Item = {};
  for (const name of Object.keys(item)) copy[name] = copyValue(item[name]);
  return copy;
}

/** A copy for callers (no validation: stored items are valid). */
export function cloneValue(value: AttributeValue): AttributeValue {
  if (value.M) {
    const map: Item = {};
    for (const name of Object.keys(value.M)) map[name] = cloneValue(value.M[name]);
    return { M: map };
  }
  if (value.L) return { L: value.L.map(cloneValue) };
  if (value.SS) return { SS: [...value.SS] };
  if (value.NS) return { NS: [...value.NS] };
  if (value.BS) return { BS: value.BS.map((b) => (typeof b === "string" ? b : Uint8Array.from(b))) };
  if (value.B !== undefined && typeof value.B !== "string") return { B: Uint8Array.from(value.B) };
  return { ...value };
}

export function cloneItem(item: Item): Item {
  const copy: Item = {};
  for (const name of Object.keys(item)) copy[name] = cloneValue(item[name]);
  return copy;
}

// ---- comparing values ---------------------------------------------------------------------------

/** UTF-8 byte order, which is code point order (UTF-16 units differ only around surrogates). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Order of two scalars of the same type (S, N, B), or undefined when they are not comparable. */
export function order(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(bytesOf(a.B), bytesOf(b.B));
  return undefined;
}

export function setMembers(value: AttributeValue): string[] | undefined {
  if (value.SS) return value.SS;
  if (value.NS) return value.NS.map(canonicalNumber);
  if (value.BS) return value.BS.map((b) => bytesOf(b).toString("base64"));
  return undefined;
}

export function equal(a: AttributeValue, b: AttributeValue): boolean {
  const typeA = typeOf(a);
  if (typeA !== typeOf(b)) return false;
  switch (typeA) {
    case "S":
    case "N":
    case "B":
      return order(a, b) === 0;
    case "BOOL":
      return a.BOOL === b.BOOL;
    case "NULL":
      return true;
    case "SS":
    case "NS":
    case "BS": {
      const left = new Set(setMembers(a));
      const right = setMembers(b)!;
      return left.size === right.length && right.every((member) => left.has(member));
    }
    case "L":
      return a.L!.length === b.L!.length && a.L!.every((element, i) => equal(element, b.L![i]));
    case "M": {
      const keys = Object.keys(a.M!);
      return keys.length === Object.keys(b.M!).length && keys.every((key) => b.M![key] !== undefined && equal(a.M![key], b.M![key]));
    }
  }
}

