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
import { type JsonWire, type Override, tiedTo, type Wire } from "../../common/sdk-shape";

/**
 * The shapes of DynamoDB's requests as JSON carries them, checked by the endpoint before an
 * operation runs, each tied at compile time to the SDK's request type (`tiedTo`, common/sdk-shape.ts). A shape
 * checks JSON types and required members only: what AWS checks beyond that (enum values, limits,
 * one type per AttributeValue, expressions) the table checks with AWS's own messages.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */

/** The legacy (pre-expression) parameters, named in a shape only so that the table can refuse them. */
type Legacy = "Expected" | "ConditionalOperator" | "AttributeUpdates" | "AttributesToGet" | "KeyConditions" | "QueryFilter" | "ScanFilter";

/**
 * The SDK's AttributeValue on the wire: its union of one-member types flattened to one type with
 * every member optional (a value with none or several set is refused by the table with AWS's
 * message), and B / BS as base64 text where the SDK's type has bytes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */
type WireAttributeValue = { [K in Exclude<keyof SdkAttributeValue, "$unknown">]?: Wire<Exclude<SdkAttributeValue[K], undefined>, DynamoDbWire> };

/** DynamoDB's JSON wire: the JSON protocol's forms, with AttributeValues flattened (WireAttributeValue). */
type DynamoDbWire = JsonWire<readonly [SdkAttributeValue, WireAttributeValue]>;

/** An SDK request as DynamoDB's wire carries it; a legacy parameter may hold anything (it is refused). */
type WireRequest<Sdk> = Override<Wire<Sdk, DynamoDbWire>, { [K in Legacy & keyof Sdk]?: unknown }>;

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
