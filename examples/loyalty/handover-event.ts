import type { EventContractLike } from "@event-routes/components";

/**
 * The one event this program consumes, as the loyalty team relies on it: the dealership's
 * VehicleReadyForHandover, with the detail fields read here. A second team states the part of the
 * producer's contract it depends on instead of importing the producer's code.
 */
export interface HandoverDetail {
  orderId: string;
}

export const VehicleReadyForHandover: EventContractLike<HandoverDetail> = {
  source: "dealership.handover",
  detailType: "VehicleReadyForHandover",
  parseDetail(input: unknown): HandoverDetail {
    const orderId = (input as { orderId?: unknown } | null)?.orderId;
    if (typeof orderId !== "string" || orderId === "") throw new Error("detail.orderId is missing");
    return { orderId };
  },
};
