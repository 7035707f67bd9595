import { VehicleDelivered } from "../../handlers/contracts";
import { PublishFailedError } from "../../handlers/lib/errors";
import { handler } from "../../handlers/preparation";
import { BUS, VIN, envelope, snapshot } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge } = useHandlerHarness();

const delivered = (overrides: Record<string, unknown> = {}) =>
  envelope(VehicleDelivered, {
    version: "1",
    orderId: "order-1001",
    order: snapshot(),
    vin: VIN,
    deliveredAt: "2025-01-01T11:30:00.000Z",
    ...overrides,
  } as Parameters<typeof VehicleDelivered.entry>[0]);

describe("preparation", () => {
  it("cleans, washes and waxes the delivered vehicle and publishes VehiclePrepared", async () => {
    await handler(delivered());

    expect(eventBridge.entries()).toEqual([
      {
        EventBusName: BUS,
        Source: "dealership.preparation",
        DetailType: "VehiclePrepared",
        Detail: JSON.stringify({
          version: "1",
          orderId: "order-1001",
          order: snapshot(),
          vin: VIN,
          services: ["cleaning", "washing", "waxing"],
          preparedAt: "2025-01-01T12:00:00.000Z",
        }),
      },
    ]);
  });

  it("rejects a malformed event with an error naming the event and the field", async () => {
    await expect(handler(delivered({ deliveredAt: "yesterday" }))).rejects.toThrow(
      /^Invalid dealership\.transport\/VehicleDelivered: detail\.deliveredAt: /,
    );
    expect(eventBridge.entries()).toEqual([]);
  });

  it("fails when PutEvents reports failed entries", async () => {
    eventBridge.failNextPublish();
    const error = await handler(delivered()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishFailedError);
    expect((error as Error).message).toMatch(/^EventBridge rejected 1 event\(s\): VehiclePrepared \(InternalFailure/);
  });
});
