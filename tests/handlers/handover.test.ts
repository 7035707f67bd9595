import { PaperworkCompleted, VehiclePrepared, VehicleReadyForHandover } from "../../handlers/contracts";
import { handler } from "../../handlers/handover";
import * as store from "../../handlers/lib/handover-store";
import { BUS, VIN, envelope, lambdaContext, snapshot, sqsEvent, sqsRecord } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge, dynamo, errorLogs, clock } = useHandlerHarness();

const paperwork = (orderId = "order-1001", messageId?: string) =>
  sqsRecord(
    envelope(PaperworkCompleted, {
      version: "1",
      orderId,
      order: snapshot(),
      vin: VIN,
      invoiceId: "INV-1",
      paymentId: "PAY-1",
      insurancePolicyId: "POL-1",
      registrationId: "REG-1",
      plate: "DL-7K3M9Q",
    }),
    { messageId },
  );

const prepared = (orderId = "order-1001", messageId?: string) =>
  sqsRecord(
    envelope(VehiclePrepared, {
      version: "1",
      orderId,
      order: snapshot(),
      vin: VIN,
      services: ["cleaning", "washing", "waxing"],
      preparedAt: "2025-01-01T11:00:00.000Z",
    }),
    { messageId },
  );

const readyEntries = () => eventBridge.entries().filter((e) => e.DetailType === VehicleReadyForHandover.detailType);

