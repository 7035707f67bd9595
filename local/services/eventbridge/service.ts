import { randomUUID } from "crypto";
import { RANGES } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Service } from "../../cloud";
import { parsePolicy, type Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { Operation } from "../../common/operation";
import type { EventBridgeApi, PutEventsResult } from "../contracts";
import { Replays } from "./archives";
import { DEFAULT_RETRY, TargetDelivery } from "./delivery";
import { compileTargetInput, parsePath } from "./input-transformer";
import { compilePattern, EMULATED_TARGETS, type Archive, type Bus, type BusStats, type EventBridgeEvent, type Rule } from "./model";
import { eventBridgeOperations } from "./operations";
import { checkRequest, entryProblem, eventOf } from "./put-events";
import type { PutEventsEntry, StartReplayInput } from "./wire";


/**
 * EventBridge: custom buses and their rules, with the full pattern language of
 * @event-routes/event-pattern, input transformers (./input-transformer.ts), retry policies with
 * backoff and maximum event age, dead-letter queues with AWS's error attributes (./delivery.ts),
 * bus-to-bus delivery, archives and replay (./archives.ts). Each target is delivered to as AWS
 * does: as `events.amazonaws.com` for the rule (resource policies decide) or as the target's role.
 * The endpoint's operations are in ./operations.ts, their request shapes in ./wire.ts.
 */
export class EventBridgeService implements Service, EventBridgeApi {
  readonly namespace = "events";
  readonly resourceTypes = [
    "aws:cloudwatch/eventBus:EventBus",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/eventArchive:EventArchive",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
  ] as const;
  readonly stats: BusStats = { accepted: 0, rejected: 0, unmatched: 0, deliveries: 0, retries: 0, deadLettered: 0, dropped: 0 };
  /** Targets of services the local cloud does not run (API destinations, ECS ...): listed by the CLI. */
  readonly unemulatedTargets: string[] = [];
  /** Rules with a schedule expression: deployed, never fired locally (listed by the CLI). */
  readonly scheduledRules: string[] = [];
  readonly operations: Record<string, Operation>;
  private readonly buses = new Map<string, Bus>();
  private readonly delivery: TargetDelivery;
  private readonly replays: Replays;

  constructor(readonly cloud: LocalCloud) {
    this.addBus("default");
    this.delivery = new TargetDelivery(cloud, this.stats);
    this.replays = new Replays(cloud, this);
    this.operations = eventBridgeOperations(this);
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    switch (resource.type) {
      case "aws:cloudwatch/eventBus:EventBus":
        if (inputs.eventSourceName) throw new AwsError("ValidationException", "partner event sources cannot be emulated locally");
        this.addBus(state.name, state.arn);
        return;
      case "aws:cloudwatch/eventRule:EventRule": {
        const bus = this.bus(inputs.eventBusName);
        if (!inputs.eventPattern && !inputs.scheduleExpression) throw new AwsError("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.");
        const rule: Rule = {
          name: state.name,
          arn: state.arn,
          bus,
          pattern: inputs.eventPattern,
          schedule: inputs.scheduleExpression,
          enabled: inputs.state ? inputs.state !== "DISABLED" : inputs.isEnabled !== false,
          description: inputs.description,
          roleArn: inputs.roleArn,
          targets: [],
        };
        if (rule.pattern) rule.matcher = compilePattern(rule.pattern);
        if (rule.schedule) this.scheduledRules.push(`${rule.name} (${rule.schedule})`);
        if (bus.rules.some((other) => other.name === rule.name)) throw new AwsError("ResourceAlreadyExistsException", `Rule ${rule.name} already exists on EventBus ${bus.name}.`);
        bus.rules.push(rule);
        return;
      }
      case "aws:cloudwatch/eventTarget:EventTarget": {
        const rule = this.rule(inputs.rule, inputs.eventBusName);
        if (rule.targets.length >= RANGES.eventbridge.targetsPerRule.max) {
          throw new AwsError("LimitExceededException", `The requested resource exceeds the maximum number allowed (${RANGES.eventbridge.targetsPerRule.max} targets per rule ${rule.name}).`);
        }
        if (rule.targets.some((target) => target.id === inputs.targetId)) throw new AwsError("ValidationException", `Target id ${inputs.targetId} is used twice on rule ${rule.name}`);
        const where = `target ${inputs.targetId} of rule ${rule.name}`;
        const service = String(inputs.arn).split(":")[2];
        // Other target kinds deploy, are listed in a warning, and drop what they are sent (traced).
        if (!EMULATED_TARGETS.has(service)) this.unemulatedTargets.push(`${where} (${service})`);
        if (["states", "kinesis", "events"].includes(service) && !inputs.roleArn) {
          throw new AwsError("ValidationException", `${where}: RoleArn is required for target arn ${inputs.arn}.`);
        }
        const settings: Record<string, unknown> = {};
        if (inputs.input !== undefined) settings.Input = inputs.input;
        if (inputs.inputPath !== undefined) settings.InputPath = inputs.inputPath;
        if (inputs.inputTransformer) settings.InputTransformer = { InputPathsMap: inputs.inputTransformer.inputPaths, InputTemplate: inputs.inputTransformer.inputTemplate };
        if (inputs.retryPolicy) settings.RetryPolicy = { MaximumRetryAttempts: inputs.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: inputs.retryPolicy.maximumEventAgeInSeconds };
        if (inputs.deadLetterConfig?.arn) settings.DeadLetterConfig = { Arn: inputs.deadLetterConfig.arn };
        rule.targets.push({
          id: inputs.targetId,
          arn: inputs.arn,
          roleArn: inputs.roleArn,
          settings,
          render: compileTargetInput({ input: inputs.input, inputPath: inputs.inputPath, inputTransformer: inputs.inputTransformer }, where),
          retry: {
            maximumRetryAttempts: inputs.retryPolicy?.maximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
            maximumEventAgeInSeconds: inputs.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeInSeconds,
          },
          deadLetterArn: inputs.deadLetterConfig?.arn,
          messageGroupId: inputs.sqsTarget?.messageGroupId,
          partitionKeyPath: inputs.kinesisTarget?.partitionKeyPath ? parsePath(inputs.kinesisTarget.partitionKeyPath, `${where}: PartitionKeyPath`) : undefined,
        });
        return;
      }
      case "aws:cloudwatch/eventArchive:EventArchive": {
        const bus = this.bus(inputs.eventSourceArn);
        bus.archives.push({
          name: state.name,
          arn: state.arn,
          bus,
          pattern: inputs.eventPattern,
          matcher: inputs.eventPattern ? compilePattern(inputs.eventPattern) : undefined,
          retentionDays: inputs.retentionDays ?? 0,
          events: [],
        });
        return;
      }
      case "aws:cloudwatch/eventBusPolicy:EventBusPolicy": {
        const bus = this.bus(inputs.eventBusName);
        this.cloud.iam.putResourcePolicy(bus.arn, "bus-policy", parsePolicy(inputs.policy, `event bus policy of ${bus.name}`));
        return;
      }
    }
  }

  start(): void {
    for (const bus of this.buses.values()) {
      for (const rule of bus.rules) {
        for (const target of rule.targets) {
          if (target.deadLetterArn && !target.deadLetterArn.includes(":sqs:")) {
            throw new AwsError("ValidationException", `target ${target.id} of rule ${rule.name}: the dead-letter queue must be an SQS queue (${target.deadLetterArn})`);
          }
        }
      }
    }
  }

  /** PutEvents: validates and authorizes each entry, then routes the accepted ones. */
  async putEvents(entries: PutEventsEntry[], from: Principal): Promise<PutEventsResult> {
    checkRequest(entries);
    const results: PutEventsResult["Entries"] = [];
    const accepted: { bus: Bus; event: EventBridgeEvent }[] = [];
    for (const entry of entries) {
      const problem = entryProblem(entry);
      const bus = problem ? undefined : this.findBus(entry.EventBusName);
      if (problem || !bus) {
        const error = problem ?? { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
        results.push(error);
        this.stats.rejected++;
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "event.rejected", resource: entry.EventBusName ?? "default", summary: `rejected ${entry.DetailType ?? "(no detail-type)"}: ${error.ErrorMessage}`, payload: entry });
        continue;
      }
      // IAM decides per call: a caller not allowed this source is denied the whole request.
      authorizeOrThrow(this.cloud, from, "events:PutEvents", bus.arn, { "events:source": entry.Source, "events:detail-type": entry.DetailType });
      const event = eventOf(entry, randomUUID(), this.cloud.clock.date(), this.cloud.identity);
      results.push({ EventId: event.id });
      accepted.push({ bus, event });
    }
    for (const { bus, event } of accepted) this.route(bus, event);
    return { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results };
  }

  /** A bus target (bus-to-bus): the event goes on as it is, as the target's role. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const bus = this.bus(arn);
    authorizeOrThrow(this.cloud, from, "events:PutEvents", bus.arn);
    const event = JSON.parse(message.body) as EventBridgeEvent;
    this.route(bus, event);
  }

  testEventPattern(pattern: string, eventText: string): boolean {
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw new AwsError("InvalidEventPatternException", "Event is not valid JSON.");
    }
    for (const field of ["id", "account", "source", "time", "region", "detail-type"]) {
      if ((event as Record<string, unknown>)[field] === undefined) throw new AwsError("ValidationException", `Parameter Event is not valid. Reason: Provided Event is missing required field ${field}`);
    }
    return compilePattern(pattern).matches(event);
  }

  /** The dead-letter queues of all targets. */
  deadLetterArns(): Set<string> {
    const arns = new Set<string>();
    for (const bus of this.buses.values()) for (const rule of bus.rules) for (const target of rule.targets) if (target.deadLetterArn) arns.add(target.deadLetterArn);
    return arns;
  }

  archives(): Archive[] {
    return [...this.buses.values()].flatMap((bus) => bus.archives);
  }

  /** Replays archived events of [start, end] onto the archive's bus, as StartReplay does. */
  startReplay(request: StartReplayInput) {
    return this.replays.start(request);
  }

  describeReplay(name: string) {
    return this.replays.describe(name);
  }

  /** Archives the event, then delivers it to every target of every enabled rule it matches. */
  route(bus: Bus, event: EventBridgeEvent, ruleFilter?: (rule: Rule) => boolean): void {
    const now = this.cloud.clock.now();
    this.stats.accepted++;
    this.cloud.trace.record({ at: now, kind: "event.accepted", resource: bus.name, summary: `${event["detail-type"]} from ${event.source} on ${bus.name}${event["replay-name"] ? ` (replay ${event["replay-name"]})` : ""}`, payload: event });
    if (!event["replay-name"]) {
      for (const archive of bus.archives) if (!archive.matcher || archive.matcher.matches(event)) archive.events.push({ at: now, event });
    }
    let matched = 0;
    for (const rule of bus.rules) {
      if (!rule.enabled || !rule.matcher || (ruleFilter && !ruleFilter(rule))) continue;
      if (!rule.matcher.matches(event)) continue;
      matched++;
      for (const target of rule.targets) this.cloud.clock.spawn(() => this.delivery.deliver(rule, target, event, now, 0));
    }
    if (matched === 0) {
      this.stats.unmatched++;
      this.cloud.trace.record({ at: now, kind: "event.unmatched", resource: bus.name, summary: `${event["detail-type"]} matched no rule on ${bus.name}`, payload: event });
    }
  }

  describeRule(rule: Rule) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventBusName: rule.bus.name,
      State: rule.enabled ? "ENABLED" : "DISABLED",
      ...(rule.pattern ? { EventPattern: rule.pattern } : {}),
      ...(rule.schedule ? { ScheduleExpression: rule.schedule } : {}),
      ...(rule.description ? { Description: rule.description } : {}),
      ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
    };
  }

  busList(): Bus[] {
    return [...this.buses.values()];
  }

  /** The bus a name or ARN names (the default bus for none); ResourceNotFoundException when there is none. */
  bus(reference: string | undefined): Bus {
    const bus = this.findBus(reference);
    if (!bus) throw new AwsError("ResourceNotFoundException", `Event bus ${reference} does not exist.`);
    return bus;
  }

  rule(name: string, busReference: string | undefined): Rule {
    const bus = this.bus(busReference);
    const rule = bus.rules.find((candidate) => candidate.name === name);
    if (!rule) throw new AwsError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  private addBus(name: string, arn = this.cloud.arn("events", `event-bus/${name}`)): void {
    if (this.buses.has(name) && name !== "default") throw new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
    this.buses.set(name, { name, arn, rules: [], archives: [] });
  }

  private findBus(reference: string | undefined): Bus | undefined {
    if (!reference) return this.buses.get("default");
    if (reference.startsWith("arn:")) return [...this.buses.values()].find((bus) => bus.arn === reference);
    return this.buses.get(reference);
  }
}
