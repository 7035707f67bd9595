import { PaperworkTaskInput, type InvoiceResult } from "./contracts";
import { invoiceIdFor } from "./lib/references";
import { logger, withLogContext } from "./lib/logger";

/**
 * Invoice task of the paperwork workflow. The invoice id is derived from the
 * orderId, so a retry or a duplicate execution issues the same invoice.
 */
export const handler = withLogContext(async (event: unknown): Promise<InvoiceResult> => {
  const { orderId, order } = PaperworkTaskInput.parse(event);
  const invoiceId = invoiceIdFor(orderId);
  logger.info("Invoice issued", { orderId, invoiceId, priceCents: order.priceCents, currency: order.currency });
  return { invoiceId };
});