describe("handover", () => {
  it("waits for both milestones, then publishes VehicleReadyForHandover", async () => {
    expect(await handler(sqsEvent(paperwork()), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(eventBridge.entries()).toEqual([]);
    expect(dynamo.get("handover#order-1001")).toMatchObject({ paperwork: { S: expect.any(String) } });

    expect(await handler(sqsEvent(prepared()), lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(eventBridge.entries()).toEqual([
      {
        EventBusName: BUS,
        Source: "dealership.handover",
        DetailType: "VehicleReadyForHandover",
        Detail: JSON.stringify({
          version: "1",
          orderId: "order-1001",
          order: snapshot(),
          vin: VIN,
          model: "Roadster S",
          customerEmail: "ada@example.com",
          plate: "DL-7K3M9Q",
          readyAt: "2025-01-01T12:00:00.000Z",
        }),
      },
    ]);
    const item = dynamo.get("handover#order-1001");
    expect(item).toMatchObject({ publishedAt: { S: "2025-01-01T12:00:00.000Z" }, expiration: { N: expect.any(String) } });
    expect(item?.leaseUntil).toBeUndefined();
    expect(JSON.stringify(item)).not.toContain("tok_visa"); // no payment data at rest
  });

  it("works in either order and within one batch", async () => {
    await handler(sqsEvent(prepared("order-a"), paperwork("order-a")), lambdaContext());
    expect(readyEntries()).toHaveLength(1);
  });

  it("never publishes twice for duplicate milestones", async () => {
    await handler(sqsEvent(paperwork(), prepared()), lambdaContext());
    clock.advance(60_000);
    const response = await handler(sqsEvent(prepared(), paperwork(), prepared()), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(readyEntries()).toHaveLength(1);
  });

  it("lets only one of two concurrent deliveries publish; the other is retried and then does nothing", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());

    const [a, b] = await Promise.all([
      handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext()),
      handler(sqsEvent(prepared("order-1001", "p-2")), lambdaContext()),
    ]);

    const failures = [...a.batchItemFailures, ...b.batchItemFailures];
    expect(readyEntries()).toHaveLength(1);
    expect(failures).toHaveLength(1);
    for (const failure of failures) {
      const retry = await handler(sqsEvent(prepared("order-1001", failure.itemIdentifier)), lambdaContext());
      expect(retry.batchItemFailures).toEqual([]);
    }
    expect(readyEntries()).toHaveLength(1);
  });

  it("fails a malformed record and an unknown event, while the valid records of the batch succeed", async () => {
    const malformed = sqsRecord(
      { ...envelope(VehiclePrepared, { version: "1" } as never), detail: { version: "1", orderId: "order-b" } },
      { messageId: "bad" },
    );
    const response = await handler(sqsEvent(paperwork("order-b", "ok-1"), malformed, prepared("order-b", "ok-2")), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }]);
    expect(readyEntries()).toHaveLength(1);
    expect(errorLogs.join("\n")).toContain("Invalid dealership.preparation/VehiclePrepared: detail.order: ");

    const unknown = sqsRecord({ source: "dealership.sales", "detail-type": "OrderPlaced", id: "x", detail: {} }, { messageId: "other" });
    expect((await handler(sqsEvent(unknown), lambdaContext())).batchItemFailures).toEqual([{ itemIdentifier: "other" }]);
    expect(errorLogs.join("\n")).toContain("dealership.sales/OrderPlaced is not a handover milestone");
  });

  it("fails the record when PutEvents rejects the entry, gives the lease back, and publishes on retry", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    eventBridge.failNextPublish();

    const failed = await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: "p-1" }]);
    expect(errorLogs.join("\n")).toContain("EventBridge rejected 1 event(s): VehicleReadyForHandover");
    expect(dynamo.get("handover#order-1001")?.leaseUntil).toBeUndefined();

    const retried = await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());
    expect(retried.batchItemFailures).toEqual([]);
    expect(eventBridge.entries()).toHaveLength(2);
    expect(dynamo.get("handover#order-1001")?.publishedAt).toBeDefined();
  });

  it("takes over when the delivery holding the lease died before publishing", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    // A delivery of VehiclePrepared recorded its milestone, took the lease and died.
    dynamo.patch("handover#order-1001", {
      preparation: { S: JSON.stringify({ vin: VIN, preparedAt: "2025-01-01T11:00:00.000Z" }) },
      leaseUntil: { N: String(Date.now() + 30_000) },
    });

    const whileLeased = await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());
    expect(whileLeased.batchItemFailures).toEqual([{ itemIdentifier: "p-1" }]);
    expect(errorLogs.join("\n")).toContain("ConcurrentDeliveryError");
    expect(readyEntries()).toEqual([]);

    clock.advance(31_000); // the SQS retry comes after the visibility timeout, the lease is over
    const afterExpiry = await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());
    expect(afterExpiry.batchItemFailures).toEqual([]);
    expect(readyEntries()).toHaveLength(1);
  });

  // The root of a handover announced twice: this write failing after PutEvents failed the record,
  // and its redelivery, once the lease was over, found nothing marked and published again.
  it("retries a throttled write of publishedAt after publishing, and a redelivery does not publish again", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
    const mark = jest.spyOn(store, "markPublished").mockRejectedValueOnce(throttled);

    const response = await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(mark).toHaveBeenCalledTimes(2);
    expect(dynamo.get("handover#order-1001")?.publishedAt).toBeDefined();
    clock.advance(31_000);
    await handler(sqsEvent(prepared("order-1001", "p-1"), paperwork("order-1001", "w-2")), lambdaContext());
    expect(readyEntries()).toHaveLength(1);
  });

  it("does not fail the record when publishedAt cannot be written before the timeout: its event is out, a retry would repeat it", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    const unavailable = Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
    const mark = jest.spyOn(store, "markPublished").mockRejectedValue(unavailable);

    const deadline = performance.now() + 3_600;
    const response = await handler(sqsEvent(prepared("order-1001", "p-1")), { ...lambdaContext(), getRemainingTimeInMillis: () => deadline - performance.now() });

    expect(response.batchItemFailures).toEqual([]);
    expect(mark.mock.calls.length).toBeGreaterThan(1);
    expect(readyEntries()).toHaveLength(1);
    expect(errorLogs.join("\n")).toContain("could not be marked published");
  });

  it("does not start a record, nor claim the lease, with too little time left before the timeout", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    const late = await handler(sqsEvent(prepared("order-1001", "p-1")), { ...lambdaContext(), getRemainingTimeInMillis: () => 2_000 });
    expect(late.batchItemFailures).toEqual([{ itemIdentifier: "p-1" }]);
    expect(errorLogs.join("\n")).toContain("NotEnoughTimeError");
    const claim = jest.spyOn(store, "claimPublication");
    // Enough time to start the record, too little once its milestone is recorded.
    const remaining = [3_100, 2_400];
    const tight = await handler(sqsEvent(prepared("order-1001", "p-1")), { ...lambdaContext(), getRemainingTimeInMillis: () => remaining.shift() ?? 2_400 });
    expect(tight.batchItemFailures).toEqual([{ itemIdentifier: "p-1" }]);
    expect(claim).not.toHaveBeenCalled();
    expect(errorLogs.join("\n")).toContain("Too little time left to announce the handover");
    expect(readyEntries()).toEqual([]);
    expect(await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(readyEntries()).toHaveLength(1);
  });

  it("does not retry a terminal error of that write", async () => {
    await handler(sqsEvent(paperwork()), lambdaContext());
    const denied = Object.assign(new Error("not allowed"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    const mark = jest.spyOn(store, "markPublished").mockRejectedValue(denied);

    await handler(sqsEvent(prepared("order-1001", "p-1")), lambdaContext());

    expect(mark).toHaveBeenCalledTimes(1);
    expect(readyEntries()).toHaveLength(1);
  });
});
