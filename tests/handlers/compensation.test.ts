import { handler } from "../../handlers/compensation";
import * as gateway from "../../handlers/lib/payment-gateway";
import * as ledger from "../../handlers/lib/payment-ledger";
import { insurancePolicyIdFor, invoiceIdFor } from "../../handlers/lib/references";
import { handler as payment } from "../../handlers/payment";
import { lambdaContext } from "./support/events";
import { useHandlerHarness } from "./support/harness";
import { taskInput, thrownBy } from "./support/tasks";

const { dynamo } = useHandlerHarness();

/** What the paperwork state machine passes: the order, the reason and the error's Cause. */
const failedOrder = (extra: Record<string, unknown> = {}) => {
  const { orderId, order, vin } = taskInput();
  return { orderId, order, vin, reason: "RegistrationRejected", cause: '{"errorType":"RegistrationRejected"}', ...extra };
};

const undoPaperwork = [
  { type: "cancel-insurance", insurancePolicyId: insurancePolicyIdFor("order-1001") },
  { type: "void-invoice", invoiceId: invoiceIdFor("order-1001") },
  { type: "refund-deposit", amountCents: 500_000 },
];

describe("compensation", () => {
  it("refunds the charged payment found in the ledger, cancels the insurance, voids the invoice, refunds the deposit", async () => {
    const { paymentId } = await payment(taskInput(), lambdaContext());
    const refund = jest.spyOn(gateway, "refund");

    const result = await handler(failedOrder(), lambdaContext());

    expect(result).toEqual({
      compensated: true,
      actions: [{ type: "refund-payment", paymentId, amountCents: 3_000_000 }, ...undoPaperwork],
      announce: true,
    });
    expect(refund).toHaveBeenCalledWith(paymentId, "order-1001");
    expect(dynamo.get("payment#order-1001")).toMatchObject({ status: { S: "refunded" } });
  });

  it("refunds nothing when nothing was charged, and refuses a late charge for the order", async () => {
    const charge = jest.spyOn(gateway, "charge");

    const result = await handler(failedOrder({ reason: "PaymentDeclined" }), lambdaContext());

    expect(result.actions).toEqual(undoPaperwork);
    expect(dynamo.get("payment#order-1001")).toMatchObject({ status: { S: "cancelled" } });
    const late = await thrownBy(() => payment(taskInput(), lambdaContext()));
    expect(late.name).toBe("OrderCompensated");
    expect(charge).not.toHaveBeenCalled();
  });

  it("uses the references it is given", async () => {
    const result = await handler(failedOrder({ invoiceId: "INV-GIVEN", insurancePolicyId: "POL-GIVEN" }), lambdaContext());
    expect(result.actions).toEqual([
      { type: "cancel-insurance", insurancePolicyId: "POL-GIVEN" },
      { type: "void-invoice", invoiceId: "INV-GIVEN" },
      { type: "refund-deposit", amountCents: 500_000 },
    ]);
  });

  it("is idempotent per order: a duplicate returns the first result and refunds nothing twice", async () => {
    await payment(taskInput(), lambdaContext());
    const refund = jest.spyOn(gateway, "refund");

    const first = await handler(failedOrder(), lambdaContext());
    const second = await handler(failedOrder(), lambdaContext());

    expect(second).toEqual(first);
    expect(refund).toHaveBeenCalledTimes(1);
    expect(dynamo.ids().filter((id) => id.startsWith("compensation#"))).toHaveLength(1);
  });

  it("refunds only the one payment even without its idempotency record: a repeat asks for the same, idempotent refund", async () => {
    const { paymentId } = await payment(taskInput(), lambdaContext());
    const refund = jest.spyOn(gateway, "refund");

    await handler(failedOrder(), lambdaContext());
    // As if the first attempt refunded, but died (or its answer was lost) before its result was saved.
    for (const id of dynamo.ids().filter((i) => i.startsWith("compensation#"))) dynamo.delete(id);
    const again = await handler(failedOrder(), lambdaContext());

    expect(again.actions).toEqual([{ type: "refund-payment", paymentId, amountCents: 3_000_000 }, ...undoPaperwork]);
    expect(refund.mock.calls).toEqual([[paymentId, "order-1001"], [paymentId, "order-1001"]]);
    expect(dynamo.get("payment#order-1001")).toMatchObject({ status: { S: "refunded" } });
  });

  it("lets the first execution that compensates an order announce it, and its retries, never another execution", async () => {
    const first = await handler(failedOrder({ executionId: "arn:execution:first" }), lambdaContext());
    const duplicate = await handler(failedOrder({ executionId: "arn:execution:duplicate" }), lambdaContext());
    const retry = await handler(failedOrder({ executionId: "arn:execution:first" }), lambdaContext());

    expect([first.announce, duplicate.announce, retry.announce]).toEqual([true, false, true]);
    expect(duplicate.actions).toEqual(first.actions);
  });

  it("names a throttled write TransientServiceError, which the workflow retries", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
    jest.spyOn(ledger, "cancelPayment").mockRejectedValueOnce(throttled);

    const error = await thrownBy(() => handler(failedOrder(), lambdaContext()));

    expect(error.name).toBe("TransientServiceError");
    expect(error.cause).toBe(throttled);
    expect((await handler(failedOrder(), lambdaContext())).compensated).toBe(true);
  });

  it("rejects an invalid payload naming the field", async () => {
    const error = await thrownBy(() => handler(failedOrder({ reason: "" }), lambdaContext()));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(/^Invalid compensation task input: reason: /);
  });
});
