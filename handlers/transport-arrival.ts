import { VehicleDelivered, VehicleShipped } from "./contracts";
import { logger, withLogContext } from "./lib/logger";
import { busName, publish } from "./lib/publish";

/**
 * Transport arrival: VehicleShipped (EventBridge -> Lambda, asynchronous) ->
 * the carrier arrives at the dealership -> VehicleDelivered.
 * Stateless; duplicates are absorbed downstream (the handover publishes once).
 */
export const handler = withLogContext(async (event: unknown): Promise<void> => {
  const { detail } = VehicleShipped.parseEvent(event);
  logger.info("Vehicle delivered to the dealership", {
    orderId: detail.orderId,
    vin: detail.vin,
    carrier: detail.carrier,
  });
  await publish(
    VehicleDelivered.entry(
      {
        version: "1",
        orderId: detail.orderId,
        order: detail.order,
        vin: detail.vin,
        deliveredAt: new Date().toISOString(),
      },
      busName(),
    ),
  );
});
