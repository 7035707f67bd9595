import { RANGES } from "@event-routes/aws-model";
import { compileEventPattern, type EventPatternMatcher } from "@event-routes/event-pattern";
import { AwsError } from "../../aws-error";
import type { RegisteredResource } from "../../resource-graph";

/**
 * AWS scales an SQS mapping without `scalingConfig` up to 1,250 concurrent invocations; locally a
 * mapping without one runs at most this many batches at once, so a backlog cannot flood a laptop.
 */
export const DEFAULT_MAXIMUM_CONCURRENCY = 5;

export interface MappingStats {
  batchesInvoked: number;
  recordsProcessed: number;
  /** Records deleted after their batch (or their item) succeeded. */
  recordsSucceeded: number;
  /** Batches that failed whole: a function error or timeout, an invoke error, an invalid partial response. */
  batchFailures: number;
  /** Records a partial batch response reported as failed. */
  itemFailures: number;
  /** Records deleted because no filter matched them. */
  filteredOut: number;
  /** Invocations the Lambda service refused (throttling, missing function). */
  invokeErrors: number;
  peakConcurrency: number;
}

export interface MappingSpec {
  readonly resource: RegisteredResource;
  readonly uuid: string;
  readonly eventSourceArn: string;
  readonly functionRef: string;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maximumConcurrency: number;
  readonly filters: EventPatternMatcher[];
  enabled: boolean;
}

/**
 * The mapping an `aws:lambda/eventSourceMapping:EventSourceMapping` resource for an SQS queue
 * describes, its settings checked as CreateEventSourceMapping checks them
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
 */
export function sqsMappingSpec(resource: RegisteredResource, eventSourceArn: string): MappingSpec {
  const { inputs, state } = resource;
  const batchSize = inputs.batchSize === undefined || inputs.batchSize === null ? 10 : Number(inputs.batchSize);
  const { batchSize: batch, maximumBatchingWindowSeconds: window, maximumConcurrency: concurrency, filters } = RANGES.lambda;
  if (!Number.isInteger(batchSize) || batchSize < batch.min) throw validation("batchSize", inputs.batchSize, `Member must have value greater than or equal to ${batch.min}`);
  if (batchSize > batch.max) throw validation("batchSize", batchSize, `Member must have value less than or equal to ${batch.max}`);
  const windowSeconds = Number(inputs.maximumBatchingWindowInSeconds ?? 0);
  if (!Number.isInteger(windowSeconds) || windowSeconds < window.min || windowSeconds > window.max) {
    const constraint = windowSeconds < window.min ? `greater than or equal to ${window.min}` : `less than or equal to ${window.max}`;
    throw validation("maximumBatchingWindowInSeconds", inputs.maximumBatchingWindowInSeconds, `Member must have value ${constraint}`);
  }
  if (batchSize > 10 && windowSeconds < 1) {
    throw new AwsError("InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  }
  const responseTypes: unknown[] = inputs.functionResponseTypes ?? [];
  for (const type of responseTypes) {
    if (type !== "ReportBatchItemFailures") throw validation("functionResponseTypes", type, "Member must satisfy enum value set: [ReportBatchItemFailures]");
  }
  const maximumConcurrency: unknown = inputs.scalingConfig?.maximumConcurrency;
  if (maximumConcurrency !== undefined && maximumConcurrency !== null) {
    if (!Number.isInteger(maximumConcurrency) || (maximumConcurrency as number) < concurrency.min) {
      throw validation("scalingConfig.maximumConcurrency", maximumConcurrency, `Member must have value greater than or equal to ${concurrency.min}`);
    }
    if ((maximumConcurrency as number) > concurrency.max) {
      throw validation("scalingConfig.maximumConcurrency", maximumConcurrency, `Member must have value less than or equal to ${concurrency.max}`);
    }
  }
  return {
    resource,
    uuid: state.uuid ?? resource.id,
    eventSourceArn,
    functionRef: inputs.functionName,
    batchSize,
    windowSeconds,
    reportBatchItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    maximumConcurrency: typeof maximumConcurrency === "number" ? maximumConcurrency : DEFAULT_MAXIMUM_CONCURRENCY,
    filters: compileFilters(inputs.filterCriteria, filters.max),
    enabled: inputs.enabled !== false,
  };
}

/** FilterCriteria patterns are EventBridge patterns; at most `max` filters per mapping (5 by default, RANGES.lambda.filters). */
function compileFilters(filterCriteria: unknown, max: number): EventPatternMatcher[] {
  const filters: unknown[] = (filterCriteria as { filters?: unknown[] } | undefined)?.filters ?? [];
  if (filters.length > max) throw new AwsError("InvalidParameterValueException", `The number of filters exceeds the limit of ${max} per event source mapping.`);
  return filters.map((filter) => {
    try {
      return compileEventPattern((filter as { pattern?: unknown } | null)?.pattern);
    } catch {
      throw new AwsError("InvalidParameterValueException", "Invalid filter pattern definition.");
    }
  });
}

export function validation(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError("ValidationException", `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}
