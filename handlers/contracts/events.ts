import * as z from "zod";
import { defineEvent } from "./define-event";
import * as f from "./fields";

export const OrderPlaced = defineEvent({
  source: "dealership.sales",
  detailType: "OrderPlaced",
  schema: f.orderPlacedDetail,
});

export const VehicleProduced = defineEvent({
  source: "dealership.factory",
  detailType: "VehicleProduced",
  schema: z.object({ ...f.orderProgress, producedAt: f.isoDateTime }),
});

export const VehicleShipped = defineEvent({
  source: "dealership.transport",
  detailType: "VehicleShipped",
  schema: z.object({ ...f.orderProgress, carrier: f.reference, shippedAt: f.isoDateTime }),
});

export const VehicleDelivered = defineEvent({
  source: "dealership.transport",
  detailType: "VehicleDelivered",
  schema: z.object({ ...f.orderProgress, deliveredAt: f.isoDateTime }),
});

export const preparationServices = ["cleaning", "washing", "waxing"] as const;

export const VehiclePrepared = defineEvent({
  source: "dealership.preparation",
  detailType: "VehiclePrepared",
  schema: z.object({
    ...f.orderProgress,
    services: z.array(z.enum(preparationServices)).min(1),
    preparedAt: f.isoDateTime,
  }),
});

export const PaperworkCompleted = defineEvent({
  source: "dealership.paperwork",
  detailType: "PaperworkCompleted",
  schema: z.object({
    ...f.orderProgress,
    invoiceId: f.reference,
    paymentId: f.reference,
    insurancePolicyId: f.reference,
    registrationId: f.reference,
    plate: z.string().min(1).max(16),
  }),
});

export const PaymentDeclined = defineEvent({
  source: "dealership.paperwork",
  detailType: "PaymentDeclined",
  schema: z.object({ ...f.orderProgress, reason: f.reason }),
});

export const RegistrationRejected = defineEvent({
  source: "dealership.paperwork",
  detailType: "RegistrationRejected",
  schema: z.object({ ...f.orderProgress, reason: f.reason }),
});

/** The paperwork failed for a reason no retry could overcome; the order was compensated. */
export const PaperworkFailed = defineEvent({
  source: "dealership.paperwork",
  detailType: "PaperworkFailed",
  schema: z.object({ ...f.orderProgress, reason: f.reason }),
});

export const VehicleReadyForHandover = defineEvent({
  source: "dealership.handover",
  detailType: "VehicleReadyForHandover",
  schema: z.object({
    ...f.orderProgress,
    model: f.model,
    customerEmail: f.email,
    plate: z.string().min(1).max(16),
    readyAt: f.isoDateTime,
  }),
});

/** Every contract, e.g. for an archive, analytics or a catalogue test. */
export const allEvents = [
  OrderPlaced,
  VehicleProduced,
  VehicleShipped,
  VehicleDelivered,
  VehiclePrepared,
  PaperworkCompleted,
  PaymentDeclined,
  RegistrationRejected,
  PaperworkFailed,
  VehicleReadyForHandover,
] as const;

/** All event sources of the dealership. */
export const dealershipSources = [...new Set(allEvents.map((e) => e.source))];

/** The detail type of a contract: `DetailOf<typeof OrderPlaced>`. */
export type DetailOf<C> = C extends { schema: z.ZodType<infer D> } ? D : never;

export type OrderPlacedDetail = DetailOf<typeof OrderPlaced>;
export type VehicleProducedDetail = DetailOf<typeof VehicleProduced>;
export type VehicleShippedDetail = DetailOf<typeof VehicleShipped>;
export type VehicleDeliveredDetail = DetailOf<typeof VehicleDelivered>;
export type VehiclePreparedDetail = DetailOf<typeof VehiclePrepared>;
export type PaperworkCompletedDetail = DetailOf<typeof PaperworkCompleted>;
export type PaymentDeclinedDetail = DetailOf<typeof PaymentDeclined>;
export type RegistrationRejectedDetail = DetailOf<typeof RegistrationRejected>;
export type PaperworkFailedDetail = DetailOf<typeof PaperworkFailed>;
export type VehicleReadyForHandoverDetail = DetailOf<typeof VehicleReadyForHandover>;
