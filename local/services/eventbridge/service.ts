import { randomUUID } from "crypto";
import { compileEventPattern, type EventPatternMatcher, InvalidEventPatternError } from "@event-routes/event-pattern";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, LocalCloud, Message, Service } from "../../cloud";
import { parsePolicy, Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { EventBridgeApi, PutEventsEntry, PutEventsResult } from "../contracts";
import { compileTargetInput, parsePath, PathKey, select } from "./input-transformer";
import { SqsError } from "../sqs/errors";
import { RANGES } from "@event-routes/aws-model";

/** PutEvents limits: 10 entries and 256 KiB per request. */
const MAX_ENTRIES = 10;
/** The ARN services of the targets EventBridge can deliver to locally. */
const EMULATED_TARGETS = new Set(["sqs", "sns", "lambda", "states", "kinesis", "events"]);
const MAX_REQUEST_BYTES = 256 * 1024;
/** EventBridge's defaults for a rule target: 185 retries within 24 hours. */
const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };
/** Backoff between retries: exponential from 1 s, at most 5 min (AWS publishes no exact curve). */
const retryDelayMs = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 300_000);

export type EventBridgeEvent = Record<string, unknown> & { id: string; source: string; "detail-type": string; time: string; detail: unknown };

interface Bus {
  name: string;
  arn: string;
  rules: Rule[];
  archives: Archive[];
}

interface Rule {
  name: string;
  arn: string;
  bus: Bus;
  pattern?: string;
  schedule?: string;
  matcher?: EventPatternMatcher;
  enabled: boolean;
  description?: string;
  roleArn?: string;
  targets: Target[];
}

interface Target {
  id: string;
  arn: string;
  roleArn?: string;
  settings: Record<string, unknown>;
  render: ReturnType<typeof compileTargetInput>;
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
  deadLetterArn?: string;
  messageGroupId?: string;
  partitionKeyPath?: readonly PathKey[];
}

interface Archive {
  name: string;
  arn: string;
  bus: Bus;
  matcher?: EventPatternMatcher;
  pattern?: string;
  retentionDays: number;
  events: { at: number; event: EventBridgeEvent }[];
}

interface Replay {
  name: string;
  arn: string;
  state: "STARTING" | "RUNNING" | "COMPLETED" | "FAILED";
  archiveArn: string;
  destination: string;
  start: number;
  end: number;
  replayed: number;
}

/** Counts of what the buses did with events: for the CLI's summary and the benchmark. */
export interface BusStats {
  accepted: number;
  rejected: number;
  unmatched: number;
  deliveries: number;
  retries: number;
  deadLettered: number;
  dropped: number;
}

