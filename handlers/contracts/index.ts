/**
 * Event contracts of the dealership: the one definition of every event, shared by
 * the handlers (validation, publishing), the infrastructure (rule patterns, the
 * workflow's error names) and the tests.
 *
 * Every event is `{ source, detail-type, detail }` with a versioned `detail`
 * (`version: "1"`). A contract made by {@link defineEvent} offers:
 * - `source` / `detailType` as string literal types and `pattern`, so a rule
 *   pattern built from a contract cannot contain a typo;
 * - `parseEvent` / `parseDetail`, which throw {@link InvalidEventError} naming the
 *   event and each bad field path (e.g. `detail.customer.email`);
 * - `entry(detail, busName)`, a validated PutEvents entry.
 *
 * The flow (see docs/design.md section 2):
 *   dealership.sales/OrderPlaced (top-level `vehicleClass` routes to a FIFO queue per class)
 *   -> factory -> dealership.factory/VehicleProduced (VIN derived from orderId)
 *   -> transport-dispatch -> dealership.transport/VehicleShipped
 *      -> paperwork workflow (Step Functions: invoice, payment, insurance, registration)
 *         -> dealership.paperwork/PaperworkCompleted | PaymentDeclined | RegistrationRejected
 *      -> transport-arrival -> dealership.transport/VehicleDelivered
 *         -> preparation -> dealership.preparation/VehiclePrepared
 *   PaperworkCompleted + VehiclePrepared -> handover -> dealership.handover/VehicleReadyForHandover
 *
 * Every event after OrderPlaced carries `orderId`, `vin` and an `order` snapshot
 * (customer, class, model, amounts, currency, e-mail, payment token), so no step
 * needs a database lookup.
 *
 * This module imports no AWS SDK at run time (types only).
 */
export {
  defineEvent,
  InvalidEventError,
  formatPath,
  type EventBridgeEnvelope,
  type EventContract,
  type ValidationIssue,
  type VersionedDetail,
} from "./define-event";
export * from "./events";
export { snapshotOf, type OrderSnapshot, type VehicleClass } from "./fields";
export * from "./workflow";
