import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { OrderPlaced, type OrderPlacedDetail } from "../handlers/contracts";
import { operatorClientConfig, type LocalDeployment, type QueueCount, type TraceRecord } from "@event-routes/local-cloud";

/**
 * The dealership scenario `npm start` drives: orders of both vehicle classes go onto the bus
 * through the AWS SDK, as a shop front would send them; the local cloud runs them through the
 * factory, transport, paperwork, preparation and handover; then every order is accounted for.
 */

export { operatorClientConfig };

export type Outcome = "delivered" | "payment-declined" | "registration-rejected" | "paperwork-failed" | "parked" | "unaccounted";

export interface ScenarioOrder {
  orderId: string;
  /** What the order is meant to show. */
  story: string;
  expected: Outcome;
  /** The PutEvents entry that places it (a malformed one skips the contract's validation). */
  entry: PutEventsRequestEntry;
}

let sequence = 0;

/** A valid order of the given class; `overrides` changes the detail. */
export function order(vehicleClass: "standard" | "premium", overrides: Partial<OrderPlacedDetail> = {}): OrderPlacedDetail {
  sequence++;
  const orderId = overrides.orderId ?? `order-${vehicleClass.slice(0, 3)}-${String(sequence).padStart(4, "0")}`;
  return {
    version: "1",
    orderId,
    customerId: `customer-${sequence}`,
    vehicleClass,
    model: vehicleClass === "premium" ? "Grand Tourer GT" : "City Hatch",
    priceCents: vehicleClass === "premium" ? 8_900_000 : 2_450_000,
    depositCents: vehicleClass === "premium" ? 1_000_000 : 250_000,
    currency: "EUR",
    customer: { email: `${orderId}@example.com` },
    paymentToken: "tok_visa_4242",
    ...overrides,
  };
}

/** The handful of orders `npm start` drives: both classes, a declined payment, a malformed order. */
export function dealershipScenario(busName: string): ScenarioOrder[] {
  const valid = (detail: OrderPlacedDetail, story: string, expected: Outcome): ScenarioOrder => ({ orderId: detail.orderId, story, expected, entry: OrderPlaced.entry(detail, busName) });
  const malformed = { ...order("standard", { orderId: "order-malformed-1" }), priceCents: -5, customer: { email: "not-an-email" } };
  return [
    valid(order("standard", { orderId: "order-std-1001" }), "standard class, paid in full", "delivered"),
    valid(order("standard", { orderId: "order-std-1002", model: "City Hatch Sport" }), "standard class, second in the factory's queue", "delivered"),
    valid(order("premium", { orderId: "order-prm-2001" }), "premium class", "delivered"),
    valid(order("premium", { orderId: "order-prm-2002", paymentToken: "flaky-gateway-1" }), "premium class, payment gateway fails once and is retried", "delivered"),
    valid(order("premium", { orderId: "order-prm-2003", paymentToken: "declined-insufficient-funds" }), "premium class, payment declined: compensated", "payment-declined"),
    {
      orderId: malformed.orderId,
      story: "malformed order (negative price, bad e-mail): rejected by the factory and parked",
      expected: "parked",
      // Written by hand: the contract's entry() would refuse to build it.
      entry: { Source: OrderPlaced.source, DetailType: OrderPlaced.detailType, Detail: JSON.stringify(malformed), EventBusName: busName },
    },
  ];
}

/** `count` valid orders, alternating classes (the benchmark's and `serve --orders`'s load). */
export function loadOrders(count: number, busName: string): ScenarioOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const detail = order(i % 2 === 0 ? "standard" : "premium", { orderId: `order-load-${String(i + 1).padStart(6, "0")}` });
    return { orderId: detail.orderId, story: "load", expected: "delivered" as const, entry: OrderPlaced.entry(detail, busName) };
  });
}

/** An EventBridge client of the operator, pointed at the local endpoint. */
export function operatorEventBridge(deployment: LocalDeployment): EventBridgeClient {
  return new EventBridgeClient(operatorClientConfig(deployment));
}

/** Puts the orders on the bus with PutEvents, 10 per call; returns the entries the bus refused. */
export async function placeOrders(client: EventBridgeClient, orders: readonly ScenarioOrder[]): Promise<{ orderId: string; error: string }[]> {
  const refused: { orderId: string; error: string }[] = [];
  for (let start = 0; start < orders.length; start += 10) {
    const batch = orders.slice(start, start + 10);
    const response = await client.send(new PutEventsCommand({ Entries: batch.map((o) => o.entry) }));
    response.Entries?.forEach((result, i) => {
      if (result.ErrorCode) refused.push({ orderId: batch[i].orderId, error: `${result.ErrorCode}: ${result.ErrorMessage}` });
    });
  }
  return refused;
}

