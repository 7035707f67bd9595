import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { snapshotOf, type EventContract, type OrderPlacedDetail, type OrderSnapshot } from "../../../handlers/contracts";

export const BUS = "dealership-bus-test";
export const TABLE = "dealership-state-test";

/** The environment the functions get from the infrastructure. */
export function setHandlerEnv(): void {
  process.env.EVENT_BUS_NAME = BUS;
  process.env.STATE_TABLE_NAME = TABLE;
  process.env.POWERTOOLS_SERVICE_NAME = "dealership-test";
  process.env.AWS_REGION = "eu-west-1";
  process.env.POWERTOOLS_LOG_LEVEL = process.env.DEBUG_HANDLER_LOGS ? "DEBUG" : "ERROR";
}

export function orderPlaced(overrides: Partial<OrderPlacedDetail> = {}): OrderPlacedDetail {
  return {
    version: "1",
    orderId: "order-1001",
    customerId: "customer-42",
    vehicleClass: "standard",
    model: "Roadster S",
    priceCents: 3_500_000,
    depositCents: 500_000,
    currency: "EUR",
    customer: { email: "ada@example.com", phone: "+44 20 7946 0000" },
    paymentToken: "tok_visa_4242",
    ...overrides,
  };
}

export function snapshot(overrides: Partial<OrderPlacedDetail> = {}): OrderSnapshot {
  return snapshotOf(orderPlaced(overrides));
}

export const VIN = "5DLKX7ZP9HT123456";

let sequence = 0;

/** An EventBridge event as EventBridge delivers it to Lambda or writes it into SQS. */
export function envelope<TDetail>(contract: EventContract<string, string, TDetail>, detail: TDetail) {
  sequence += 1;
  return {
    version: "0",
    id: `event-${sequence}`,
    "detail-type": contract.detailType,
    source: contract.source,
    account: "123456789012",
    time: "2025-01-01T10:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

export function sqsRecord(body: unknown, options: { messageId?: string; groupId?: string } = {}): SQSRecord {
  sequence += 1;
  const messageId = options.messageId ?? `message-${sequence}`;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1735725600000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1735725600000",
      ...(options.groupId ? { MessageGroupId: options.groupId, MessageDeduplicationId: messageId, SequenceNumber: String(sequence) } : {}),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${options.groupId ? "orders.fifo" : "handover"}`,
    awsRegion: "eu-west-1",
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function lambdaContext(name = "test-function"): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: "256",
    awsRequestId: `request-${++sequence}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: "stream",
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
