import { EventField, NAME_LIMITS, TargetInput, physicalName } from "@event-routes/components";

describe("physicalName", () => {
  test("joins parts and keeps short names as they are", () => {
    expect(physicalName(["dealership-events-dev", "orders"], 64)).toBe("dealership-events-dev-orders");
  });

  test("cuts long names to the limit, suffix included, with a hash that keeps them distinct", () => {
    const a = physicalName(["dealership-events-production", "a-very-long-route-name-for-premium-vehicle-orders-1"], NAME_LIMITS.queue, ".fifo");
    const b = physicalName(["dealership-events-production", "a-very-long-route-name-for-premium-vehicle-orders-2"], NAME_LIMITS.queue, ".fifo");
    expect(a.length).toBeLessThanOrEqual(80);
    expect(a.endsWith(".fifo")).toBe(true);
    expect(a).not.toBe(b);
    expect(physicalName(["x".repeat(100)], 64)).toHaveLength(64);
  });

  test("replaces characters AWS does not allow", () => {
    expect(physicalName(["my stack", "orders/eu"], 64)).toBe("my-stack-orders-eu");
  });
});

describe("TargetInput", () => {
  test("text templates are JSON strings with placeholders inside the quotes, literal quotes escaped", () => {
    const input = TargetInput.text`Order ${EventField.fromPath("$.detail.orderId")} is "ready" (${EventField.ruleName})`;
    expect(input.rendered.inputTransformer).toEqual({
      inputPaths: { orderId: "$.detail.orderId" },
      inputTemplate: '"Order <orderId> is \\"ready\\" (<aws.events.rule-name>)"',
    });
  });

  test("plain text templates are the text itself, for people; what EventBridge could not render is refused", () => {
    const input = TargetInput.plainText`Your ${EventField.fromPath("$.detail.model")} is "ready"`;
    expect(input.rendered.inputTransformer).toEqual({ inputPaths: { model: "$.detail.model" }, inputTemplate: 'Your <model> is "ready"' });
    expect(input.quotedText).toBe(false);
    expect(TargetInput.text`x`.quotedText).toBe(true);
    expect(() => TargetInput.plainText`a <b> ${EventField.eventId}`).toThrow(/contains < or >/);
    expect(() => TargetInput.plainText`"quoted" ${EventField.eventId}`).toThrow(/would be read as JSON/);
    expect(() => TargetInput.plainText` `).toThrow(/empty/);
  });

  test("JSON templates put fields as JSON values, unquoted, and reuse one name per path", () => {
    const orderId = EventField.fromPath("$.detail.orderId");
    const input = TargetInput.json({ id: orderId, again: orderId, other: EventField.fromPath("$.detail.customer.orderId"), n: 1, tags: ["a", null] });
    expect(input.rendered.inputTransformer).toEqual({
      inputPaths: { orderId: "$.detail.orderId", orderId_2: "$.detail.customer.orderId" },
      inputTemplate: '{"id":<orderId>,"again":<orderId>,"other":<orderId_2>,"n":1,"tags":["a",null]}',
    });
  });

  test("constants and input paths", () => {
    expect(TargetInput.constant({ a: 1 }).rendered).toEqual({ input: '{"a":1}' });
    expect(TargetInput.path("$.detail").rendered).toEqual({ inputPath: "$.detail" });
  });

  test("a path EventBridge would reject fails at once, naming it", () => {
    expect(() => EventField.fromPath("detail.orderId")).toThrow('"detail.orderId" is not a JSONPath');
  });

  test("more than 100 fields is an error", () => {
    const fields = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, EventField.fromPath(`$.detail.f${i}`)]));
    expect(() => TargetInput.json(fields)).toThrow("at most 100");
  });
});
