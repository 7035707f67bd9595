import { VehicleShipped } from "../../handlers/contracts";
import { PublishFailedError } from "../../handlers/lib/errors";
import { handler } from "../../handlers/transport-arrival";
import { BUS, VIN, envelope, snapshot } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge } = useHandlerHarness();

const shipped = (overrides: Record<string, unknown> = {}) =>
  envelope(VehicleShipped, {
    version: "1",
    orderId: "order-1001",
    order: snapshot(),
    vin: VIN,
    carrier: "dealership-open-carrier",
    shippedAt: "2025-01-01T11:00:00.000Z",
    ...overrides,
  } as Parameters<typeof VehicleShipped.entry>[0]);

describe("transport-arrival", () => {
  it("publishes VehicleDelivered for a shipped vehicle", async () => {
    await handler(shipped());

    expect(eventBridge.entries()).toEqual([
      {
        EventBusName: BUS,
        Source: "dealership.transport",
        DetailType: "VehicleDelivered",
        Detail: JSON.stringify({
          version: "1",
          orderId: "order-1001",
          order: snapshot(),
          vin: VIN,
          deliveredAt: "2025-01-01T12:00:00.000Z",
        }),
      },
    ]);
  });

  it("rejects a malformed event with an error naming the event and the field", async () => {
    await expect(handler(shipped({ order: { ...snapshot(), currency: "EURO" } }))).rejects.toThrow(
      /^Invalid dealership\.transport\/VehicleShipped: detail\.order\.currency: must be an ISO 4217 code/,
    );
    expect(eventBridge.entries()).toEqual([]);
  });

  it("fails when PutEvents reports failed entries", async () => {
    eventBridge.failNextPublish();
    await expect(handler(shipped())).rejects.toThrow(PublishFailedError);
  });
});
