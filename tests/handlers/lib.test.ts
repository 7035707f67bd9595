import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { IdempotencyPersistenceLayerError } from "@aws-lambda-powertools/idempotency";
import { ConfigurationError, isTransient, PaymentDeclined, PublishFailedError, TransientServiceError, withTransientErrorsNamed } from "../../handlers/lib/errors";
import { requireEnv } from "../../handlers/lib/env";
import { logger, redact } from "../../handlers/lib/logger";
import { publish } from "../../handlers/lib/publish";
import { BUS } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge } = useHandlerHarness();

const entry = (i: number) => ({ EventBusName: BUS, Source: "test", DetailType: `T${i}`, Detail: "{}" });

describe("publish", () => {
  it("sends at most 10 entries per PutEvents call", async () => {
    await publish(...Array.from({ length: 12 }, (_, i) => entry(i)));
    const calls = eventBridge.mock.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
  });

  it("throws PublishFailedError naming the rejected entries when FailedEntryCount > 0", async () => {
    eventBridge.mock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: "ok" }, { ErrorCode: "InternalFailure", ErrorMessage: "boom" }],
    });
    const error = await publish(entry(1), entry(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishFailedError);
    expect((error as PublishFailedError).failures).toEqual([
      { detailType: "T2", errorCode: "InternalFailure", errorMessage: "boom" },
    ]);
  });

  it("propagates a failed PutEvents call", async () => {
    eventBridge.mock.on(PutEventsCommand).rejects(new Error("network down"));
    await expect(publish(entry(1))).rejects.toThrow("network down");
  });
});

describe("logger", () => {
  it("writes one JSON line with level, message, service and redacted secrets", () => {
    const lines: string[] = [];
    jest.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    process.env.POWERTOOLS_LOG_LEVEL = "INFO";
    try {
      logger.info("hello", { order: { paymentToken: "tok_1", model: "S" }, list: [{ PaymentToken: "tok_2" }] });
    } finally {
      process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "INFO",
      message: "hello",
      service: "dealership-test",
      timestamp: "2025-01-01T12:00:00.000Z",
      order: { paymentToken: "[REDACTED]", model: "S" },
      list: [{ PaymentToken: "[REDACTED]" }],
    });
  });

  it("serializes errors with name and message", () => {
    expect(redact({ error: new TypeError("bad") })).toEqual({
      error: { name: "TypeError", message: "bad", stack: expect.any(String) },
    });
  });
});

describe("requireEnv", () => {
  it("names the missing variable", () => {
    const saved = process.env.EVENT_BUS_NAME;
    delete process.env.EVENT_BUS_NAME;
    try {
      expect(() => requireEnv("EVENT_BUS_NAME")).toThrow(new ConfigurationError("Environment variable EVENT_BUS_NAME is not set"));
    } finally {
      process.env.EVENT_BUS_NAME = saved;
    }
  });
});

describe("transient and terminal errors", () => {
  const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ["a throttled DynamoDB call", sdkError("ProvisionedThroughputExceededException", 400)],
    ["EventBridge throttling", sdkError("ThrottlingException", 400)],
    ["a 503", sdkError("ServiceUnavailable", 503)],
    ["a 500 of any name", sdkError("SomethingBroke", 500)],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
    ["the idempotency store failing on a throttled write", new IdempotencyPersistenceLayerError("Failed to save in progress record", { cause: sdkError("ThrottlingException", 400) })],
  ])("%s is transient", (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ["a failed condition", sdkError("ConditionalCheckFailedException", 400)],
    ["access denied", sdkError("AccessDeniedException", 400)],
    ["a declined payment", new PaymentDeclined("declined")],
    ["the idempotency store failing for good", new IdempotencyPersistenceLayerError("Failed", { cause: sdkError("AccessDeniedException", 400) })],
    ["not an error", "ThrottlingException"],
  ])("%s is terminal", (_, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it("names transient failures TransientServiceError for the workflow's Retry, keeping the cause, and leaves terminal ones alone", async () => {
    const throttled = sdkError("ThrottlingException", 400);
    const wrapped = await withTransientErrorsNamed(async () => Promise.reject(throttled))().catch((e: unknown) => e as Error);
    expect(wrapped).toBeInstanceOf(TransientServiceError);
    expect(wrapped).toMatchObject({ name: "TransientServiceError", cause: throttled, message: expect.stringContaining("ThrottlingException") });
    const declined = new PaymentDeclined("declined");
    await expect(withTransientErrorsNamed(async () => Promise.reject(declined))()).rejects.toBe(declined);
    await expect(withTransientErrorsNamed(async (n: number) => n * 2)(21)).resolves.toBe(42);
  });
});
