import * as z from "zod";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";

/** One problem found while validating an event or a message, located by its field path. */
export interface ValidationIssue {
  /** Dotted path from the root of what was validated, e.g. `detail.customer.email`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown when an event (or a workflow message) does not match its contract.
 * The message names the event and every bad field path, so a DLQ entry or a
 * failed Step Functions task says exactly what was wrong.
 */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";

  constructor(
    /** What was being validated, e.g. `dealership.sales/OrderPlaced`. */
    readonly eventName: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `Invalid ${eventName}: ` +
        issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; "),
    );
  }
}

/** The EventBridge event envelope, as delivered to Lambda or written by EventBridge into SQS. */
export interface EventBridgeEnvelope<
  TDetail,
  TSource extends string = string,
  TDetailType extends string = string,
> {
  version?: string;
  id: string;
  "detail-type": TDetailType;
  source: TSource;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail: TDetail;
}

/** Every event detail is versioned; a consumer of v1 rejects anything else. */
export interface VersionedDetail {
  version: "1";
}

export interface EventContract<TSource extends string, TDetailType extends string, TDetail> {
  readonly source: TSource;
  readonly detailType: TDetailType;
  /** `source/detail-type`, used in logs and error messages. */
  readonly name: `${TSource}/${TDetailType}`;
  readonly schema: z.ZodType<TDetail>;
  /** The EventBridge pattern matching exactly this event (extend it, don't retype it). */
  readonly pattern: { readonly source: [TSource]; readonly "detail-type": [TDetailType] };
  /** Validates a detail; throws {@link InvalidEventError} naming the bad field paths. */
  parseDetail(input: unknown): TDetail;
  /** Validates a whole EventBridge event (envelope, source, detail-type and detail). */
  parseEvent(input: unknown): EventBridgeEnvelope<TDetail, TSource, TDetailType>;
  /** True when the input claims to be this event (source and detail-type match); no detail check. */
  matches(input: unknown): boolean;
  /** A validated PutEvents entry for `@aws-sdk/client-eventbridge`. */
  entry(detail: TDetail, busName: string): PutEventsRequestEntry;
}

/** Formats a path such as `["customer", "email"]` or `["services", 0]` as `customer.email` / `services[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    const name = String(key);
    return acc ? `${acc}.${name}` : name;
  }, "");
}

export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws {@link InvalidEventError} for `name`. */
export function parseWith<T>(
  name: string,
  schema: z.ZodType<T>,
  input: unknown,
  pathPrefix: readonly PropertyKey[] = [],
): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidEventError(name, issuesOf(result.error, pathPrefix));
  return result.data;
}

/**
 * Declares one event contract. `source` and `detailType` keep their string
 * literal types, so rule patterns built from a contract can't contain a typo.
 */
export function defineEvent<
  const TSource extends string,
  const TDetailType extends string,
  TSchema extends z.ZodType<VersionedDetail>,
>(definition: {
  source: TSource;
  detailType: TDetailType;
  schema: TSchema;
}): EventContract<TSource, TDetailType, z.output<TSchema>> {
  type TDetail = z.output<TSchema>;
  const { source, detailType } = definition;
  const schema = definition.schema as unknown as z.ZodType<TDetail>;
  const name = `${source}/${detailType}` as const;

  const envelopeSchema = z.object({
    version: z.string().optional(),
    id: z.string().min(1),
    "detail-type": z.literal(detailType),
    source: z.literal(source),
    account: z.string().optional(),
    time: z.string().optional(),
    region: z.string().optional(),
    resources: z.array(z.string()).optional(),
    detail: schema,
  });

  return {
    source,
    detailType,
    name,
    schema,
    pattern: { source: [source], "detail-type": [detailType] },
    parseDetail: (input) => parseWith(name, schema, input, ["detail"]),
    parseEvent: (input) =>
      parseWith(name, envelopeSchema, input) as EventBridgeEnvelope<TDetail, TSource, TDetailType>,
    matches: (input) =>
      typeof input === "object" &&
      input !== null &&
      (input as Record<string, unknown>).source === source &&
      (input as Record<string, unknown>)["detail-type"] === detailType,
    entry: (detail, busName) => ({
      EventBusName: busName,
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify(parseWith(name, schema, detail, ["detail"])),
    }),
  };
}
