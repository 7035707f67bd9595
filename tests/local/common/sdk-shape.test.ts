import type { AttributeValue, GetItemInput } from "@aws-sdk/client-dynamodb";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { PutRecordInput } from "@aws-sdk/client-kinesis";
import type { SendMessageBatchRequestEntry, SendMessageRequest } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { type CheckedLater, type JsonWire, type Override, type TextNumbersWire, tiedTo, type Wire } from "../../../local/common/sdk-shape";

/*
 * The tie between a request shape and the SDK's request type is checked by the compiler: each
 * `@ts-expect-error` below is a drift the tie must catch. If it stops catching one, the directive
 * is unused and `tsc --noEmit -p .` (the root typecheck, which covers tests/) fails.
 */

const key = z.string();

// Kinesis PutRecord: Data (a Uint8Array in the SDK) required and base64 text; the SDK types the other members optional.
const putRecord = tiedTo<Wire<PutRecordInput>>()(z.object({ StreamName: key.optional(), Data: z.string(), PartitionKey: key }));
// @ts-expect-error a misspelled member (the SDK has no `PartitionKy`)
tiedTo<Wire<PutRecordInput>>()(z.object({ Data: z.string(), PartitionKey: key, PartitionKy: key }));
// @ts-expect-error a member of the wrong type (blobs are base64 text on the wire)
tiedTo<Wire<PutRecordInput>>()(z.object({ Data: z.number(), PartitionKey: key }));
// @ts-expect-error a required member made optional
tiedTo<Wire<PutRecordInput>>()(z.object({ Data: z.string().optional(), PartitionKey: key }));
// @ts-expect-error a required member left out
tiedTo<Wire<PutRecordInput>>()(z.object({ PartitionKey: key }));

// Dates are epoch seconds (or ISO text) on a JSON wire, never an object.
tiedTo<Wire<PutEventsRequestEntry>>()(z.object({ Time: z.union([z.number(), z.string()]).optional() }));
// @ts-expect-error a Date member as a boolean
tiedTo<Wire<PutEventsRequestEntry>>()(z.object({ Time: z.boolean().optional() }));

// Numbers as text: only where the form says so (SQS's query protocol).
tiedTo<Wire<SendMessageRequest, TextNumbersWire>>()(z.object({ QueueUrl: key, MessageBody: key, DelaySeconds: z.string().optional() }));
// @ts-expect-error numeric text where the JSON wire has numbers
tiedTo<Wire<SendMessageRequest, JsonWire>>()(z.object({ QueueUrl: key, MessageBody: key, DelaySeconds: z.string().optional() }));

// A member the service checks itself may be optional only when the tie says so.
tiedTo<CheckedLater<Wire<SendMessageBatchRequestEntry>, "Id" | "MessageBody">>()(z.object({ Id: key.optional(), MessageBody: key.optional() }));
// @ts-expect-error MessageBody is not declared checked later
tiedTo<CheckedLater<Wire<SendMessageBatchRequestEntry>, "Id">>()(z.object({ Id: key.optional(), MessageBody: key.optional() }));

// A member carried otherwise than the SDK types it, said with Override.
tiedTo<Override<Wire<PutRecordInput>, { Data: unknown }>>()(z.object({ Data: z.unknown(), PartitionKey: key }));

// A type the service carries in its own form (DynamoDB's flattened AttributeValue).
type FlatValue = { S?: string; N?: string };
type FlatWire = JsonWire<readonly [AttributeValue, FlatValue]>;
const flatValue = z.object({ S: z.string().optional(), N: z.string().optional() });
tiedTo<Wire<GetItemInput, FlatWire>>()(z.object({ TableName: key, Key: z.record(z.string(), flatValue) }));
// @ts-expect-error a flattened value's member of the wrong type
tiedTo<Wire<GetItemInput, FlatWire>>()(z.object({ TableName: key, Key: z.record(z.string(), z.object({ S: z.number().optional() })) }));
// @ts-expect-error a nested object is held to the same rule when it is tied itself (a member FlatValue lacks)
tiedTo<FlatValue>()(z.object({ S: z.string().optional(), BOOL: z.boolean().optional() }));

describe("tying a request shape to the SDK's request type", () => {
  it("hands back the schema itself: the tie is compile-time only", () => {
    const request = { StreamName: "s", Data: "AA==", PartitionKey: "k", Unknown: 1 };
    expect(putRecord.parse(request)).toEqual({ StreamName: "s", Data: "AA==", PartitionKey: "k" });
  });
});
