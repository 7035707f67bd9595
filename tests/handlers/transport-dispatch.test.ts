import { InvalidEventError, VehicleProduced } from "../../handlers/contracts";
import { PublishFailedError } from "../../handlers/lib/errors";
import { handler } from "../../handlers/transport-dispatch";
import { BUS, VIN, envelope, snapshot } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge } = useHandlerHarness();

const produced = (overrides: Record<string, unknown> = {}) =>
  envelope(VehicleProduced, {
    version: "1",
    orderId: "order-1001",
    order: snapshot(),
    vin: VIN,
    producedAt: "2025-01-01T11:00:00.000Z",
    ...overrides,
  } as Parameters<typeof VehicleProduced.entry>[0]);

describe("transport-dispatch", () => {
  it("publishes VehicleShipped for a produced vehicle", async () => {
    await handler(produced());

    expect(eventBridge.entries()).toEqual([
      {
        EventBusName: BUS,
        Source: "dealership.transport",
        DetailType: "VehicleShipped",
        Detail: JSON.stringify({
          version: "1",
          orderId: "order-1001",
          order: snapshot(),
          vin: VIN,
          carrier: "dealership-open-carrier",
          shippedAt: "2025-01-01T12:00:00.000Z",
        }),
      },
    ]);
  });

  it("ships premium vehicles with the enclosed carrier", async () => {
    await handler(produced({ order: snapshot({ vehicleClass: "premium" }) }));
    expect(eventBridge.details()[0]).toMatchObject({ carrier: "dealership-enclosed-carrier" });
  });

  it("rejects a malformed event with an error naming the event and the field", async () => {
    await expect(handler(produced({ vin: "short" }))).rejects.toThrow(
      new InvalidEventError("dealership.factory/VehicleProduced", [
        { path: "detail.vin", message: "must be a 17-character VIN without I, O or Q" },
      ]),
    );
    await expect(handler({ source: "dealership.factory" })).rejects.toThrow(/detail-type/);
    expect(eventBridge.entries()).toEqual([]);
  });

  it("fails when PutEvents reports failed entries", async () => {
    eventBridge.failNextPublish("ThrottlingException");
    await expect(handler(produced())).rejects.toThrow(PublishFailedError);
  });
});
