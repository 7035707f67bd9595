import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import * as gateway from "../../handlers/lib/payment-gateway";
import { logger } from "../../handlers/lib/logger";
import * as ledger from "../../handlers/lib/payment-ledger";
import { handler } from "../../handlers/payment";
import { lambdaContext } from "./support/events";
import { useHandlerHarness } from "./support/harness";
import { taskInput, thrownBy } from "./support/tasks";

const { dynamo, eventBridge, logs, errorLogs } = useHandlerHarness();

const charges = () => jest.spyOn(gateway, "charge");
const idempotencyRecords = () => dynamo.ids().filter((id) => id.startsWith("payment.charge#"));

describe("payment", () => {
  it("charges the price minus the deposit", async () => {
    const charge = charges();

    const result = await handler(taskInput(), lambdaContext());

    expect(result).toEqual({ paymentId: expect.stringMatching(/^PAY-[0-9a-f]{32}$/), amountCents: 3_000_000 });
    expect(charge).toHaveBeenCalledTimes(1);
    expect(charge).toHaveBeenCalledWith({
      orderId: "order-1001",
      paymentToken: "tok_visa_4242",
      amountCents: 3_000_000,
      currency: "EUR",
      idempotencyKey: "balance#order-1001",
    });
    expect(idempotencyRecords()).toHaveLength(1);
    expect(dynamo.get(idempotencyRecords()[0]!)).toMatchObject({ status: { S: "COMPLETED" }, expiration: { N: expect.any(String) } });
    expect(dynamo.get("payment#order-1001")).toMatchObject({
      status: { S: "charged" },
      paymentId: { S: result.paymentId },
      amountCents: { N: "3000000" },
    });
    expect(eventBridge.entries()).toEqual([]);
  });

  it("returns the first result for a duplicate invocation and never charges twice", async () => {
    const charge = charges();

    const first = await handler(taskInput(), lambdaContext());
    const second = await handler(taskInput(), lambdaContext());

    expect(second).toEqual(first);
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it("makes a concurrent duplicate fail as in progress, and its retry gets the first result", async () => {
    const charge = charges();

    const [first, concurrent] = await Promise.allSettled([
      handler(taskInput(), lambdaContext()),
      handler(taskInput(), lambdaContext()),
    ]);

    expect(first).toMatchObject({ status: "fulfilled" });
    expect(concurrent).toMatchObject({ status: "rejected", reason: { name: "IdempotencyAlreadyInProgressError" } });
    const retried = await handler(taskInput(), lambdaContext());
    expect(retried).toEqual((first as PromiseFulfilledResult<unknown>).value);
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it("names a throttled ledger write after the charge TransientServiceError, and the retry gets the same charge back", async () => {
    const charge = charges();
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    jest.spyOn(ledger, "recordCharge").mockRejectedValueOnce(throttled);

    const error = await thrownBy(() => handler(taskInput(), lambdaContext()));
    const retried = await handler(taskInput(), lambdaContext());

    expect(error.name).toBe("TransientServiceError");
    expect(charge).toHaveBeenCalledTimes(2);
    // The gateway got the same idempotency key twice: one payment, not two.
    expect(new Set(await Promise.all(charge.mock.results.map((r) => r.value)))).toEqual(new Set([retried.paymentId]));
  });

  it("names a failure of the idempotency store TransientServiceError when its cause is transient, and keeps a terminal one's name", async () => {
    const unavailable = Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
    dynamo.mock.on(PutItemCommand).rejectsOnce(unavailable);
    const storeFailed = await thrownBy(() => handler(taskInput(), lambdaContext()));
    expect(storeFailed.name).toBe("TransientServiceError");
    expect((storeFailed.cause as Error).name).toBe("IdempotencyPersistenceLayerError");

    const declined = await thrownBy(() => handler(taskInput({ paymentToken: "declined-card" }, "order-1002"), lambdaContext()));
    expect(declined.name).toBe("PaymentDeclined");
  });

  it("takes a ledger record it finds already written by the same charge (an earlier answer lost) as its own", async () => {
    const charged = await handler(taskInput(), lambdaContext());
    expect(await ledger.recordCharge("order-1001", charged.paymentId, 3_000_000)).toBe(true);
    expect(await ledger.recordCharge("order-1001", "PAY-another", 3_000_000)).toBe(false);
  });

  it("returns a charge its idempotency record missed (timed out after charging) without charging again", async () => {
    dynamo.patch("payment#order-1001", { status: { S: "charged" }, paymentId: { S: "PAY-earlier" }, amountCents: { N: "3000000" } });
    const charge = charges();

    expect(await handler(taskInput(), lambdaContext())).toEqual({ paymentId: "PAY-earlier", amountCents: 3_000_000 });
    expect(charge).not.toHaveBeenCalled();
  });

  it("refunds at once and fails with OrderCompensated when the order is compensated while charging", async () => {
    const refund = jest.spyOn(gateway, "refund");
    charges().mockImplementationOnce(async () => {
      dynamo.patch("payment#order-1001", { status: { S: "cancelled" } });
      return "PAY-late";
    });

    const error = await thrownBy(() => handler(taskInput(), lambdaContext()));

    expect(error.name).toBe("OrderCompensated");
    expect(refund).toHaveBeenCalledWith("PAY-late", "order-1001");
    expect(idempotencyRecords()).toEqual([]);
  });

  it("refuses a replay for the same order with different amounts", async () => {
    await handler(taskInput(), lambdaContext());
    const error = await thrownBy(() => handler(taskInput({ priceCents: 9_000_000 }), lambdaContext()));
    expect(error.name).toBe("IdempotencyValidationError");
  });

  it("throws PaymentDeclined for a declined token and leaves no result behind", async () => {
    const error = await thrownBy(() => handler(taskInput({ paymentToken: "declined_insufficient_funds" }), lambdaContext()));
    expect(error.name).toBe("PaymentDeclined");
    expect(error.message).toBe("Payment for order order-1001 was declined by the card issuer");
    expect(idempotencyRecords()).toEqual([]);
  });

  it("throws PaymentGatewayUnavailable on the first attempt of a flaky token, then succeeds once", async () => {
    const charge = charges();
    const input = taskInput({ paymentToken: "flaky_gateway" });

    const error = await thrownBy(() => handler(input, lambdaContext()));
    expect(error.name).toBe("PaymentGatewayUnavailable");
    expect(dynamo.get("payment-attempt#order-1001")).toMatchObject({ expiration: { N: expect.any(String) } });

    const retried = await handler(input, lambdaContext());
    expect(retried).toEqual({ paymentId: expect.stringMatching(/^PAY-/), amountCents: 3_000_000 });
    expect(await handler(input, lambdaContext())).toEqual(retried);
    expect(charge).toHaveBeenCalledTimes(2); // the failed attempt and the successful one
  });

  it("rejects an invalid payload naming the field", async () => {
    const error = await thrownBy(() => handler({ ...taskInput(), order: { ...taskInput().order, priceCents: "lots" } }, lambdaContext()));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(/^Invalid paperwork task input: order\.priceCents: /);
    expect(idempotencyRecords()).toEqual([]);
  });

  it("never logs the payment token", async () => {
    logger.setLogLevel("DEBUG");
    try {
      await handler(taskInput({ paymentToken: "tok_secret_123" }), lambdaContext());
      await thrownBy(() => handler(taskInput({ paymentToken: "declined_secret_456" }, "order-2"), lambdaContext()));
    } finally {
      logger.setLogLevel("ERROR");
    }
    expect(logs.some((line) => line.includes('"message":"Payment charged"'))).toBe(true);
    expect([...logs, ...errorLogs].join("\n")).not.toMatch(/secret/);
  });
});
