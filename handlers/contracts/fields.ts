import * as z from "zod";

/** Field schemas shared by several events. */

export const version = z.literal("1");

export const orderId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, "must be 1-64 characters: letters, digits, . _ : -");

export const customerId = z.string().min(1).max(64);

/** Top-level on OrderPlaced: the rules route each class to its own FIFO queue. */
export const vehicleClass = z.enum(["standard", "premium"]);
export type VehicleClass = z.infer<typeof vehicleClass>;

export const model = z.string().min(1).max(100);

export const priceCents = z.number().int().positive();
export const depositCents = z.number().int().nonnegative();

/** ISO 4217 alphabetic code. */
export const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code (3 upper-case letters)");

export const email = z.email();

export const phone = z.string().regex(/^\+?[0-9 ()-]{6,20}$/, "must be a phone number");

/** Opaque token from the payment provider; never logged. */
export const paymentToken = z.string().min(1).max(512);

/** 17 characters, no I, O or Q (ISO 3779). */
export const vin = z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, "must be a 17-character VIN without I, O or Q");

export const isoDateTime = z.iso.datetime({ offset: true });

/** Free text; a Step Functions error Cause (JSON with a stack trace) fits. */
export const reason = z.string().min(1).max(32_768);

export const reference = z.string().min(1).max(128);

const depositWithinPrice = {
  check: (d: { priceCents: number; depositCents: number }) => d.depositCents <= d.priceCents,
  issue: { path: ["depositCents"], message: "must not exceed priceCents" },
};

/** The terms of an order, as OrderPlaced states them and the snapshot carries them on. */
const orderTerms = { customerId, vehicleClass, model, priceCents, depositCents, currency };

/**
 * What every step after OrderPlaced needs to know about the order, carried in
 * each event so that no step has to look the order up.
 */
export const orderSnapshot = z
  .object({
    ...orderTerms,
    customerEmail: email,
    paymentToken,
  })
  .refine(depositWithinPrice.check, depositWithinPrice.issue);
export type OrderSnapshot = z.infer<typeof orderSnapshot>;

export const orderPlacedDetail = z
  .object({
    version,
    orderId,
    ...orderTerms,
    customer: z.object({ email, phone: phone.optional() }),
    paymentToken,
  })
  .refine(depositWithinPrice.check, depositWithinPrice.issue);

/** The fields every event after OrderPlaced starts with. */
export const orderProgress = { version, orderId, order: orderSnapshot, vin };

/** The order snapshot that later events carry, taken from OrderPlaced. */
export function snapshotOf(order: z.infer<typeof orderPlacedDetail>): OrderSnapshot {
  return {
    customerId: order.customerId,
    vehicleClass: order.vehicleClass,
    model: order.model,
    priceCents: order.priceCents,
    depositCents: order.depositCents,
    currency: order.currency,
    customerEmail: order.customer.email,
    paymentToken: order.paymentToken,
  };
}
