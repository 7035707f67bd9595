import type {
  AttributeValue as SdkAttributeValue,
  DeleteItemInput,
  DescribeTableInput,
  GetItemInput,
  ListTablesInput,
  PutItemInput,
  QueryInput,
  ScanInput,
  UpdateItemInput,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";

/**
 * The shapes of DynamoDB's requests as JSON carries them, checked by the endpoint before an
 * operation runs, each tied at compile time to the SDK's request type (`tiedTo`). A shape
 * checks JSON types and required members only: what AWS checks beyond that (enum values, limits,
 * one type per AttributeValue, expressions) the table checks with AWS's own messages.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */

/** The legacy (pre-expression) parameters, named in a shape only so that the table can refuse them. */
type Legacy = "Expected" | "ConditionalOperator" | "AttributeUpdates" | "AttributesToGet" | "KeyConditions" | "QueryFilter" | "ScanFilter";

/** A member of an SDK request as JSON carries it: AttributeValues in the wire form, enums as the strings AWS checks itself. */
type OnTheWire<T> = [T] extends [SdkAttributeValue]
  ? WireAttributeValue
  : T extends Uint8Array
    ? string
    : T extends string
      ? string
      : T extends (infer Element)[]
        ? OnTheWire<Element>[]
        : T extends object
          ? { [K in keyof T]: OnTheWire<T[K]> }
          : T;

/** An SDK request type as JSON carries it; a legacy parameter may hold anything (it is refused). */
type WireRequest<Sdk> = { [K in keyof Sdk]: K extends Legacy ? unknown : OnTheWire<Sdk[K]> };

/**
 * Ties a shape to the SDK's type at compile time: the shape's result must be a `Wire` (for a
 * request, `WireRequest<...>`: the SDK's members with the SDK's types, required where the SDK
 * requires them) and it may name no member `Wire` lacks (`notInTheSdk` lists any it does).
 */
const tiedTo =
  <Wire>() =>
  <Shape extends z.ZodType<Wire>>(shape: Shape & (Exclude<keyof z.output<Shape>, keyof Wire> extends never ? unknown : { notInTheSdk: Exclude<keyof z.output<Shape>, keyof Wire> })): Shape =>
    shape;

/**
 * The SDK's AttributeValue on the wire: its union of one-member types flattened to one type with
 * every member optional (a value with none or several set is refused by the table with AWS's
 * message), and B / BS as base64 text where the SDK's type has bytes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */
type WireAttributeValue = { [K in Exclude<keyof SdkAttributeValue, "$unknown">]?: OnTheWire<Exclude<SdkAttributeValue[K], undefined>> };

const attributeValue: z.ZodType<WireAttributeValue> = z.lazy(() =>
  tiedTo<WireAttributeValue>()(
    z.object({
      S: z.string().optional(),
      N: z.string().optional(),
      B: z.string().optional(),
      SS: z.array(z.string()).optional(),
      NS: z.array(z.string()).optional(),
      BS: z.array(z.string()).optional(),
      M: z.record(z.string(), attributeValue).optional(),
      L: z.array(attributeValue).optional(),
      NULL: z.boolean().optional(),
      BOOL: z.boolean().optional(),
    }),
  ),
);

const item = z.record(z.string(), attributeValue);
const names = z.record(z.string(), z.string());
/** A legacy parameter: only its presence matters, the table refuses it whatever it holds. */
const legacy = z.unknown().optional();

const expressionMembers = {
  ExpressionAttributeNames: names.optional(),
  ExpressionAttributeValues: item.optional(),
};

const conditionalMembers = {
  ...expressionMembers,
  ConditionExpression: z.string().optional(),
  ReturnValues: z.string().optional(),
  ReturnValuesOnConditionCheckFailure: z.string().optional(),
  Expected: legacy,
  ConditionalOperator: legacy,
};

const readManyMembers = {
  ...expressionMembers,
  TableName: z.string(),
  IndexName: z.string().optional(),
  FilterExpression: z.string().optional(),
  ProjectionExpression: z.string().optional(),
  Limit: z.number().optional(),
  ExclusiveStartKey: item.optional(),
  Select: z.string().optional(),
  ConsistentRead: z.boolean().optional(),
  AttributesToGet: legacy,
  ConditionalOperator: legacy,
};

export const GetItemRequest = tiedTo<WireRequest<GetItemInput>>()(
  // GetItem has no ExpressionAttributeValues (its only expression is a projection).
  z.object({
    ExpressionAttributeNames: names.optional(),
    TableName: z.string(),
    Key: item,
    ProjectionExpression: z.string().optional(),
    ConsistentRead: z.boolean().optional(),
    AttributesToGet: legacy,
  }),
);

export const PutItemRequest = tiedTo<WireRequest<PutItemInput>>()(z.object({ ...conditionalMembers, TableName: z.string(), Item: item }));

export const UpdateItemRequest = tiedTo<WireRequest<UpdateItemInput>>()(
  z.object({ ...conditionalMembers, TableName: z.string(), Key: item, UpdateExpression: z.string().optional(), AttributeUpdates: legacy }),
);

export const DeleteItemRequest = tiedTo<WireRequest<DeleteItemInput>>()(z.object({ ...conditionalMembers, TableName: z.string(), Key: item }));

export const QueryRequest = tiedTo<WireRequest<QueryInput>>()(
  z.object({ ...readManyMembers, KeyConditionExpression: z.string().optional(), ScanIndexForward: z.boolean().optional(), KeyConditions: legacy, QueryFilter: legacy }),
);

export const ScanRequest = tiedTo<WireRequest<ScanInput>>()(z.object({ ...readManyMembers, Segment: z.number().optional(), TotalSegments: z.number().optional(), ScanFilter: legacy }));

export const DescribeTableRequest = tiedTo<WireRequest<DescribeTableInput>>()(z.object({ TableName: z.string() }));

export const ListTablesRequest = tiedTo<WireRequest<ListTablesInput>>()(z.object({ ExclusiveStartTableName: z.string().optional(), Limit: z.number().optional() }));
