import type { OrderPlacedDetail, PaperworkTaskInput } from "../../../handlers/contracts";
import { VIN, snapshot } from "./events";

/** The payload the state machine passes to a paperwork task: `$.detail` of VehicleShipped. */
export function taskInput(
  orderOverrides: Partial<OrderPlacedDetail> = {},
  orderId = "order-1001",
): PaperworkTaskInput & Record<string, unknown> {
  return {
    version: "1",
    orderId,
    order: snapshot(orderOverrides),
    vin: VIN,
    carrier: "dealership-open-carrier",
    shippedAt: "2025-01-01T11:00:00.000Z",
  };
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrownBy(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error("expected an error");
}