/** The orderIds a trace record is about (events, queue messages, batches, task payloads). */
export function orderIdsOf(record: TraceRecord): string[] {
  const payload = record.payload as { detail?: { orderId?: unknown } } | undefined;
  if (payload && typeof payload === "object" && typeof payload.detail?.orderId === "string") return [payload.detail.orderId];
  const text = typeof payload === "string" ? payload : payload === undefined ? "" : JSON.stringify(payload);
  const ids = new Set<string>();
  for (const match of text.matchAll(/\\?"orderId\\?"\s*:\s*\\?"([A-Za-z0-9._:-]+)\\?"/g)) ids.add(match[1]);
  // Text for people (a notification) names the order in words.
  for (const match of text.matchAll(/\border(?: reference)?:? (order-[A-Za-z0-9_:-]*[A-Za-z0-9])/gi)) ids.add(match[1]);
  return [...ids];
}

export interface OrderReport {
  order: ScenarioOrder;
  outcome: Outcome;
  notified: boolean;
  timeline: TraceRecord[];
}

export interface ScenarioReport {
  orders: OrderReport[];
  /** Messages left in each queue that has any (dead-letter queues and the rest). */
  queues: QueueCount[];
  counts: Record<string, number>;
  /** Why the run is not clean: each entry is an event or message not accounted for. */
  problems: string[];
  wallMs: number;
  cloudMs: number;
}

/** Accounts for every order from the trace: where it ended, whether the customer was told. */
export function accountFor(deployment: LocalDeployment, orders: readonly ScenarioOrder[], refused: { orderId: string; error: string }[], wallMs: number, cloudMs: number, queues: ScenarioReport["queues"]): ScenarioReport {
  const byOrder = new Map<string, TraceRecord[]>(orders.map((o) => [o.orderId, []]));
  for (const record of deployment.cloud.trace.records) {
    for (const orderId of orderIdsOf(record)) byOrder.get(orderId)?.push(record);
  }
  const problems: string[] = [];
  const reports = orders.map((o): OrderReport => {
    const timeline = byOrder.get(o.orderId) ?? [];
    const accepted = (detailType: string) => timeline.some((r) => r.kind === "event.accepted" && (r.payload as { "detail-type"?: string })["detail-type"] === detailType);
    const notified = timeline.some((r) => r.kind === "notification.published" || r.kind === "notification.delivered");
    let outcome: Outcome = "unaccounted";
    if (accepted("VehicleReadyForHandover")) outcome = "delivered";
    else if (accepted("PaymentDeclined")) outcome = "payment-declined";
    else if (accepted("RegistrationRejected")) outcome = "registration-rejected";
    else if (accepted("PaperworkFailed")) outcome = "paperwork-failed";
    else if (timeline.some((r) => r.kind === "message.dead-lettered" || r.kind === "target.dead-lettered")) outcome = "parked";
    if (outcome !== o.expected) problems.push(`${o.orderId}: expected ${o.expected}, ended ${outcome}`);
    if ((outcome === "delivered" || outcome === "payment-declined") && !notified) problems.push(`${o.orderId}: ${outcome}, but the customer was not notified`);
    return { order: o, outcome, notified, timeline };
  });
  for (const { orderId, error } of refused) {
    const expected = orders.find((o) => o.orderId === orderId)?.expected;
    if (expected !== "parked") problems.push(`${orderId}: the bus refused the order (${error})`);
  }
  const trace = deployment.cloud.trace;
  if (trace.count("target.dropped") > 0) problems.push(`${trace.count("target.dropped")} deliveries were dropped (retries exhausted, no dead-letter queue)`);
  for (const failure of trace.records.filter((r) => r.kind === "mapping.failed")) problems.push(failure.summary);
  if (trace.count("event.unmatched") > 0) problems.push(`${trace.count("event.unmatched")} events matched no rule`);
  for (const queue of queues) if (queue.consumed && queue.messages > 0) problems.push(`${queue.messages} messages still waiting for their consumer in ${queue.name}`);
  for (const error of deployment.cloud.errors) problems.push(`the local cloud failed: ${(error as Error)?.message ?? error}`);
  const counts = Object.fromEntries([...trace.counts].sort(([a], [b]) => a.localeCompare(b)));
  return { orders: reports, queues, counts, problems, wallMs, cloudMs };
}
