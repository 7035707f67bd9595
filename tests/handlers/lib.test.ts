import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ConfigurationError, PublishFailedError } from "../../handlers/lib/errors";
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
