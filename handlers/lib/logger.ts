import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

/**
 * The handlers' logger: Powertools Logger, one JSON line per entry (level, message, timestamp,
 * service from POWERTOOLS_SERVICE_NAME, the Lambda context once a handler added it, then fields),
 * at the level of POWERTOOLS_LOG_LEVEL or LOG_LEVEL (default INFO); errors with name, location,
 * message, stack and cause. WARN and ERROR go to stderr, the others to stdout.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/
 *
 * Secrets are redacted at any depth (Powertools has none of its own): the JSON replacer, which
 * Powertools applies to every key of every entry (fields, errors' own properties, persistent keys),
 * replaces them, so a payment token never reaches a log line.
 */

const SECRET_KEYS = new Set(["paymenttoken", "authorization", "password"]);
export const REDACTED = "[REDACTED]";

/** JSON replacer: the value of a secret key, wherever it is, becomes {@link REDACTED}. */
export function redactSecrets(key: string, value: unknown): unknown {
  return SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : value;
}

// The service name of a function deployed without POWERTOOLS_SERVICE_NAME stays "dealership" (Powertools' own is "service_undefined").
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || "dealership", jsonReplacerFn: redactSecrets });

/**
 * Adds the invocation's Lambda context (function name, request id, cold start, ARN, memory) to
 * every entry it logs, as Powertools' injectLambdaContext does for class handlers. A handler
 * invoked without a context (a test calling it directly) logs without.
 */
export function withLogContext<A extends [event: unknown, context?: Context], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => {
    const context = args[1];
    if (context) logger.addContext(context);
    return handler(...args);
  };
}
