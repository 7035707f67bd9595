import type { Item } from "./attribute-values";
import type { ExpressionInput } from "./placeholders";
import { AwsError } from "../../aws-error";

/**
 * What the table's operations take and give: DynamoDB's request members in the wire form (B as
 * base64 text) or as an in-process SDK client passes them (B as bytes); both fit these types.
 * The legacy parameters are named only to be refused.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
 */

export interface ConditionalInput extends ExpressionInput {
  ConditionExpression?: string;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
  Expected?: unknown;
  ConditionalOperator?: unknown;
}
export interface GetItemInput extends ExpressionInput {
  Key?: Item;
  ProjectionExpression?: string;
  ConsistentRead?: boolean;
  AttributesToGet?: unknown;
}
export interface PutItemInput extends ConditionalInput {
  Item?: Item;
}
export interface UpdateItemInput extends ConditionalInput {
  Key?: Item;
  UpdateExpression?: string;
  AttributeUpdates?: unknown;
}
export interface DeleteItemInput extends ConditionalInput {
  Key?: Item;
}
export interface ReadManyInput extends ExpressionInput {
  IndexName?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  Limit?: number;
  ExclusiveStartKey?: Item;
  Select?: string;
  ConsistentRead?: boolean;
  AttributesToGet?: unknown;
}
export interface QueryInput extends ReadManyInput {
  KeyConditionExpression?: string;
  ScanIndexForward?: boolean;
  KeyConditions?: unknown;
  QueryFilter?: unknown;
}
export interface ScanInput extends ReadManyInput {
  Segment?: number;
  TotalSegments?: number;
  ScanFilter?: unknown;
}
export interface ReadManyOutput {
  Items?: Item[];
  Count: number;
  ScannedCount: number;
  LastEvaluatedKey?: Item;
}

const LEGACY: Record<string, string> = {
  Expected: "ConditionExpression",
  ConditionalOperator: "ConditionExpression",
  AttributeUpdates: "UpdateExpression",
  AttributesToGet: "ProjectionExpression",
  KeyConditions: "KeyConditionExpression",
  QueryFilter: "FilterExpression",
  ScanFilter: "FilterExpression",
};

export function refuseLegacy(input: object): void {
  for (const parameter of Object.keys(input)) {
    const replacement = LEGACY[parameter];
    if (replacement && (input as Record<string, unknown>)[parameter] !== undefined) {
      throw AwsError.validation(`The local cloud supports expression parameters only: use ${replacement} instead of the legacy ${parameter} parameter`);
    }
  }
}

export function checkReturnValues(value: string | undefined, allowed: string[], message: string): void {
  if (value !== undefined && !allowed.includes(value)) throw AwsError.validation(message);
}

