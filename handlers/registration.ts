import { PaperworkTaskInput, type RegistrationResult } from "./contracts";
import { RegistrationRejected } from "./lib/errors";
import { plateFor, registrationIdFor } from "./lib/references";
import { logger, withLogContext } from "./lib/logger";

/**
 * Registration task of the paperwork workflow. The registration id and plate are
 * derived from the orderId, so a retry yields the same registration.
 * The authorities reject (error name RegistrationRejected, terminal) a customer
 * whose id starts with `blocked` and a model that is not road-legal (`Prototype...`).
 */

function rejectionReason(input: PaperworkTaskInput): string | undefined {
  if (input.order.customerId.startsWith("blocked")) return `customer ${input.order.customerId} is blocked`;
  if (input.order.model.startsWith("Prototype")) return `model ${input.order.model} is not road-legal`;
  return undefined;
}

export const handler = withLogContext(async (event: unknown): Promise<RegistrationResult> => {
  const input = PaperworkTaskInput.parse(event);
  const reason = rejectionReason(input);
  if (reason) {
    logger.warn("Registration rejected", { orderId: input.orderId, vin: input.vin, reason });
    throw new RegistrationRejected(`Registration of ${input.vin} for order ${input.orderId} rejected: ${reason}`);
  }
  const registrationId = registrationIdFor(input.orderId);
  const plate = plateFor(input.orderId);
  logger.info("Vehicle registered", { orderId: input.orderId, vin: input.vin, registrationId, plate });
  return { registrationId, plate };
});
