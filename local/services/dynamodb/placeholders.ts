import { typeOf, type AttributeValue } from "./attribute-values";
import type { Parsed, Path } from "./expression-parser";
import { AwsError } from "../../aws-error";

/**
 * Expression attribute names (`#n`) and values (`:v`) of one request. AWS refuses a request that
 * uses a placeholder it does not define or defines one no expression uses.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
 */

export interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

/** The placeholders of one request, checked against every expression of it as AWS does. */
export class Scope {
  private readonly names: Names;
  private readonly values: Values;

  constructor(input: ExpressionInput, expressions: [label: string, parsed: Parsed<unknown> | undefined][]) {
    this.names = input.ExpressionAttributeNames;
    this.values = input.ExpressionAttributeValues;
    const used = expressions.filter((entry): entry is [string, Parsed<unknown>] => entry[1] !== undefined);
    for (const [what, map] of [["ExpressionAttributeNames", this.names], ["ExpressionAttributeValues", this.values]] as const) {
      if (map === undefined) continue;
      if (used.length === 0) throw AwsError.validation(`${what} can only be specified when using expressions`);
      if (Object.keys(map).length === 0) throw AwsError.validation(`${what} must not be empty`);
    }
    const usedNames = new Set<string>();
    const usedValues = new Set<string>();
    for (const [label, parsed] of used) {
      for (const name of parsed.names) {
        if (this.names?.[name] === undefined) throw AwsError.validation(`Invalid ${label}: An expression attribute name used in the document path is not defined; attribute name: ${name}`);
        usedNames.add(name);
      }
      for (const value of parsed.values) {
        if (this.values?.[value] === undefined) throw AwsError.validation(`Invalid ${label}: An expression attribute value used in expression is not defined; attribute value: ${value}`);
        typeOf(this.values[value]);
        usedValues.add(value);
      }
    }
    const unusedNames = Object.keys(this.names ?? {}).filter((name) => !usedNames.has(name));
    if (unusedNames.length > 0) throw AwsError.validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(", ")}}`);
    const unusedValues = Object.keys(this.values ?? {}).filter((value) => !usedValues.has(value));
    if (unusedValues.length > 0) throw AwsError.validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(", ")}}`);
  }

  name(token: string): string {
    return token.startsWith("#") ? this.names![token] : token;
  }

  value(token: string): AttributeValue {
    return this.values![token];
  }

  /** The concrete path: attribute names, list indexes. */
  segments(path: Path): (string | number)[] {
    return path.segments.map((segment) => ("name" in segment ? this.name(segment.name) : segment.index));
  }
}
