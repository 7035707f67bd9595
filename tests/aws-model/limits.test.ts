import { inRange, NAME_LIMITS, nameFits, NAMES, RANGES } from "@event-routes/aws-model";

/** AWS's limits, once: names (length and characters) and numeric ranges, each with its AWS page. */
describe("AWS limits", () => {
  test("every limit cites an AWS page", () => {
    const pages = [...Object.values(NAMES), ...Object.values(RANGES).flatMap((service) => Object.values(service))].map((limit) => limit.docs);
    expect(pages.filter((page) => !/^https:\/\/(docs\.)?aws\.amazon\.com\//.test(page))).toEqual([]);
  });

  test("names: length bounds and allowed characters", () => {
    expect(nameFits(NAMES.function, "a".repeat(64))).toBe(true);
    expect(nameFits(NAMES.function, "a".repeat(65))).toBe(false);
    expect(nameFits(NAMES.function, "")).toBe(false);
    expect(nameFits(NAMES.function, "orders.handler")).toBe(false);
    expect(nameFits(NAMES.table, "ab")).toBe(false);
    expect(nameFits(NAMES.table, "abc")).toBe(true);
    expect(nameFits(NAMES.queue, `${"q".repeat(75)}.fifo`)).toBe(true);
    expect(nameFits(NAMES.queue, `${"q".repeat(76)}.fifo`)).toBe(false);
    expect(nameFits(NAMES.queue, "orders.eu")).toBe(false);
    expect(nameFits(NAMES.eventBus, "partner/orders")).toBe(true);
    expect(nameFits(NAMES.rule, "partner/orders")).toBe(false);
    expect(nameFits(NAMES.role, "svc+role=x,y.z@w-1_2")).toBe(true);
    expect(nameFits(NAMES.stateMachine, "orders-flow")).toBe(true);
    for (const bad of ["a b", "a:b", "a\u0007b", "a\u0085b", "a/b", "a*b"]) expect(nameFits(NAMES.stateMachine, bad)).toBe(false);
    expect(nameFits(NAMES.execution, "n".repeat(80))).toBe(true);
    expect(nameFits(NAMES.execution, "n".repeat(81))).toBe(false);
    expect(nameFits(NAMES.execution, "a b")).toBe(false);
    expect(nameFits(NAMES.kmsAlias, "alias/orders")).toBe(true);
    expect(nameFits(NAMES.kmsAlias, "orders")).toBe(false);
  });

  test("NAME_LIMITS are the names' maximum lengths", () => {
    expect(NAME_LIMITS.queue).toBe(80);
    expect(NAME_LIMITS.rule).toBe(64);
    expect(Object.keys(NAME_LIMITS).sort()).toEqual(Object.keys(NAMES).sort());
  });

  test("ranges: whole numbers within the bounds", () => {
    expect(inRange(RANGES.lambda.timeoutSeconds, 900)).toBe(true);
    expect(inRange(RANGES.lambda.timeoutSeconds, 901)).toBe(false);
    expect(inRange(RANGES.lambda.timeoutSeconds, 0)).toBe(false);
    expect(inRange(RANGES.lambda.memoryMb, 127)).toBe(false);
    expect(inRange(RANGES.lambda.memoryMb, 10240)).toBe(true);
    expect(inRange(RANGES.sqs.delaySeconds, 1.5)).toBe(false);
    expect(inRange(RANGES.lambda.streamMaximumRetryAttempts, -1)).toBe(true);
    expect(inRange(RANGES.sns.subjectCharacters, 100)).toBe(true);
    expect(inRange(RANGES.sns.subjectCharacters, 101)).toBe(false);
    expect(inRange(RANGES.sns.subjectCharacters, 0)).toBe(false);
  });
});
