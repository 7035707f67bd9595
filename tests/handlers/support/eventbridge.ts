import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";

/**
 * EventBridge behind aws-sdk-client-mock. PutEvents accepts every entry, except
 * for the calls that `failNextPublish()` asked to fail.
 */
export function mockEventBridge() {
  const mock = mockClient(EventBridgeClient);
  let failuresPending: string[] = [];

  const install = () =>
    mock.on(PutEventsCommand).callsFake((input: { Entries?: PutEventsRequestEntry[] }) => {
      const entries = input.Entries ?? [];
      const errorCode = failuresPending.shift();
      if (errorCode) {
        return {
          FailedEntryCount: entries.length,
          Entries: entries.map(() => ({ ErrorCode: errorCode, ErrorMessage: "simulated failure" })),
        };
      }
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `published-${i}` })) };
    });
  install();

  return {
    mock,
    reset(): void {
      failuresPending = [];
      mock.reset();
      install();
    },
    /** Every entry sent with PutEvents, in order (including rejected ones). */
    entries(): PutEventsRequestEntry[] {
      return mock.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    },
    /** The details of every entry sent, parsed. */
    details(): unknown[] {
      return this.entries().map((entry) => JSON.parse(entry.Detail ?? "null") as unknown);
    },
    /** The next PutEvents call reports all its entries as failed (FailedEntryCount > 0). */
    failNextPublish(errorCode = "InternalFailure"): void {
      failuresPending.push(errorCode);
    },
  };
}