/**
 * EventBridge: custom buses and their rules, with the full pattern language of
 * @event-routes/event-pattern, input transformers, retry policies with backoff and maximum event age,
 * dead-letter queues with AWS's error attributes, bus-to-bus delivery, archives and replay. Each
 * target is delivered to as AWS does: as `events.amazonaws.com` for the rule (resource policies
 * decide) or as the target's role.
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
  private readonly buses = new Map<string, Bus>();
  private readonly replays = new Map<string, Replay>();

  constructor(private readonly cloud: LocalCloud) {
    this.addBus("default");
  }

  /**
   * Every call is authorized as `events:<Action>` on the resource AWS names for it, or `*` where the
   * action has no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).
   */
  readonly operations = {
    "AWSEvents.PutEvents": (body: { Entries?: PutEventsEntry[] }, caller: Principal) => this.putEvents(body.Entries ?? [], caller),
    "AWSEvents.TestEventPattern": (body: { EventPattern: string; Event: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:TestEventPattern", "*");
      return { Result: this.testEventPattern(body.EventPattern, body.Event) };
    },
    "AWSEvents.ListRules": (body: { EventBusName?: string; NamePrefix?: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:ListRules", "*");
      return { Rules: this.bus(body.EventBusName).rules.filter((rule) => rule.name.startsWith(body.NamePrefix ?? "")).map((rule) => this.describeRule(rule)) };
    },
    "AWSEvents.DescribeRule": (body: { Name: string; EventBusName?: string }, caller: Principal) => {
      const rule = this.rule(body.Name, body.EventBusName);
      authorizeOrThrow(this.cloud, caller, "events:DescribeRule", rule.arn);
      return { ...this.describeRule(rule), CreatedBy: this.cloud.identity.account };
    },
    "AWSEvents.ListTargetsByRule": (body: { Rule: string; EventBusName?: string }, caller: Principal) => {
      const rule = this.rule(body.Rule, body.EventBusName);
      authorizeOrThrow(this.cloud, caller, "events:ListTargetsByRule", rule.arn);
      return { Targets: rule.targets.map((target) => ({ Id: target.id, Arn: target.arn, ...(target.roleArn ? { RoleArn: target.roleArn } : {}), ...target.settings })) };
    },
    "AWSEvents.ListEventBuses": (body: { NamePrefix?: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:ListEventBuses", "*");
      return { EventBuses: [...this.buses.values()].filter((bus) => bus.name.startsWith(body.NamePrefix ?? "")).map((bus) => ({ Name: bus.name, Arn: bus.arn })) };
    },
    "AWSEvents.DescribeEventBus": (body: { Name?: string }, caller: Principal) => {
      const bus = this.bus(body.Name);
      authorizeOrThrow(this.cloud, caller, "events:DescribeEventBus", bus.arn);
      return { Name: bus.name, Arn: bus.arn };
    },
    "AWSEvents.ListArchives": (_body: unknown, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:ListArchives", "*");
      return {
        Archives: this.archives().map((archive) => ({ ArchiveName: archive.name, EventSourceArn: archive.bus.arn, State: "ENABLED", RetentionDays: archive.retentionDays, EventCount: archive.events.length })),
      };
    },
    "AWSEvents.DescribeArchive": (body: { ArchiveName: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:DescribeArchive", this.cloud.arn("events", `archive/${body.ArchiveName}`));
      const archive = this.archives().find((candidate) => candidate.name === body.ArchiveName);
      if (!archive) throw new AwsError("ResourceNotFoundException", `Archive ${body.ArchiveName} does not exist.`);
      return {
        ArchiveName: archive.name,
        ArchiveArn: archive.arn,
        EventSourceArn: archive.bus.arn,
        ...(archive.pattern ? { EventPattern: typeof archive.pattern === "string" ? archive.pattern : JSON.stringify(archive.pattern) } : {}),
        State: "ENABLED",
        RetentionDays: archive.retentionDays,
        EventCount: archive.events.length,
      };
    },
    "AWSEvents.ListRuleNamesByTarget": (body: { TargetArn: string; EventBusName?: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:ListRuleNamesByTarget", "*");
      return { RuleNames: this.bus(body.EventBusName).rules.filter((rule) => rule.targets.some((target) => target.arn === body.TargetArn)).map((rule) => rule.name) };
    },
    "AWSEvents.StartReplay": (
      body: { ReplayName: string; EventSourceArn: string; EventStartTime: number; EventEndTime: number; Destination: { Arn: string; FilterArns?: string[] } },
      caller: Principal,
    ) => {
      authorizeOrThrow(this.cloud, caller, "events:StartReplay", String(body.EventSourceArn));
      return this.startReplay(body);
    },
    "AWSEvents.DescribeReplay": (body: { ReplayName: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "events:DescribeReplay", this.cloud.arn("events", `replay/${body.ReplayName}`));
      const replay = this.replays.get(body.ReplayName);
      if (!replay) throw new AwsError("ResourceNotFoundException", `Replay ${body.ReplayName} does not exist.`);
      return { ReplayName: replay.name, ReplayArn: replay.arn, State: replay.state, EventSourceArn: replay.archiveArn, Destination: { Arn: replay.destination }, EventStartTime: replay.start / 1000, EventEndTime: replay.end / 1000 };
    },
  };

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
        const bus = this.busByArn(inputs.eventSourceArn);
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
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsError("ValidationException", `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
    }
    if (entries.some((entry) => entry === null || typeof entry !== "object" || Array.isArray(entry))) {
      throw new AwsError("ValidationException", "1 validation error detected: every member of 'entries' must be a PutEventsRequestEntry object");
    }
    const size = entries.reduce((total, entry) => total + entrySize(entry), 0);
    if (size > MAX_REQUEST_BYTES) throw new AwsError("ValidationException", "Total size of the entries in the request is over the limit.");
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
      const event = this.eventOf(entry);
      results.push({ EventId: event.id });
      accepted.push({ bus, event });
    }
    for (const { bus, event } of accepted) this.route(bus, event);
    return { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results };
  }

  /** A bus target (bus-to-bus): the event goes on as it is, as the target's role. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const bus = this.busByArn(arn);
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
  startReplay(request: { ReplayName: string; EventSourceArn: string; EventStartTime: number; EventEndTime: number; Destination: { Arn: string; FilterArns?: string[] } }) {
    const archive = this.archives().find((candidate) => candidate.arn === request.EventSourceArn);
    if (!archive) throw new AwsError("ResourceNotFoundException", `Archive ${request.EventSourceArn} does not exist.`);
    if (this.replays.has(request.ReplayName)) throw new AwsError("ResourceAlreadyExistsException", `Replay ${request.ReplayName} already exists.`);
    const destination = this.busByArn(request.Destination.Arn);
    if (destination !== archive.bus) throw new AwsError("ValidationException", "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
    const seconds = (value: number | string | Date) => (value instanceof Date ? value.getTime() : typeof value === "number" ? value * 1000 : Date.parse(value));
    const replay: Replay = {
      name: request.ReplayName,
      arn: this.cloud.arn("events", `replay/${request.ReplayName}`),
      state: "RUNNING",
      archiveArn: archive.arn,
      destination: destination.arn,
      start: seconds(request.EventStartTime),
      end: seconds(request.EventEndTime),
      replayed: 0,
    };
    if (!(replay.start < replay.end)) throw new AwsError("ValidationException", "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.");
    this.replays.set(replay.name, replay);
    const filter = request.Destination.FilterArns;
    this.expire(archive);
    for (const { at, event } of archive.events) {
      if (at < replay.start || at > replay.end) continue;
      this.route(destination, { ...event, "replay-name": replay.name }, (rule) => !filter || filter.includes(rule.arn));
      replay.replayed++;
    }
    replay.state = "COMPLETED";
    return { ReplayArn: replay.arn, State: "STARTING", StateReason: "Replay is starting", ReplayStartTime: this.cloud.clock.now() / 1000 };
  }

  private eventOf(entry: PutEventsEntry): EventBridgeEvent {
    const time = entry.Time === undefined ? this.cloud.clock.date() : new Date(typeof entry.Time === "number" ? entry.Time * 1000 : entry.Time);
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType!,
      source: entry.Source!,
      account: this.cloud.identity.account,
      time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: this.cloud.identity.region,
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail!),
    };
  }

  /** Archives the event, then delivers it to every target of every enabled rule it matches. */
  private route(bus: Bus, event: EventBridgeEvent, ruleFilter?: (rule: Rule) => boolean): void {
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
      for (const target of rule.targets) this.cloud.clock.spawn(() => this.deliverToTarget(rule, target, event, now, 0));
    }
    if (matched === 0) {
      this.stats.unmatched++;
      this.cloud.trace.record({ at: now, kind: "event.unmatched", resource: bus.name, summary: `${event["detail-type"]} matched no rule on ${bus.name}`, payload: event });
    }
  }

  private async deliverToTarget(rule: Rule, target: Target, event: EventBridgeEvent, ingestedAt: number, retries: number): Promise<void> {
    const service = target.arn.split(":")[2];
    if (!EMULATED_TARGETS.has(service)) {
      this.stats.dropped++;
      this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.dropped", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)}: ${service} targets are not emulated locally`, payload: event });
      return;
    }
    const body = target.render(event, { ruleArn: rule.arn, ruleName: rule.name }, ingestedAt);
    // SNS gets the rendered template as it is: a template that is one JSON string literal reaches
    // subscribers with its quotes (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html).
    const message: Message = { body: ["sqs", "kinesis"].includes(service) ? unwrapJsonString(body) : body };
    if (target.messageGroupId) message.groupId = target.messageGroupId;
    if (service === "kinesis") message.partitionKey = String((target.partitionKeyPath ? select(event, target.partitionKeyPath) : undefined) ?? event.id);
    const from: Principal = target.roleArn
      ? { kind: "role", arn: target.roleArn }
      : { kind: "service", service: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: this.cloud.identity.account };
    try {
      // EventBridge assumes the target's role: a role that does not trust it fails the delivery.
      if (target.roleArn && !this.cloud.iam.canAssume(target.roleArn, "events.amazonaws.com", { "aws:SourceArn": rule.arn })) {
        throw new AwsError("AccessDeniedException", `EventBridge cannot assume the role ${target.roleArn}: its trust policy does not allow events.amazonaws.com`);
      }
      await this.cloud.deliver(target.arn, message, from);
      this.stats.deliveries++;
      this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.delivered", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)}`, payload: event });
    } catch (error) {
      const failure = classify(error);
      const age = this.cloud.clock.now() - ingestedAt;
      const delay = retryDelayMs(retries + 1);
      const exhausted = retries >= target.retry.maximumRetryAttempts ? "MaximumRetryAttempts" : age + delay > target.retry.maximumEventAgeInSeconds * 1000 ? "MaximumEventAgeInSeconds" : undefined;
      if (failure.retryable && !exhausted) {
        this.stats.retries++;
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.retry", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)} failed (${failure.code}), retry ${retries + 1} in ${delay / 1000} s`, payload: event });
        this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.deliverToTarget(rule, target, event, ingestedAt, retries + 1)));
        return;
      }
      await this.deadLetter(rule, target, event, failure, retries, failure.retryable ? exhausted : undefined);
    }
  }

  private async deadLetter(rule: Rule, target: Target, event: EventBridgeEvent, failure: Failure, retries: number, exhausted: string | undefined): Promise<void> {
    const at = this.cloud.clock.now();
    const why = `${event["detail-type"]} -> ${shortName(target.arn)}: ${failure.code}: ${failure.message}`;
    if (!target.deadLetterArn) {
      this.stats.dropped++;
      this.cloud.trace.record({ at, kind: "target.dropped", resource: rule.name, summary: `dropped (no DLQ) ${why}`, payload: event });
      return;
    }
    const attribute = (value: string) => ({ DataType: "String" as const, StringValue: value });
    const attributes = {
      RULE_ARN: attribute(rule.arn),
      TARGET_ARN: attribute(target.arn),
      ERROR_CODE: attribute(failure.code),
      ERROR_MESSAGE: attribute(failure.message.slice(0, 1000)),
      RETRY_ATTEMPTS: { DataType: "Number" as const, StringValue: String(retries) },
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    };
    try {
      // EventBridge writes the DLQ as the service for the rule: the queue's policy must allow it.
      await this.cloud.deliver(target.deadLetterArn, { body: JSON.stringify(event), attributes }, { kind: "service", service: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: this.cloud.identity.account });
      this.stats.deadLettered++;
      this.cloud.trace.record({ at, kind: "target.dead-lettered", resource: rule.name, summary: `to DLQ ${shortName(target.deadLetterArn)}: ${why}`, payload: event });
    } catch (error) {
      this.stats.dropped++;
      this.cloud.trace.record({ at, kind: "target.dropped", resource: rule.name, summary: `dropped: ${why}; the DLQ refused it too (${(error as Error).message})`, payload: event });
    }
  }

  private describeRule(rule: Rule) {
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

  private expire(archive: Archive): void {
    if (!archive.retentionDays) return;
    const oldest = this.cloud.clock.now() - archive.retentionDays * 86_400_000;
    while (archive.events.length > 0 && archive.events[0].at < oldest) archive.events.shift();
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

  private bus(reference: string | undefined): Bus {
    const bus = this.findBus(reference);
    if (!bus) throw new AwsError("ResourceNotFoundException", `Event bus ${reference} does not exist.`);
    return bus;
  }

  private busByArn(arn: string): Bus {
    return this.bus(arn);
  }

  private rule(name: string, busReference: string | undefined): Rule {
    const bus = this.bus(busReference);
    const rule = bus.rules.find((candidate) => candidate.name === name);
    if (!rule) throw new AwsError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }
}

function compilePattern(pattern: string): EventPatternMatcher {
  try {
    return compileEventPattern(typeof pattern === "string" ? JSON.parse(pattern) : pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new AwsError("InvalidEventPatternException", error.message);
    if (error instanceof SyntaxError) throw new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${error.message}`);
    throw error;
  }
}

function entrySize(entry: PutEventsEntry): number {
  // AWS's documented calculation: UTF-8 bytes of Source, DetailType, Detail and resources, 14 for a time.
  const bytes = (text: unknown) => (typeof text === "string" ? Buffer.byteLength(text) : 0);
  return (entry.Time !== undefined ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0);
}

function entryProblem(entry: PutEventsEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
  const invalid = (field: string, reason: string) => ({ ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}` });
  for (const field of ["Source", "DetailType", "Detail", "EventBusName"] as const) {
    if (entry[field] !== undefined && typeof entry[field] !== "string") return invalid(field, `${field} must be a string.`);
  }
  if (!entry.Source) return invalid("Source", "Source is a required argument.");
  if (!entry.DetailType) return invalid("DetailType", "DetailType is a required argument.");
  if (!entry.Detail) return invalid("Detail", "Detail is a required argument.");
  if (entry.Source.startsWith("aws.")) return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  return undefined;
}

interface Failure {
  code: string;
  message: string;
  retryable: boolean;
}

/** Maps a target's error to the ERROR_CODE EventBridge reports, and whether it retries. */
function classify(error: unknown): Failure {
  const code = error instanceof AwsError ? error.code : "InternalException";
  const message = error instanceof Error ? error.message : String(error);
  // A key the target service may not use for EventBridge (SQS KMS.AccessDeniedException, SNS
  // KMSAccessDenied, Kinesis KMSAccessDeniedException) fails inside the target, after EventBridge's
  // own permission to the target held. AWS documents no ERROR_CODE for it and does not list it among
  // the errors it never retries (missing permission to the target, a target that is gone:
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html): here it is retried,
  // so a key policy fixed within the retry window still delivers, and parked as NO_PERMISSIONS with
  // the target's error code in the message.
  if (/kms/i.test(code)) return { code: "NO_PERMISSIONS", message: `${error instanceof SqsError ? error.queryCode : code}: ${message}`, retryable: true };
  if (/AccessDenied|NotAuthorized|AuthorizationError/i.test(code)) return { code: "NO_PERMISSIONS", message, retryable: false };
  if (/NotFound|NonExistent|DoesNotExist/i.test(code)) return { code: "RESOURCE_NOT_FOUND", message, retryable: false };
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(code)) return { code: "THROTTLING", message, retryable: true };
  if (/InvalidParameter|MissingParameter|Validation|InvalidMessageContents|InvalidAttribute/i.test(code)) return { code: "SDK_CLIENT_ERROR", message: `${code}: ${message}`, retryable: false };
  return { code: "INTERNAL_ERROR", message, retryable: true };
}

/** A template that renders a JSON string literal delivers its text to text targets. */
function unwrapJsonString(body: string): string {
  if (body.length >= 2 && body.startsWith('"') && body.endsWith('"')) {
    try {
      const text = JSON.parse(body);
      if (typeof text === "string") return text;
    } catch {
      // not one string literal: deliver as it is
    }
  }
  return body;
}

function shortName(arn: string): string {
  return arn.split(/[:/]/).pop() ?? arn;
}
