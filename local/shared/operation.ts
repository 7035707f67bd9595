import { z } from "zod";
import { AwsError } from "../aws-error";
import type { Principal } from "../iam";

/**
 * One operation the endpoint serves: the shape of the request it takes, and what it does with a
 * request of that shape. The endpoint checks the shape before `run` sees the request, so a
 * malformed request is the caller's 400 and anything `run` throws that is not an {@link AwsError}
 * is a fault of the emulator (500 InternalFailure), never blamed on the caller.
 */
export interface Operation<Input = unknown> {
  readonly input: z.ZodType<Input>;
  run(input: Input, caller: Principal): unknown;
  /** How this service words a request that does not have the shape (SQS and SNS have codes of their own). */
  readonly invalid?: (problem: ShapeProblem) => AwsError;
}

/** The first thing wrong with a request's shape: where (`Entries.0.Detail`) and what. */
export interface ShapeProblem {
  readonly path: string;
  /** The member is required and absent. */
  readonly missing: boolean;
  /** The member has the wrong JSON type (a string where a number belongs). */
  readonly wrongType: boolean;
  readonly message: string;
}

/** An operation whose handler receives the request as `input` parses it (types inferred from the schema). */
export function operation<Input>(
  input: z.ZodType<Input>,
  run: (input: Input, caller: Principal) => unknown,
  options: { invalid?: (problem: ShapeProblem) => AwsError } = {},
): Operation<Input> {
  return { input, run, invalid: options.invalid };
}

/** Checks a request against the operation's shape; throws the 400 AWS would answer with. */
export function parseRequest<Input>(operation: Operation<Input>, body: unknown): Input {
  const parsed = operation.input.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String).join(".");
  // zod reports no input with an issue (unless asked to): look the member up in the request.
  const missing = issue.code === "invalid_type" && valueAt(body, issue.path) === undefined;
  const problem: ShapeProblem = { path, missing, wrongType: issue.code === "invalid_type" && !missing, message: issue.message };
  if (operation.invalid) throw operation.invalid(problem);
  return awsJsonShapeError(problem);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/**
 * The JSON protocols' wording: a missing member is a ValidationException naming it, a member of
 * the wrong JSON type a SerializationException, anything else (a length, a range) a ValidationException.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
function awsJsonShapeError(problem: ShapeProblem): never {
  if (problem.missing) throw new AwsError("ValidationException", `1 validation error detected: Value null at '${problem.path}' failed to satisfy constraint: Member must not be null`);
  if (problem.wrongType) throw new AwsError("SerializationException", `${problem.path || "the request"}: ${problem.message}`);
  throw new AwsError("ValidationException", `1 validation error detected: Value at '${problem.path}' failed to satisfy constraint: ${problem.message}`);
}
