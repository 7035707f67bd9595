import type { Context } from "aws-lambda";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { IdempotencyPersistenceLayerError } from "@aws-lambda-powertools/idempotency";
import { ConfigurationError, isTransient, PaymentDeclined, PublishFailedError, TransientServiceError, withTransientErrorsNamed } from "../../handlers/lib/errors";
import { requireEnv } from "../../handlers/lib/env";
import { logger, REDACTED, withLogContext } from "../../handlers/lib/logger";
import { publish } from "../../handlers/lib/publish";
import { BUS, lambdaContext } from "./support/events";
import { useHandlerHarness } from "./support/harness";

const { eventBridge, logs, errorLogs } = useHandlerHarness();

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
  /** Logs at `level` for the duration of `run`. */
  const atLevel = (level: "DEBUG" | "INFO", run: () => void) => {
    logger.setLogLevel(level);
    try {
      run();
    } finally {
      logger.setLogLevel("ERROR");
    }
  };

  it("writes one JSON line with level, message, service, timestamp and the fields, secrets redacted at any depth", () => {
    atLevel("INFO", () =>
      logger.info("hello", {
        order: { paymentToken: "tok_1", model: "S" },
        list: [{ PaymentToken: "tok_2" }],
        request: { headers: { Authorization: "Bearer tok_3" } },
        user: { password: "tok_4" },
      }),
    );
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!)).toEqual({
      level: "INFO",
      message: "hello",
      service: "dealership-test",
      timestamp: "2025-01-01T12:00:00.000Z",
      sampling_rate: 0,
      order: { paymentToken: REDACTED, model: "S" },
      list: [{ PaymentToken: REDACTED }],
      request: { headers: { Authorization: REDACTED } },
      user: { password: REDACTED },
    });
    expect(logs[0]).not.toMatch(/tok_/);
  });

  it("redacts a secret an error carries", () => {
    logger.error("failed", { error: Object.assign(new TypeError("bad"), { paymentToken: "tok_5" }) });
    expect(JSON.parse(errorLogs[0]!).error).toEqual(
      expect.objectContaining({ name: "TypeError", message: "bad", stack: expect.any(String), paymentToken: REDACTED }),
    );
  });

  it("writes below its level nothing, WARN and ERROR to stderr, the others to stdout", () => {
    logger.warn("dropped"); // the tests' level is ERROR
    atLevel("DEBUG", () => {
      logger.debug("details");
      logger.warn("careful");
    });
    expect(logs.map((line) => JSON.parse(line).message)).toEqual(["details"]);
    expect(errorLogs.map((line) => JSON.parse(line).message)).toEqual(["careful"]);
  });

  it("adds the Lambda context of a handler wrapped by withLogContext", async () => {
    const handler = withLogContext(async (_event: unknown, _context: Context) => logger.error("inside"));
    await handler({}, lambdaContext("factory"));
    expect(JSON.parse(errorLogs[0]!)).toEqual(
      expect.objectContaining({ function_name: "factory", function_request_id: expect.any(String), cold_start: expect.any(Boolean) }),
    );
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
