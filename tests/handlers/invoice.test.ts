import { handler } from "../../handlers/invoice";
import { taskInput, thrownBy } from "./support/tasks";
import { useHandlerHarness } from "./support/harness";

const { eventBridge } = useHandlerHarness();

describe("invoice", () => {
  it("issues an invoice whose id is derived from the order", async () => {
    const result = await handler(taskInput());
    expect(result).toEqual({ invoiceId: expect.stringMatching(/^INV-[0-9A-Z]{12}$/) });
    expect(await handler(taskInput())).toEqual(result);
    expect(await handler(taskInput({}, "order-2002"))).not.toEqual(result);
    expect(eventBridge.entries()).toEqual([]);
  });

  it("rejects an invalid payload naming the field", async () => {
    const error = await thrownBy(() => handler({ ...taskInput(), vin: undefined }));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(/^Invalid paperwork task input: vin: /);
  });
});
