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
import { tiedTo, type Wire } from "../../common/sdk-shape";

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
export const PutEventsRequestEntry = tiedTo<Wire<SdkPutEventsRequestEntry>>()(z.object({
  // `Time` is a Date in the SDK, epoch seconds (Timestamp) on the wire (see Wire).
  Time: Timestamp.optional(),
  Source: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  TraceHeader: z.string().optional(),
}));

/** A PutEvents entry as callers inside the local cloud hand it over (Lambda destinations, Step Functions). */
export type PutEventsEntry = z.infer<typeof PutEventsRequestEntry>;

export const PutEventsRequest = tiedTo<Wire<SdkPutEventsRequest>>()(z.object({
  // AWS's validation words a null entry as a missing one (ValidationException "must not be null").
  Entries: z.array(z.preprocess((entry) => entry ?? undefined, PutEventsRequestEntry)),
  EndpointId: z.string().optional(),
}));

export const TestEventPatternInput = tiedTo<Wire<TestEventPatternRequest>>()(z.object({ EventPattern: z.string(), Event: z.string() }));

/** The List operations' paging: at most 100 per page (e.g. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRules.html). */
const Paging = { NextToken: z.string().optional(), Limit: z.number().int().min(1).max(100).optional() };

export const ListRulesInput = tiedTo<Wire<ListRulesRequest>>()(z.object({ NamePrefix: z.string().optional(), EventBusName: z.string().optional(), ...Paging }));
export const DescribeRuleInput = tiedTo<Wire<DescribeRuleRequest>>()(z.object({ Name: z.string(), EventBusName: z.string().optional() }));
export const ListTargetsByRuleInput = tiedTo<Wire<ListTargetsByRuleRequest>>()(z.object({ Rule: z.string(), EventBusName: z.string().optional(), ...Paging }));
export const ListEventBusesInput = tiedTo<Wire<ListEventBusesRequest>>()(z.object({ NamePrefix: z.string().optional(), ...Paging }));
export const DescribeEventBusInput = tiedTo<Wire<DescribeEventBusRequest>>()(z.object({ Name: z.string().optional() }));
export const ListArchivesInput = tiedTo<Wire<ListArchivesRequest>>()(z.object({ NamePrefix: z.string().optional(), EventSourceArn: z.string().optional(), ...Paging }));
export const DescribeArchiveInput = tiedTo<Wire<DescribeArchiveRequest>>()(z.object({ ArchiveName: z.string() }));
export const ListRuleNamesByTargetInput = tiedTo<Wire<ListRuleNamesByTargetRequest>>()(z.object({ TargetArn: z.string(), EventBusName: z.string().optional(), ...Paging }));

export const StartReplayInput = tiedTo<Wire<SdkStartReplayRequest>>()(z.object({
  ReplayName: z.string(),
  Description: z.string().optional(),
  EventSourceArn: z.string(),
  // `EventStartTime` and `EventEndTime` are Dates in the SDK, epoch seconds (Timestamp) on the wire.
  EventStartTime: Timestamp,
  EventEndTime: Timestamp,
  Destination: z.object({ Arn: z.string(), FilterArns: z.array(z.string()).optional() }),
}));
export type StartReplayInput = z.infer<typeof StartReplayInput>;

export const DescribeReplayInput = tiedTo<Wire<DescribeReplayRequest>>()(z.object({ ReplayName: z.string() }));
