import {
  InvalidEventError,
  OrderPlaced,
  PaperworkCompleted,
  PaperworkTaskInput,
  VehicleProduced,
  VehicleReadyForHandover,
  allEvents,
  snapshotOf,
} from "../../handlers/contracts";
import { vinForOrder } from "../../handlers/lib/vin";
import { BUS, VIN, envelope, orderPlaced, snapshot } from "./support/events";

function invalid(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error("expected an InvalidEventError");
}

describe("event contracts", () => {
  it("keeps source and detail-type as literal types and exposes the matching pattern", () => {
    const source: "dealership.sales" = OrderPlaced.source;
    const detailType: "OrderPlaced" = OrderPlaced.detailType;
    expect([source, detailType]).toEqual(["dealership.sales", "OrderPlaced"]);
    expect(OrderPlaced.pattern).toEqual({ source: ["dealership.sales"], "detail-type": ["OrderPlaced"] });
  });

  it("has one contract per source/detail-type, each with a versioned detail", () => {
    const names = allEvents.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      "dealership.sales/OrderPlaced",
      "dealership.factory/VehicleProduced",
      "dealership.transport/VehicleShipped",
      "dealership.transport/VehicleDelivered",
      "dealership.preparation/VehiclePrepared",
      "dealership.paperwork/PaperworkCompleted",
      "dealership.paperwork/PaymentDeclined",
      "dealership.paperwork/RegistrationRejected",
      "dealership.paperwork/PaperworkFailed",
      "dealership.handover/VehicleReadyForHandover",
    ]);
  });

  it("parses a valid OrderPlaced event", () => {
    const event = envelope(OrderPlaced, orderPlaced());
    expect(OrderPlaced.parseEvent(event).detail).toEqual(orderPlaced());
  });

  it.each([
    ["customer.email", { customer: { email: "not-an-email" } }],
    ["priceCents", { priceCents: 0 }],
    ["priceCents", { priceCents: 10.5 }],
    ["depositCents", { depositCents: 4_000_000 }],
    ["currency", { currency: "eur" }],
    ["vehicleClass", { vehicleClass: "luxury" }],
    ["version", { version: "2" }],
  ])("names the bad field detail.%s", (path, override) => {
    const error = invalid(() => OrderPlaced.parseDetail({ ...orderPlaced(), ...override }));
    expect(error.eventName).toBe("dealership.sales/OrderPlaced");
    expect(error.issues.map((i) => i.path)).toContain(`detail.${path}`);
    expect(error.message).toMatch(new RegExp(`^Invalid dealership\\.sales/OrderPlaced: .*detail\\.${path.replace(".", "\\.")}: `));
  });

  it("names a missing nested field and a wrong detail-type in the envelope", () => {
    const { paymentToken: _omitted, ...withoutToken } = orderPlaced();
    expect(invalid(() => OrderPlaced.parseDetail(withoutToken)).message).toContain("detail.paymentToken");
    const wrongType = { ...envelope(OrderPlaced, orderPlaced()), "detail-type": "OrderCancelled" };
    expect(invalid(() => OrderPlaced.parseEvent(wrongType)).message).toContain("detail-type");
  });

  it("rejects a VIN with I, O or Q or of the wrong length", () => {
    const detail = { version: "1", orderId: "o-1", order: snapshot(), producedAt: "2025-01-01T00:00:00Z" };
    for (const vin of ["5DLKX7ZP9HT12345I", "5DLKX7ZP9HT1234", "5DLKX7ZP9HT12345O"]) {
      expect(invalid(() => VehicleProduced.parseDetail({ ...detail, vin })).issues[0]?.path).toBe("detail.vin");
    }
    expect(VehicleProduced.parseDetail({ ...detail, vin: VIN }).vin).toBe(VIN);
  });

  it("builds a validated PutEvents entry", () => {
    const detail = { version: "1" as const, orderId: "o-1", order: snapshot(), vin: VIN, producedAt: "2025-01-01T00:00:00Z" };
    expect(VehicleProduced.entry(detail, BUS)).toEqual({
      EventBusName: BUS,
      Source: "dealership.factory",
      DetailType: "VehicleProduced",
      Detail: JSON.stringify(detail),
    });
    expect(() => VehicleProduced.entry({ ...detail, vin: "nope" }, BUS)).toThrow(InvalidEventError);
  });

  it("carries an order snapshot with what later steps need", () => {
    expect(snapshotOf(orderPlaced())).toEqual({
      customerId: "customer-42",
      vehicleClass: "standard",
      model: "Roadster S",
      priceCents: 3_500_000,
      depositCents: 500_000,
      currency: "EUR",
      customerEmail: "ada@example.com",
      paymentToken: "tok_visa_4242",
    });
    const paperwork = {
      version: "1", orderId: "o-1", order: snapshot(), vin: VIN,
      invoiceId: "INV-1", paymentId: "PAY-1", insurancePolicyId: "POL-1", registrationId: "REG-1", plate: "DL-ABC123",
    };
    expect(PaperworkCompleted.parseDetail(paperwork)).toEqual(paperwork);
    expect(invalid(() => VehicleReadyForHandover.parseDetail({ ...paperwork, model: "X" })).message).toContain("detail.customerEmail");
  });

  it("validates task payloads with named paths", () => {
    expect(invalid(() => PaperworkTaskInput.parse({ orderId: "o-1", vin: VIN })).message).toBe(
      "Invalid paperwork task input: order: Invalid input: expected object, received undefined",
    );
  });
});

describe("vinForOrder", () => {
  it("derives a valid, stable VIN from the orderId", () => {
    const vin = vinForOrder("order-1001");
    expect(vin).toMatch(/^[A-HJ-NPR-Z0-9]{17}$/);
    expect(vinForOrder("order-1001")).toBe(vin);
    expect(vinForOrder("order-1002")).not.toBe(vin);
  });

  it("has a valid ISO 3779 check digit in position 9", () => {
    const values: Record<string, number> = Object.fromEntries(
      [..."ABCDEFGH"].map((c, i) => [c, i + 1]).concat([..."JKLMN"].map((c, i) => [c, i + 1]), [["P", 7], ["R", 9]], [..."STUVWXYZ"].map((c, i) => [c, i + 2])),
    );
    const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    for (const orderId of ["a", "b", "order-1", "order-2", "x-99"]) {
      const vin = vinForOrder(orderId);
      const sum = [...vin].reduce((acc, c, i) => acc + (/\d/.test(c) ? Number(c) : values[c]!) * weights[i]!, 0);
      expect(vin[8]).toBe(sum % 11 === 10 ? "X" : String(sum % 11));
    }
  });
});
