import { handler } from "../../handlers/insurance";
import { taskInput, thrownBy } from "./support/tasks";
import { useHandlerHarness } from "./support/harness";

useHandlerHarness();

describe("insurance", () => {
  it("issues a policy whose id is derived from the order", async () => {
    const result = await handler(taskInput());
    expect(result).toEqual({ insurancePolicyId: expect.stringMatching(/^POL-[0-9A-Z]{12}$/) });
    expect(await handler(taskInput())).toEqual(result);
  });

  it("rejects an invalid payload naming the field", async () => {
    const error = await thrownBy(() => handler({ ...taskInput(), orderId: "" }));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(/^Invalid paperwork task input: orderId: /);
  });
});
