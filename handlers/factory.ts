import type { Context, SQSRecord } from "aws-lambda";
import { OrderPlaced, VehicleProduced, snapshotOf, type OrderPlacedDetail } from "./contracts";
import { idempotentPerOrder } from "./lib/idempotency";
import { logger } from "./lib/logger";
import { busName, publish } from "./lib/publish";
import { jsonBody, sqsFifoBatchHandler } from "./lib/sqs";
import { vinForOrder } from "./lib/vin";

/**
 * Factory: consumes OrderPlaced from the FIFO queue of a vehicle class (message
 * body = the EventBridge event), builds the vehicle, publishes VehicleProduced.
 *
 * Building is the side effect that must happen once per order: it is idempotent
 * per orderId (Powertools idempotency, state table), and the stored result is what
 * gets published. A redelivery therefore publishes an identical VehicleProduced
 * (same VIN, same producedAt) without building again; if publishing failed, the
 * retry publishes the vehicle already built.
 */

interface BuiltVehicle {
  vin: string;
  producedAt: string;
}

async function buildVehicle(order: OrderPlacedDetail): Promise<BuiltVehicle> {
  const vehicle = { vin: vinForOrder(order.orderId), producedAt: new Date().toISOString() };
  logger.info("Vehicle built", {
    orderId: order.orderId,
    vehicleClass: order.vehicleClass,
    model: order.model,
    vin: vehicle.vin,
  });
  return vehicle;
}

const buildOnce = idempotentPerOrder(buildVehicle, { keyPrefix: "factory.build" });

async function processOrder(record: SQSRecord, context: Context): Promise<void> {
  const { detail: order } = OrderPlaced.parseEvent(jsonBody(record, OrderPlaced.name));
  const vehicle = await buildOnce(order, context);
  await publish(
    VehicleProduced.entry(
      { version: "1", orderId: order.orderId, order: snapshotOf(order), ...vehicle },
      busName(),
    ),
  );
}

export const handler = sqsFifoBatchHandler(processOrder);
