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
  /** The request carries data as it is (Lambda's Invoke payload): its nulls are values, not absent members. */
  readonly keepNulls?: boolean;
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
  options: { invalid?: (problem: ShapeProblem) => AwsError; keepNulls?: boolean } = {},
): Operation<Input> {
  return { input, run, ...options };
}

/** Checks a request against the operation's shape; throws the 400 AWS would answer with. */
export function parseRequest<Input>(operation: Operation<Input>, body: unknown): Input {
  const request = operation.keepNulls ? body : withoutNullMembers(body);
  const parsed = operation.input.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String).join(".");
  // Missing is decided on the request itself: zod words an absent member of a union type as a
  // union mismatch, not as a missing value. A null left in a list (`Entries: [null]`) is missing too.
  const found = valueAt(request, issue.path);
  const missing = found === undefined || found === null;
  const problem: ShapeProblem = { path, missing, wrongType: !missing && (issue.code === "invalid_type" || issue.code === "invalid_union"), message: issue.message };
  if (operation.invalid) throw operation.invalid(problem);
  throw jsonShapeError(problem);
}

/**
 * The request with every object member whose value is null left out, at any depth: the JSON
 * protocols read a null member as an absent one, so an optional member sent as null takes its
 * default. Nulls inside lists stay (an entry that is null is refused).
 */
function withoutNullMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (value === null || typeof value !== "object") return value;
  const kept: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) kept[key] = withoutNullMembers(member);
  return kept;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** How a service names members and codes in its shape errors; the default is AWS's JSON protocols'. */
export interface ShapeWording {
  /** The member as a validation message names it (DynamoDB and Kinesis: lower camel case). Default: the path as sent. */
  member?: (path: string) => string;
  /** Default: `ValidationException`. */
  validation?: string;
  /** Default: `SerializationException`. */
  serialization?: string;
}

/**
 * The JSON protocols' wording: a missing member is a ValidationException naming it, a member of
 * the wrong JSON type a SerializationException, anything else (a length, a range) a ValidationException.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
export function jsonShapeError(problem: ShapeProblem, wording: ShapeWording = {}): AwsError {
  const member = (wording.member ?? ((path: string) => path))(problem.path);
  const validation = wording.validation ?? "ValidationException";
  if (problem.missing) return new AwsError(validation, missingMemberMessage(member));
  // A serialization error names the member as it was sent.
  if (problem.wrongType) return new AwsError(wording.serialization ?? "SerializationException", `${problem.path || "the request"}: ${problem.message}`);
  return new AwsError(validation, `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${problem.message}`);
}

/** AWS's validation message for a required member that is absent. */
export function missingMemberMessage(member: string): string {
  return `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`;
}

/** A member path in lower camel case, as DynamoDB, Kinesis and SNS name members (`Entries.0.Detail` -> `entries.0.detail`). */
export function lowerCamelPath(path: string, item: (index: number) => string = String): string {
  return path
    .split(".")
    .map((segment) => (/^\d+$/.test(segment) ? item(Number(segment)) : segment.charAt(0).toLowerCase() + segment.slice(1)))
    .join(".");
}
