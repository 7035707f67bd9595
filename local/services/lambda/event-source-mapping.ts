import { RANGES } from "@event-routes/aws-model";
import type { GetEventSourceMappingRequest, ListEventSourceMappingsRequest } from "@aws-sdk/client-lambda";
import { z } from "zod";
import { type TextNumbersWire, tiedTo, type Wire } from "../../common/sdk-shape";
import { AwsError, DeployError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Service } from "../../cloud";
import type { RegisteredResource } from "../../resource-graph";
import { operation, type Operation } from "../../common/operation";
import type { LambdaApi } from "../contracts";
import type { SqsService } from "../sqs/service";
import type { Queue } from "../sqs/queue";
import { type MappingSpec, type MappingStats, sqsMappingSpec, validation } from "./mapping-spec";
import { lambdaPage, LambdaPageQuery } from "./paging";
import { SqsPoller } from "./sqs-poller";

export { DEFAULT_MAXIMUM_CONCURRENCY } from "./mapping-spec";

const RESOURCE_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";

const ListEventSourceMappingsInput = tiedTo<Wire<ListEventSourceMappingsRequest, TextNumbersWire>>()(z.object({ EventSourceArn: z.string().optional(), FunctionName: z.string().optional(), ...LambdaPageQuery }));
const GetEventSourceMappingInput = tiedTo<Wire<GetEventSourceMappingRequest>>()(z.object({ UUID: z.string() }));

/**
 * Lambda event source mappings for SQS queues: the poller AWS runs for a mapping, driven by the
 * queue's "message available" notification instead of polling. It receives batches of up to
 * `batchSize` (waiting up to `maximumBatchingWindowInSeconds` of cloud time for a full batch),
 * invokes the function with Lambda's SQS event, deletes what succeeded and leaves the rest to come
 * back after the queue's visibility timeout, where the queue's redrive policy applies.
 * FIFO queues keep their order: a message group with a batch in flight gives no other batch.
 *
 * Mappings for other sources (Kinesis, DynamoDB streams) are counted as not emulated.
 */
export class EventSourceMappingService implements Service {
  readonly namespace = "lambda-esm";
  readonly resourceTypes = [RESOURCE_TYPE];
  private readonly specs: MappingSpec[] = [];
  private readonly pollers = new Map<string, SqsPoller>();

  constructor(private readonly cloud: LocalCloud) {}

  /**
   * The read API of mappings, authorized as lambda:<Action> (GetEventSourceMapping on the mapping's
   * ARN, ListEventSourceMappings on "*": https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html).
   */
  readonly operations: Record<string, Operation> = {
    "Lambda.ListEventSourceMappings": operation(ListEventSourceMappingsInput, (query, caller) => {
      authorizeOrThrow(this.cloud, caller, "lambda:ListEventSourceMappings", "*");
      const lambda = this.cloud.service<LambdaApi & Service>("lambda");
      const functionArn = query.FunctionName === undefined ? undefined : lambda.functionArn(query.FunctionName);
      const selected = this.specs.filter(
        (spec) => (query.EventSourceArn === undefined || spec.eventSourceArn === query.EventSourceArn) && (query.FunctionName === undefined || lambda.functionArn(spec.functionRef) === functionArn),
      );
      const { page, next } = lambdaPage(selected, query);
      return { EventSourceMappings: page.map((spec) => this.configurationOf(spec)), ...(next ? { NextMarker: next } : {}) };
    }),
    "Lambda.GetEventSourceMapping": operation(GetEventSourceMappingInput, ({ UUID }, caller) => {
      authorizeOrThrow(this.cloud, caller, "lambda:GetEventSourceMapping", this.cloud.arn("lambda", `event-source-mapping:${UUID}`));
      const spec = this.specs.find((candidate) => candidate.uuid === UUID);
      if (!spec) throw new AwsError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
      return this.configurationOf(spec);
    }),
  };

  /** EventSourceMappingConfiguration, as the read API answers it. */
  private configurationOf(spec: MappingSpec) {
    const inputs = spec.resource.inputs;
    return {
      UUID: spec.uuid,
      EventSourceMappingArn: this.cloud.arn("lambda", `event-source-mapping:${spec.uuid}`),
      EventSourceArn: spec.eventSourceArn,
      FunctionArn: this.cloud.service<LambdaApi & Service>("lambda").functionArn(spec.functionRef) ?? spec.functionRef,
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.windowSeconds,
      State: spec.enabled ? "Enabled" : "Disabled",
      StateTransitionReason: "USER_INITIATED",
      FunctionResponseTypes: spec.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
      ...(inputs.scalingConfig?.maximumConcurrency ? { ScalingConfig: { MaximumConcurrency: inputs.scalingConfig.maximumConcurrency } } : {}),
      ...(inputs.filterCriteria?.filters ? { FilterCriteria: { Filters: (inputs.filterCriteria.filters as { pattern?: string }[]).map((filter) => ({ Pattern: filter.pattern })) } } : {}),
    };
  }

