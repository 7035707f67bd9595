import { VehicleDelivered, VehiclePrepared, preparationServices } from "./contracts";
import { logger, withLogContext } from "./lib/logger";
import { busName, publish } from "./lib/publish";

/**
 * Preparation: VehicleDelivered (EventBridge -> Lambda, asynchronous) -> the car is
 * cleaned, washed and waxed -> VehiclePrepared.
 * Stateless; duplicates are absorbed by the handover, which records the milestone once.
 */
export const handler = withLogContext(async (event: unknown): Promise<void> => {
  const { detail } = VehicleDelivered.parseEvent(event);
  const services = [...preparationServices];
  logger.info("Vehicle prepared", { orderId: detail.orderId, vin: detail.vin, services });
  await publish(
    VehiclePrepared.entry(
      {
        version: "1",
        orderId: detail.orderId,
        order: detail.order,
        vin: detail.vin,
        services,
        preparedAt: new Date().toISOString(),
      },
      busName(),
    ),
  );
});
