import { PaperworkTaskInput, type InsuranceResult } from "./contracts";
import { insurancePolicyIdFor } from "./lib/references";
import { logger, withLogContext } from "./lib/logger";

/**
 * Insurance task of the paperwork workflow. The policy id is derived from the
 * orderId, so a retry or a duplicate execution yields the same policy.
 */
export const handler = withLogContext(async (event: unknown): Promise<InsuranceResult> => {
  const { orderId, vin, order } = PaperworkTaskInput.parse(event);
  const insurancePolicyId = insurancePolicyIdFor(orderId);
  logger.info("Insurance policy issued", { orderId, vin, model: order.model, insurancePolicyId });
  return { insurancePolicyId };
});
