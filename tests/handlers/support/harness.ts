import { mockEventBridge } from "./eventbridge";
import { FakeDynamoDb } from "./fake-dynamodb";
import { setHandlerEnv } from "./events";

/**
 * Per test file: handler environment, EventBridge mock, in-memory state table,
 * a frozen clock and the captured log lines (returned for assertions, kept off the terminal):
 * `logs` from stdout (DEBUG, INFO), `errorLogs` from stderr (WARN, ERROR). Powertools Logger
 * writes to the process's streams through a console of its own, not through the global console.
 */
export function useHandlerHarness() {
  setHandlerEnv();
  const eventBridge = mockEventBridge();
  const dynamo = new FakeDynamoDb();
  const logs: string[] = [];
  const errorLogs: string[] = [];
  const clock = {
    set: (iso: string) => jest.setSystemTime(new Date(iso)),
    advance: (ms: number) => jest.setSystemTime(Date.now() + ms),
  };

  beforeEach(() => {
    eventBridge.reset();
    dynamo.reset();
    logs.length = 0;
    errorLogs.length = 0;
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "hrtime", "performance"] });
    clock.set("2025-01-01T12:00:00.000Z");
    captureLines(process.stdout, logs);
    captureLines(process.stderr, errorLogs);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  afterAll(() => {
    eventBridge.mock.restore();
    dynamo.restore();
  });

  return { eventBridge, dynamo, logs, errorLogs, clock };
}

/** Keeps what is written to `stream` as lines in `lines` instead of writing it. */
function captureLines(stream: NodeJS.WriteStream, lines: string[]): void {
  jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    const callback = rest.find((arg): arg is () => void => typeof arg === "function");
    callback?.();
    return true;
  });
}
