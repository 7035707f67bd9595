import type {
  DescribeArchiveRequest,
  DescribeEventBusRequest,
  DescribeReplayRequest,
  DescribeRuleRequest,
  ListArchivesRequest,
  ListEventBusesRequest,
  ListRuleNamesByTargetRequest,
  ListRulesRequest,
  ListTargetsByRuleRequest,
  PutEventsRequest as SdkPutEventsRequest,
  PutEventsRequestEntry as SdkPutEventsRequestEntry,
  StartReplayRequest as SdkStartReplayRequest,
  TestEventPatternRequest,
} from "@aws-sdk/client-eventbridge";
import { z } from "zod";

/**
 * The shapes of the EventBridge requests the endpoint serves (JSON 1.1, `AWSEvents.<Operation>`),
 * each tied to the SDK's request type at compile time so it cannot drift from it. Unknown members
 * are ignored, as AWS does. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */

/**
 * A timestamp on the wire: epoch seconds, which is what the SDK sends for its `Date` members; an
 * ISO 8601 text is taken too.
 */
const Timestamp = z.union([z.number(), z.string()]);

/** One PutEvents entry; every member optional on the wire, each missing one is that entry's error. */
export const PutEventsRequestEntry = z.object({
  // `Time` is a Date in the SDK, epoch seconds (Timestamp) on the wire.
  Time: Timestamp.optional(),
  Source: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  TraceHeader: z.string().optional(),
}) satisfies z.ZodType<Omit<SdkPutEventsRequestEntry, "Time"> & { Time?: number | string }>;

/** A PutEvents entry as callers inside the local cloud hand it over (Lambda destinations, Step Functions). */
export type PutEventsEntry = z.infer<typeof PutEventsRequestEntry>;

export const PutEventsRequest = z.object({
  // AWS's validation words a null entry as a missing one (ValidationException "must not be null").
  Entries: z.array(z.preprocess((entry) => entry ?? undefined, PutEventsRequestEntry)),
  EndpointId: z.string().optional(),
}) satisfies z.ZodType<Omit<SdkPutEventsRequest, "Entries"> & { Entries: PutEventsEntry[] }>;

export const TestEventPatternInput = z.object({ EventPattern: z.string(), Event: z.string() }) satisfies z.ZodType<TestEventPatternRequest>;

const Paging = { NextToken: z.string().optional(), Limit: z.number().optional() };

export const ListRulesInput = z.object({ NamePrefix: z.string().optional(), EventBusName: z.string().optional(), ...Paging }) satisfies z.ZodType<ListRulesRequest>;
export const DescribeRuleInput = z.object({ Name: z.string(), EventBusName: z.string().optional() }) satisfies z.ZodType<DescribeRuleRequest>;
export const ListTargetsByRuleInput = z.object({ Rule: z.string(), EventBusName: z.string().optional(), ...Paging }) satisfies z.ZodType<ListTargetsByRuleRequest>;
export const ListEventBusesInput = z.object({ NamePrefix: z.string().optional(), ...Paging }) satisfies z.ZodType<ListEventBusesRequest>;
export const DescribeEventBusInput = z.object({ Name: z.string().optional() }) satisfies z.ZodType<DescribeEventBusRequest>;
export const ListArchivesInput = z.object({ NamePrefix: z.string().optional(), EventSourceArn: z.string().optional(), ...Paging }) satisfies z.ZodType<ListArchivesRequest>;
export const DescribeArchiveInput = z.object({ ArchiveName: z.string() }) satisfies z.ZodType<DescribeArchiveRequest>;
export const ListRuleNamesByTargetInput = z.object({ TargetArn: z.string(), EventBusName: z.string().optional(), ...Paging }) satisfies z.ZodType<ListRuleNamesByTargetRequest>;

export const StartReplayInput = z.object({
  ReplayName: z.string(),
  Description: z.string().optional(),
  EventSourceArn: z.string(),
  // `EventStartTime` and `EventEndTime` are Dates in the SDK, epoch seconds (Timestamp) on the wire.
  EventStartTime: Timestamp,
  EventEndTime: Timestamp,
  Destination: z.object({ Arn: z.string(), FilterArns: z.array(z.string()).optional() }),
}) satisfies z.ZodType<Omit<SdkStartReplayRequest, "EventStartTime" | "EventEndTime"> & { EventStartTime: number | string; EventEndTime: number | string }>;
export type StartReplayInput = z.infer<typeof StartReplayInput>;

export const DescribeReplayInput = z.object({ ReplayName: z.string() }) satisfies z.ZodType<DescribeReplayRequest>;
