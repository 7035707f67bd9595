import { VehicleProduced, VehicleShipped, type VehicleClass } from "./contracts";
import { logger, withLogContext } from "./lib/logger";
import { busName, publish } from "./lib/publish";

/**
 * Transport dispatch: VehicleProduced (EventBridge -> Lambda, asynchronous) ->
 * picks the vehicle up at the factory -> VehicleShipped.
 *
 * Stateless: a duplicate VehicleProduced yields another VehicleShipped for the same
 * order and VIN, which the later steps absorb (payment is idempotent per order, the
 * paperwork references are derived from the order, the handover publishes once).
 */

const CARRIERS: Record<VehicleClass, string> = {
  standard: "dealership-open-carrier",
  premium: "dealership-enclosed-carrier",
};

export const handler = withLogContext(async (event: unknown): Promise<void> => {
  const { detail } = VehicleProduced.parseEvent(event);
  const carrier = CARRIERS[detail.order.vehicleClass];
  logger.info("Vehicle picked up at the factory", { orderId: detail.orderId, vin: detail.vin, carrier });
  await publish(
    VehicleShipped.entry(
      {
        version: "1",
        orderId: detail.orderId,
        order: detail.order,
        vin: detail.vin,
        carrier,
        shippedAt: new Date().toISOString(),
      },
      busName(),
    ),
  );
});
