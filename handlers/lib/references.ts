import { deterministicId, digest } from "./ids";

/**
 * References of the paperwork, derived from the orderId: a retry or a duplicate
 * execution produces the same ones, and compensation can name them without
 * being told (a failed Parallel state does not pass on its branches' results).
 */
export const invoiceIdFor = (orderId: string) => deterministicId("INV", orderId);
export const insurancePolicyIdFor = (orderId: string) => deterministicId("POL", orderId);
export const registrationIdFor = (orderId: string) => deterministicId("REG", orderId);
export const plateFor = (orderId: string) => `DL-${digest(["plate", orderId], 6)}`;
