import { OrderPlaced, VehicleProduced, type OrderPlacedDetail } from "../../handlers/contracts";
import { handler } from "../../handlers/factory";
import { vinForOrder } from "../../handlers/lib/vin";
import { BUS, envelope, lambdaContext, orderPlaced, snapshot, sqsEvent, sqsRecord } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge, dynamo, errorLogs, clock } = useHandlerHarness();

const orderMessage = (detail: OrderPlacedDetail, options: { messageId?: string; groupId?: string } = {}) =>
  sqsRecord(envelope(OrderPlaced, detail), { groupId: detail.vehicleClass, ...options });

const idempotencyRecords = () => dynamo.ids().filter((id) => id.startsWith("factory.build#"));

describe("factory", () => {
  it("builds the vehicle and publishes VehicleProduced with a VIN derived from the orderId", async () => {
    const order = orderPlaced();

    const response = await handler(sqsEvent(orderMessage(order, { messageId: "m-1" })), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridge.entries()).toEqual([
      {
        EventBusName: BUS,
        Source: "dealership.factory",
        DetailType: "VehicleProduced",
        Detail: JSON.stringify({
          version: "1",
          orderId: "order-1001",
          order: snapshot(),
          vin: vinForOrder("order-1001"),
          producedAt: "2025-01-01T12:00:00.000Z",
        }),
      },
    ]);
    expect(() => VehicleProduced.parseDetail(eventBridge.details()[0])).not.toThrow();
    expect(idempotencyRecords()).toHaveLength(1);
  });

  it("publishes an identical VehicleProduced for a redelivered order without building it again", async () => {
    const order = orderPlaced({ vehicleClass: "premium" });
    await handler(sqsEvent(orderMessage(order, { messageId: "m-1" })), lambdaContext());
    clock.advance(60 * 60 * 1000);

    const response = await handler(sqsEvent(orderMessage(order, { messageId: "m-1-again" })), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    const [first, second] = eventBridge.entries();
    expect(second).toEqual(first);
    // Same VIN and the producedAt of the first build: the stored result was reused.
    expect(eventBridge.details()[1]).toMatchObject({
      vin: vinForOrder(order.orderId),
      producedAt: "2025-01-01T12:00:00.000Z",
    });
    const [recordId] = idempotencyRecords();
    expect(dynamo.get(recordId!)).toMatchObject({ status: { S: "COMPLETED" } });
  });

  it("reports a malformed order as a batch item failure, naming the event and the field", async () => {
    const bad = orderMessage({ ...orderPlaced(), priceCents: -5 }, { messageId: "bad" });

    const response = await handler(sqsEvent(bad), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
    expect(eventBridge.entries()).toEqual([]);
    expect(errorLogs.join("\n")).toContain("Invalid dealership.sales/OrderPlaced: detail.priceCents");
  });

  it("reports a body that is not JSON as a batch item failure", async () => {
    const response = await handler(sqsEvent(sqsRecord("{not json", { messageId: "garbage", groupId: "standard" })), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "garbage" }]);
    expect(errorLogs.join("\n")).toContain("body: is not valid JSON");
  });

  it("fails only the bad record of a batch of 3 when the groups differ", async () => {
    const records = [
      orderMessage(orderPlaced({ orderId: "order-a" }), { messageId: "a", groupId: "group-a" }),
      orderMessage({ ...orderPlaced({ orderId: "order-b" }), currency: "euro" }, { messageId: "b", groupId: "group-b" }),
      orderMessage(orderPlaced({ orderId: "order-c" }), { messageId: "c", groupId: "group-c" }),
    ];

    const response = await handler(sqsEvent(...records), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "b" }]);
    expect(eventBridge.details()).toEqual([
      expect.objectContaining({ orderId: "order-a", vin: vinForOrder("order-a") }),
      expect.objectContaining({ orderId: "order-c", vin: vinForOrder("order-c") }),
    ]);
  });

  it("keeps FIFO order: after a failure the rest of that message group is not processed", async () => {
    const records = [
      orderMessage(orderPlaced({ orderId: "order-1" }), { messageId: "1", groupId: "standard" }),
      orderMessage({ ...orderPlaced({ orderId: "order-2" }), depositCents: 9_999_999 }, { messageId: "2", groupId: "standard" }),
      orderMessage(orderPlaced({ orderId: "order-3" }), { messageId: "3", groupId: "standard" }),
      orderMessage(orderPlaced({ orderId: "order-4", vehicleClass: "premium" }), { messageId: "4", groupId: "premium" }),
    ];

    const response = await handler(sqsEvent(...records), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "2" }, { itemIdentifier: "3" }]);
    expect(eventBridge.details().map((d) => (d as { orderId: string }).orderId)).toEqual(["order-1", "order-4"]);
  });

  it("fails the record when PutEvents rejects the entry, and the retry publishes the vehicle already built", async () => {
    const order = orderPlaced();
    eventBridge.failNextPublish();

    const failed = await handler(sqsEvent(orderMessage(order, { messageId: "m-1" })), lambdaContext());
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
    expect(errorLogs.join("\n")).toContain("EventBridge rejected 1 event(s): VehicleProduced (InternalFailure");

    clock.advance(5 * 60 * 1000);
    const retried = await handler(sqsEvent(orderMessage(order, { messageId: "m-1" })), lambdaContext());
    expect(retried.batchItemFailures).toEqual([]);
    const [rejected, published] = eventBridge.entries();
    expect(published).toEqual(rejected);
  });
});
