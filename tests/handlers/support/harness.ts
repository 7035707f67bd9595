import { mockEventBridge } from "./eventbridge";
import { FakeDynamoDb } from "./fake-dynamodb";
import { setHandlerEnv } from "./events";

/**
 * Per test file: handler environment, EventBridge mock, in-memory state table,
 * a frozen clock and captured error logs (returned for assertions, kept off the console).
 */
export function useHandlerHarness() {
  setHandlerEnv();
  const eventBridge = mockEventBridge();
  const dynamo = new FakeDynamoDb();
  const errorLogs: string[] = [];
  const clock = {
    set: (iso: string) => jest.setSystemTime(new Date(iso)),
    advance: (ms: number) => jest.setSystemTime(Date.now() + ms),
  };

  beforeEach(() => {
    eventBridge.reset();
    dynamo.reset();
    errorLogs.length = 0;
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "hrtime", "performance"] });
    clock.set("2025-01-01T12:00:00.000Z");
    jest.spyOn(console, "error").mockImplementation((line: unknown) => {
      errorLogs.push(String(line));
    });
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  afterAll(() => {
    eventBridge.mock.restore();
    dynamo.restore();
  });

  return { eventBridge, dynamo, errorLogs, clock };
}