  materialize(resource: RegisteredResource): void {
    const { inputs } = resource;
    const eventSourceArn: string | undefined = inputs.eventSourceArn;
    if (!eventSourceArn) throw new AwsError("InvalidParameterValueException", "Unrecognized event source, must be kafka, MQ or have an event source arn.");
    if (!inputs.functionName) throw validation("functionName", inputs.functionName, "Member must not be null");
    const service = eventSourceArn.split(":")[2];
    if (service !== "sqs") {
      const key = `${RESOURCE_TYPE} (${service} source)`;
      this.cloud.notEmulated.set(key, (this.cloud.notEmulated.get(key) ?? 0) + 1);
      return;
    }
    this.specs.push(sqsMappingSpec(resource, eventSourceArn));
  }

  /** Checks each mapping as CreateEventSourceMapping does against its queue and function, then starts polling. */
  start(): void {
    const sqs = this.cloud.service<SqsService & Service>("sqs");
    const lambda = this.cloud.service<LambdaApi & Service>("lambda");
    for (const spec of this.specs) {
      if (this.pollers.has(spec.uuid)) continue;
      let queue: Queue;
      try {
        queue = this.validate(spec, sqs, lambda);
      } catch (error) {
        throw new DeployError(spec.resource, error as Error);
      }
      const poller = new SqsPoller(this.cloud, spec, queue, lambda);
      this.pollers.set(spec.uuid, poller);
      if (spec.enabled) poller.start();
    }
  }

  async stop(): Promise<void> {
    for (const poller of this.pollers.values()) poller.stop();
  }

  /** The mappings, by UUID, with their resource names and counters. */
  mappings(): { uuid: string; name: string; eventSourceArn: string; functionRef: string; enabled: boolean; stats: MappingStats }[] {
    return [...this.pollers.values()].map((poller) => ({
      uuid: poller.spec.uuid,
      name: poller.spec.resource.name,
      eventSourceArn: poller.spec.eventSourceArn,
      functionRef: poller.spec.functionRef,
      enabled: poller.spec.enabled,
      stats: poller.stats,
    }));
  }

  /** The counters of a mapping, by UUID or resource name. */
  stats(ref: string): MappingStats {
    return this.poller(ref).stats;
  }

  /** UpdateEventSourceMapping's `Enabled`: a disabled mapping stops receiving; batches in flight finish. */
  setEnabled(ref: string, enabled: boolean): void {
    const poller = this.poller(ref);
    poller.spec.enabled = enabled;
    if (enabled) poller.start();
    else poller.stop();
  }

  private poller(ref: string): SqsPoller {
    const poller = this.pollers.get(ref) ?? [...this.pollers.values()].find((candidate) => candidate.spec.resource.name === ref);
    if (!poller) throw new AwsError("ResourceNotFoundException", `The resource you requested does not exist. (Service: Lambda, event source mapping ${ref})`, 404);
    return poller;
  }

  private validate(spec: MappingSpec, sqs: SqsService, lambda: LambdaApi): Queue {
    const queue = sqs.queueByArn(spec.eventSourceArn);
    if (!queue) {
      throw new AwsError(
        "InvalidParameterValueException",
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
      );
    }
    const functionArn = lambda.functionArn(spec.functionRef);
    if (!functionArn) throw new AwsError("ResourceNotFoundException", `Function not found: ${spec.functionRef}`, 404);
    const role = lambda.roleOf(spec.functionRef);
    for (const action of ["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"]) {
      const allowed = role !== undefined && this.cloud.iam.authorize({ kind: "role", arn: role }, `sqs:${action}`, queue.arn, { "aws:SecureTransport": "true" }).allowed;
      if (!allowed) throw new AwsError("InvalidParameterValueException", `The provided execution role does not have permissions to call ${action} on SQS`);
    }
    const timeout = lambda.timeoutSecondsOf?.(spec.functionRef);
    if (timeout !== undefined && queue.config.visibilityTimeoutSeconds < timeout) {
      throw new AwsError("InvalidParameterValueException", `Queue visibility timeout: ${queue.config.visibilityTimeoutSeconds} seconds is less than Function timeout: ${timeout} seconds`);
    }
    if (queue.fifo) {
      if (spec.batchSize > RANGES.lambda.fifoQueueBatchSize.max) throw new AwsError("InvalidParameterValueException", `Batch size must be between 1 and ${RANGES.lambda.fifoQueueBatchSize.max} for FIFO queues.`);
      if (spec.windowSeconds > 0) throw new AwsError("InvalidParameterValueException", "Batching window is not supported for FIFO queues.");
    }
    return queue;
  }
}
