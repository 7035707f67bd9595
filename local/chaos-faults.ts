import { AwsError, LostAnswerError } from "./aws-error";
import type { LocalCloud } from "./cloud";

/**
 * The outage a chaos run injects: a share of the AWS calls that functions make through the
 * endpoint is answered with a retryable error, as AWS answers under load or in a partial outage.
 * Which error kinds, which operations and which functions are the run's choice; the draws come
 * from a seeded generator, so a seed always fails the same share of calls (which call gets which
 * draw depends on timing, as it does in AWS).
 */

/**
 * `throttling` and `5xx` are refused before the service acts. `lost-answer` is a 5xx the caller
 * gets after the service acted (the answer was lost), so the SDK's retry repeats an operation that
 * already happened: it measures what exactly-once costs where a service has no deduplication.
 */
export type ErrorKind = "throttling" | "5xx" | "lost-answer";
export const ERROR_KINDS: readonly ErrorKind[] = ["throttling", "5xx", "lost-answer"];
/** What a chaos run injects unless told otherwise: errors refused before the service acted. */
export const DEFAULT_ERROR_KINDS: readonly ErrorKind[] = ["throttling", "5xx"];

/**
 * The retryable errors each service answers with, by the prefix of its protocol target.
 * - DynamoDB: ProvisionedThroughputExceededException, ThrottlingException and RequestLimitExceeded
 *   (400) when throttled; InternalServerError (500) and ServiceUnavailable (503) on its side
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 * - EventBridge PutEvents: InternalException (500), and the common ThrottlingException (400) and
 *   ServiceUnavailable (503) (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
 * - Every other service: the common errors ThrottlingException (400), InternalFailure (500) and
 *   ServiceUnavailable (503) (https://docs.aws.amazon.com/sqs/latest/APIReference/CommonErrors.html).
 */
const CATALOGUE: { prefix: string; throttling: [string, number][]; "5xx": [string, number][] }[] = [
  {
    prefix: "DynamoDB_20120810.",
    throttling: [["ProvisionedThroughputExceededException", 400], ["ThrottlingException", 400], ["RequestLimitExceeded", 400]],
    "5xx": [["InternalServerError", 500], ["ServiceUnavailable", 503]],
  },
  { prefix: "AWSEvents.", throttling: [["ThrottlingException", 400]], "5xx": [["InternalException", 500], ["ServiceUnavailable", 503]] },
  { prefix: "", throttling: [["ThrottlingException", 400]], "5xx": [["InternalFailure", 500], ["ServiceUnavailable", 503]] },
];

/** A retryable error of `kind`, as the service of `operation` names it. */
export function retryableError(operation: string, kind: ErrorKind, pick: number): AwsError {
  const service = CATALOGUE.find((entry) => operation.startsWith(entry.prefix))!;
  const choices = service[kind === "throttling" ? "throttling" : "5xx"];
  const [code, status] = choices[Math.min(choices.length - 1, Math.floor(pick * choices.length))];
  if (kind === "lost-answer") return new LostAnswerError(code, "The request was processed, but its answer was lost (injected by the chaos run)", status);
  const message = kind === "throttling" ? "Rate exceeded (injected by the chaos run)" : "We encountered an internal error. Please try again. (injected by the chaos run)";
  return new AwsError(code, message, status);
}

/** mulberry32: a small, fast generator of numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface FaultMix {
  /** Share of the matching calls that fail, from 0 to 1. */
  rate: number;
  kinds: readonly ErrorKind[];
  /** Protocol targets or prefixes ending in `*` (`DynamoDB_20120810.*`, `AWSEvents.PutEvents`). */
  operations: readonly string[];
  /** Function names (the stack's prefix may be left out); empty: every function. */
  functions: readonly string[];
}

export interface Outage {
  /** Faults injected so far, by operation and error code. */
  readonly injected: Map<string, number>;
  /** Ends the outage: every call succeeds again. */
  end(): void;
}

/**
 * Starts the outage in `cloud`; `roles` maps the deployment's function names to their role ARNs.
 * Throws, naming the problem, if an operation or a function does not exist.
 */
export function startOutage(cloud: LocalCloud, mix: FaultMix, random: () => number, roles: ReadonlyMap<string, string>): Outage {
  const known = [...cloud.operations().keys()];
  for (const operation of mix.operations) {
    const matching = known.filter((target) => (operation.endsWith("*") ? target.startsWith(operation.slice(0, -1)) : target === operation));
    if (matching.length === 0) throw new Error(`--operations: "${operation}" names no operation of the local endpoint (e.g. DynamoDB_20120810.PutItem, AWSEvents.PutEvents, DynamoDB_20120810.*)`);
  }
  const callers = mix.functions.length === 0 ? [cloud.arn("iam", "role/*", false)] : mix.functions.map((name) => roleOf(roles, name));
  const injected = new Map<string, number>();
  const error = (operation: string) => {
    const kind = mix.kinds[Math.floor(random() * mix.kinds.length)];
    const failure = retryableError(operation, kind, random());
    const key = `${operation} ${failure.code}${failure instanceof LostAnswerError ? "(answer-lost)" : ""}`;
    injected.set(key, (injected.get(key) ?? 0) + 1);
    return failure;
  };
  const heals = callers.flatMap((caller) => mix.operations.map((operation) => cloud.injectFault({ operation, caller, rate: mix.rate, random, error })));
  return { injected, end: () => heals.forEach((heal) => heal()) };
}

function roleOf(roles: ReadonlyMap<string, string>, name: string): string {
  const role = roles.get(name) ?? [...roles].find(([candidate]) => candidate.endsWith(`-${name}`))?.[1];
  if (!role) throw new Error(`--functions: there is no function "${name}" in the stack (its functions: ${[...roles.keys()].join(", ")})`);
  return role;
}
