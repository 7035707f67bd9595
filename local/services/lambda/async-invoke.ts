import { AwsError } from "../../aws-error";
import type { LocalCloud, Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { EventBridgeApi, InvokeResult } from "../contracts";
import type { LocalFunction } from "./function";

/** AWS's asynchronous invoke retries wait one minute, then two. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

/** Runs one invocation of a function in a container (the service's synchronous path). */
export type Execute = (fn: LocalFunction, payload: unknown, requestId: string) => Promise<InvokeResult>;

/**
 * Lambda's internal queue of asynchronous invokes: an event runs soon after it was queued, is
 * retried on a function error (twice by default, after one and two minutes), stays queued while
 * throttled, and once Lambda gives up goes to the failure destination or dead-letter queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
export class AsyncInvokeQueue {
  constructor(
    private readonly cloud: LocalCloud,
    private readonly execute: Execute,
  ) {}

  /** Queues `payload` for `fn`; the caller has its 202 already. */
  enqueue(fn: LocalFunction, payload: unknown, requestId: string): void {
    const queuedAt = this.cloud.clock.now();
    this.cloud.clock.spawn(() => this.run(fn, payload, requestId, queuedAt, 1));
  }

  private async run(fn: LocalFunction, payload: unknown, requestId: string, queuedAt: number, attempt: number, throttles = 0): Promise<void> {
    let result: InvokeResult;
    try {
      result = await this.execute(fn, payload, requestId);
    } catch (error) {
      if (!(error instanceof AwsError) || error.code !== "TooManyRequestsException") throw error;
      // A throttled event stays in Lambda's queue and is tried again until it is too old; throttles
      // do not count as retries.
      const delay = Math.min(1000 * 2 ** throttles, 300_000);
      if (this.cloud.clock.now() - queuedAt + delay <= fn.async.maximumEventAgeInSeconds * 1000) {
        this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.run(fn, payload, requestId, queuedAt, attempt, throttles + 1)));
        return;
      }
      result = { requestId, functionError: { errorType: error.code, errorMessage: error.message } };
      return this.giveUp(fn, payload, requestId, attempt - 1, "EventAgeExceeded", result);
    }
    if (!result.functionError) {
      if (!fn.async.onSuccess) return;
      try {
        await this.sendRecord(fn, fn.async.onSuccess, this.invocationRecord(fn, payload, requestId, attempt, "Success", result));
      } catch (error) {
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.dropped", resource: fn.name, summary: `${fn.name}: the success record could not be sent to ${fn.async.onSuccess}: ${(error as Error).message}`, payload });
      }
      return;
    }
    const age = this.cloud.clock.now() - queuedAt;
    const retriesLeft = attempt <= fn.async.maximumRetryAttempts;
    const delay = ASYNC_RETRY_DELAYS_MS[attempt - 1] ?? ASYNC_RETRY_DELAYS_MS[ASYNC_RETRY_DELAYS_MS.length - 1];
    if (retriesLeft && age + delay <= fn.async.maximumEventAgeInSeconds * 1000) {
      this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.run(fn, payload, requestId, queuedAt, attempt + 1)));
      return;
    }
    await this.giveUp(fn, payload, requestId, attempt, retriesLeft ? "EventAgeExceeded" : "RetriesExhausted", result);
  }

  /** An asynchronous event Lambda stops trying: to the failure destination or DLQ, or dropped. */
  private async giveUp(fn: LocalFunction, payload: unknown, requestId: string, attempts: number, condition: string, result: InvokeResult): Promise<void> {
    const failure = result.functionError!;
    const destination = fn.async.onFailure ?? fn.deadLetterTarget;
    const at = this.cloud.clock.now();
    this.cloud.trace.record({
      at,
      kind: "function.async-failed",
      resource: fn.name,
      summary: `${fn.name}: ${condition} after ${attempts} attempts (${failure.errorType}: ${failure.errorMessage})${destination ? `, sent to ${destination.split(":").pop()}` : ", dropped (no destination)"}`,
      payload,
    });
    try {
      if (fn.async.onFailure) {
        await this.sendRecord(fn, fn.async.onFailure, this.invocationRecord(fn, payload, requestId, attempts, condition, result));
      } else if (fn.deadLetterTarget) {
        await this.cloud.deliver(
          fn.deadLetterTarget,
          {
            body: JSON.stringify(payload),
            attributes: {
              RequestID: { DataType: "String", StringValue: requestId },
              ErrorCode: { DataType: "Number", StringValue: "200" },
              ErrorMessage: { DataType: "String", StringValue: failure.errorMessage },
            },
          },
          { kind: "role", arn: fn.roleArn },
        );
      }
    } catch (error) {
      // The role cannot write its destination (a missing grant): AWS loses the event; say so.
      this.cloud.trace.record({ at, kind: "target.dropped", resource: fn.name, summary: `${fn.name}: the failed event could not be sent to ${destination}: ${(error as Error).message}`, payload });
    }
  }

  /** The invocation record Lambda sends to a destination. */
  private invocationRecord(fn: LocalFunction, payload: unknown, requestId: string, attempts: number, condition: string, result: InvokeResult): InvocationRecord {
    return {
      version: "1.0",
      timestamp: this.cloud.clock.date().toISOString(),
      requestContext: { requestId, functionArn: `${fn.arn}:$LATEST`, condition, approximateInvokeCount: attempts },
      requestPayload: payload,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", ...(result.functionError ? { functionError: "Unhandled" } : {}) },
      responsePayload: result.functionError ?? result.payload,
    };
  }

  /** Destinations are written with the function's execution role, as in AWS. */
  private async sendRecord(fn: LocalFunction, destination: string, record: InvocationRecord): Promise<void> {
    const body = JSON.stringify(record);
    const service = destination.split(":")[2];
    const role: Principal = { kind: "role", arn: fn.roleArn };
    if (service === "events") {
      const outcome = record.requestContext.condition === "Success" ? "Success" : "Failure";
      const events = this.cloud.service<Service & EventBridgeApi>("events");
      await events.putEvents([{ Source: "lambda", DetailType: `Lambda Function Invocation Result - ${outcome}`, Detail: body, EventBusName: destination }], role);
      return;
    }
    await this.cloud.deliver(destination, { body }, role);
  }
}

/** What Lambda sends a destination about one asynchronous invocation. */
interface InvocationRecord {
  version: "1.0";
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload: unknown;
}
