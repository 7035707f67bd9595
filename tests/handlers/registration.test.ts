import { handler } from "../../handlers/registration";
import { taskInput, thrownBy } from "./support/tasks";
import { useHandlerHarness } from "./support/harness";

useHandlerHarness();

describe("registration", () => {
  it("registers the vehicle with an id and plate derived from the order", async () => {
    const result = await handler(taskInput());
    expect(result).toEqual({
      registrationId: expect.stringMatching(/^REG-[0-9A-Z]{12}$/),
      plate: expect.stringMatching(/^DL-[0-9A-Z]{6}$/),
    });
    expect(await handler(taskInput())).toEqual(result);
  });

  it("throws RegistrationRejected (error name for Step Functions Catch) for a blocked customer", async () => {
    const error = await thrownBy(() => handler(taskInput({ customerId: "blocked-7" })));
    expect(error.name).toBe("RegistrationRejected");
    expect(error.message).toBe("Registration of 5DLKX7ZP9HT123456 for order order-1001 rejected: customer blocked-7 is blocked");
  });

  it("throws RegistrationRejected for a model that is not road-legal", async () => {
    const error = await thrownBy(() => handler(taskInput({ model: "Prototype X1" })));
    expect(error.name).toBe("RegistrationRejected");
  });

  it("rejects an invalid payload naming the field", async () => {
    const error = await thrownBy(() => handler({ ...taskInput(), order: { ...taskInput().order, customerEmail: "nope" } }));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(/^Invalid paperwork task input: order\.customerEmail: /);
  });
});
