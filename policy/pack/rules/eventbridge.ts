/** EventBridge buses, rules, targets, archives and bus policies. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { InvalidEventPatternError, validateEventPattern } from "@event-routes/event-pattern";
import { inRange, nameFormat } from "./formats";
import { str } from "./graph";
import { deliveryToFunction, deliveryToQueue, deliveryToTopic, assumable, parseStatements } from "./grants";
import { checkTransformer, isJson, scheduleProblem } from "./eventbridge-syntax";
import { given, list, Rule, StackResource, T } from "./model";

const PUT_RULE = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html";
const PUT_TARGETS = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html";

/** The bus a rule or target names: by name or ARN, "default" when absent. */
export function busNameOf(reference: unknown): string {
  if (reference === undefined || reference === null || reference === "") return "default";
  const text = str(reference, "eventBusName");
  return text.startsWith("arn:") ? text.slice(text.indexOf(":event-bus/") + ":event-bus/".length) : text;
}

/** The rule a target belongs to: same name, same bus. */
export function ruleOfTarget(target: StackResource, rules: StackResource[]): { rule?: StackResource; sameName: StackResource[] } {
  // The rule by name (or by id, "bus/name").
  const name = str(target.props.rule, "the target's rule").split(/[|/]/).pop()!;
  const sameName = rules.filter((r) => r.props.name === name);
  const bus = busNameOf(target.props.eventBusName);
  return { rule: sameName.find((r) => busNameOf(r.props.eventBusName) === bus), sameName };
}

export const eventbridgeRules: Rule[] = [
  {
    name: "eventbridge-bus-name",
    severity: "mandatory",
    description: "A custom event bus name is 1-256 characters of [/.-_A-Za-z0-9], not \"default\", and has no / unless it is a partner bus",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html",
    subjects: [T.bus],
    check(bus, context) {
      const name = str(bus.props.name, "name");
      nameFormat(context, name, NAMES.eventBus, "event bus name");
      if (name === "default") context.report('event bus name "default" is reserved: CreateEventBus refuses it. Use the default bus without creating it, or pick another name.');
      if (name.includes("/") && !name.startsWith("aws.partner/")) context.report(`event bus name "${name}" contains "/": only partner buses may. Remove the slash.`);
    },
  },
  {
    name: "eventbridge-rule-name",
    severity: "mandatory",
    description: "A rule name is 1-64 characters of [.-_A-Za-z0-9]; a rule has an event pattern or a schedule expression",
    docs: PUT_RULE,
    subjects: [T.rule],
    check(rule, context) {
      nameFormat(context, rule.props.name, NAMES.rule, "rule name");
      if (!rule.props.eventPattern && !rule.props.scheduleExpression) {
        context.report("the rule has neither an event pattern nor a schedule expression: PutRule refuses it. Give it one of the two.");
      }
    },
  },
  {
    name: "eventbridge-event-pattern",
    severity: "mandatory",
    description: "Event patterns (of rules and archives) are valid EventBridge patterns within the 2,048-character quota",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
    subjects: [T.rule, T.archive],
    check(subject, context) {
      const pattern = subject.props.eventPattern;
      if (pattern === undefined || pattern === null || pattern === "") return;
      try {
        validateEventPattern(pattern);
      } catch (error) {
        if (!(error instanceof InvalidEventPatternError)) throw error;
        context.report(`event pattern is invalid, so AWS refuses it (InvalidEventPatternException): ${error.message}. Fix the pattern; validateEventPattern() from @event-routes/event-pattern checks it offline.`);
      }
    },
  },
  {
    name: "eventbridge-schedule-expression",
    severity: "mandatory",
    description: "Schedule expressions are rate(n unit) or cron(6 fields), and only rules on the default bus have one",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html",
    subjects: [T.rule],
    check(rule, context) {
      const expression = rule.props.scheduleExpression;
      if (expression === undefined || expression === null || expression === "") return;
      const text = str(expression, "scheduleExpression");
      const problem = scheduleProblem(text);
      if (problem) context.report(`schedule expression "${text}" is invalid: ${problem}. AWS refuses it (ValidationException).`);
      const bus = busNameOf(rule.props.eventBusName);
      if (bus !== "default") context.report(`the rule has a schedule but is on bus "${bus}": scheduled rules exist only on the default bus, so PutRule fails. Put it on the default bus, or use EventBridge Scheduler.`);
    },
  },
  {
    name: "eventbridge-rule-target-limit",
    severity: "mandatory",
    description: "A rule has at most 5 targets",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
    subjects: [T.rule],
    check(rule, context) {
      const targets = context.graph.of(T.target).filter((t) => t.props.rule === rule.props.name && busNameOf(t.props.eventBusName) === busNameOf(rule.props.eventBusName));
      if (targets.length > RANGES.eventbridge.targetsPerRule.max) {
        context.report(`rule ${rule.props.name} has ${targets.length} targets (${targets.map((t) => t.name).join(", ")}); a rule takes at most 5 and PutTargets fails beyond. Split the targets over several rules with the same pattern.`, rule, ...targets);
      }
    },
  },
  {
    name: "eventbridge-target-rule",
    severity: "mandatory",
    description: "A target names its rule's bus: a target of a rule on a custom bus without eventBusName is looked up on the default bus and fails",
    docs: PUT_TARGETS,
    subjects: [T.target],
    check(target, context) {
      const { rule, sameName } = ruleOfTarget(target, context.graph.of(T.rule));
      if (rule) return;
      const bus = busNameOf(target.props.eventBusName);
      if (sameName.length > 0) {
        const ruleBus = busNameOf(sameName[0].props.eventBusName);
        context.report(`the target names bus "${bus}", but rule ${target.props.rule} is on bus "${ruleBus}": PutTargets looks for the rule on "${bus}" and fails with ResourceNotFoundException. Set the target's eventBusName to "${ruleBus}".`);
      } else {
        context.cannotTell(`rule ${target.props.rule} on bus "${bus}" is not a rule of this program`);
      }
    },
  },
  {
    name: "eventbridge-target-id",
    severity: "mandatory",
    description: "A target id is 1-64 characters of [.-_A-Za-z0-9] and unique within its rule (a second target with the same id replaces the first)",
    docs: PUT_TARGETS,
    subjects: [T.target],
    check(target, context) {
      const id = target.props.targetId;
      nameFormat(context, id, NAMES.targetId, "target id");
      if (typeof id !== "string") return;
      const twins = context.graph
        .of(T.target)
        .filter((t) => t !== target && t.props.targetId === id && t.props.rule === target.props.rule && busNameOf(t.props.eventBusName) === busNameOf(target.props.eventBusName));
      if (twins.length > 0) context.report(`target id "${id}" is also used by ${twins.map((t) => t.name).join(", ")} on rule ${target.props.rule}: PutTargets replaces one with the other, so one route silently disappears. Give each target its own id.`);
    },
  },
  {
    name: "eventbridge-target-input",
    severity: "mandatory",
    description: "Input, InputPath and InputTransformer are mutually exclusive; Input is JSON; an input transformer has at most 100 input paths, defines every <placeholder>, and a JSON template stays JSON",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html",
    subjects: [T.target],
    check(target, context) {
      const { input, inputPath, inputTransformer } = target.props;
      const count = [input, inputPath, inputTransformer].filter(given).length;
      if (count > 1) context.report("the target sets more than one of input, inputPath and inputTransformer: PutTargets refuses that (they are mutually exclusive). Keep one.");
      // Length limits of API_Target: Input and InputTemplate 8,192 characters, InputPath 256.
      const tooLong = (value: unknown, limit: number, what: string) => {
        if (typeof value === "string" && value.length > limit) context.report(`${what} is ${value.length} characters; PutTargets accepts ${limit}. Shorten it.`);
      };
      tooLong(input, 8192, "input");
      tooLong(inputPath, 256, "inputPath");
      tooLong(inputTransformer?.inputTemplate, 8192, "inputTransformer.inputTemplate");
      if (given(input)) {
        const text = str(input, "input");
        if (!isJson(text)) context.report(`input is not valid JSON text, so PutTargets refuses it: ${text.slice(0, 80)}. Pass JSON (e.g. JSON.stringify(value)).`);
      }
      if (given(inputPath) && !/^\$(\.|\[|$)/.test(str(inputPath, "inputPath"))) {
        context.report(`inputPath "${inputPath}" is not a JSONPath starting with $: PutTargets refuses it. Write e.g. "$.detail".`);
      }
      if (given(inputTransformer)) checkTransformer(inputTransformer, context);
    },
  },
  {
    name: "eventbridge-target-retry",
    severity: "mandatory",
    description: "A target's retry policy keeps maximumRetryAttempts within 0-185 and maximumEventAgeInSeconds within 60-86400",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html",
    subjects: [T.target],
    check(target, context) {
      const retry = target.props.retryPolicy;
      if (!retry) return;
      inRange(context, retry.maximumRetryAttempts, RANGES.eventbridge.maximumRetryAttempts, "retryPolicy.maximumRetryAttempts");
      inRange(context, retry.maximumEventAgeInSeconds, RANGES.eventbridge.maximumEventAgeSeconds, "retryPolicy.maximumEventAgeInSeconds");
    },
  },
  {
    name: "eventbridge-target-dead-letter-queue",
    severity: "mandatory",
    description: "A target's dead-letter queue is a standard SQS queue whose policy lets the rule send to it",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html",
    subjects: [T.target],
    check(target, context) {
      const arn = target.props.deadLetterConfig?.arn;
      if (!given(arn)) return;
      const dlqArn = str(arn, "deadLetterConfig.arn");
      if (!dlqArn.startsWith("arn:") || dlqArn.split(":")[2] !== "sqs") {
        context.report(`dead-letter target ${dlqArn} is not an SQS queue ARN: EventBridge dead-letter queues are SQS queues. Point it at a standard queue.`);
        return;
      }
      const queue = context.graph.queue(dlqArn);
      if (!queue) return context.cannotTell(`dead-letter queue ${dlqArn} is not a queue of this program`);
      if (queue.props.fifoQueue) context.report(`dead-letter queue ${queue.name} is FIFO: EventBridge supports only standard queues as dead-letter queues, so failed events are lost. Use a standard queue.`, target, queue);
      const { rule } = ruleOfTarget(target, context.graph.of(T.rule));
      if (!rule) return;
      deliveryToQueue(context, queue, str(rule.props.arn, "the rule's ARN"), `dead-letter queue ${queue.name}`);
    },
  },
  {
    name: "eventbridge-target-permission",
    severity: "mandatory",
    description: "Each target lets its rule deliver: a Lambda permission, a queue or topic policy statement, or a role EventBridge can assume that may call the target",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
    subjects: [T.target],
    check(target, context) {
      const { rule } = ruleOfTarget(target, context.graph.of(T.rule));
      if (!rule) return;
      const ruleArn = str(rule.props.arn, "the rule's ARN");
      const arn = str(target.props.arn, "the target's arn");
      const service = arn.split(":")[2];
      const roleArn = target.props.roleArn;
      if (service === "lambda") return deliveryToFunction(context, target, arn, ruleArn);
      if (service === "sqs") {
        const queue = context.graph.queue(arn);
        if (!queue) return context.cannotTell(`queue ${arn} is not a queue of this program`);
        deliveryToQueue(context, queue, ruleArn, `queue ${queue.name}`);
        if (queue.props.fifoQueue) {
          if (!target.props.sqsTarget?.messageGroupId) context.report(`queue ${queue.name} is FIFO and the target has no sqsTarget.messageGroupId: EventBridge cannot send to it and the events are lost. Set a message group id.`, target, queue);
          if (!queue.props.contentBasedDeduplication) context.report(`FIFO queue ${queue.name} has no content-based deduplication, which EventBridge requires of FIFO targets (SqsParameters). Enable contentBasedDeduplication.`, target, queue);
        }
        return;
      }
      if (service === "sns") return deliveryToTopic(context, arn, ruleArn);
      const action = ROLE_ACTIONS[service];
      if (!action) return context.cannotTell(`no delivery check for target service "${service}"`);
      const crossAccountBus = service === "events" && (arn.split(":")[4] !== ruleArn.split(":")[4] || arn.split(":")[3] !== ruleArn.split(":")[3]);
      if (!given(roleArn)) {
        if (service !== "events" || crossAccountBus) context.report(`a ${service} target needs roleArn: EventBridge calls ${action} with a role you give it (PutTargets). Add a role that events.amazonaws.com can assume and that may call ${action} on ${arn}.`);
        return;
      }
      const role = context.graph.role(roleArn);
      if (!role) return context.cannotTell(`role ${roleArn} is not a role of this program`);
      const trust = assumable(role, "events.amazonaws.com", { "aws:sourcearn": ruleArn, "aws:sourceaccount": ruleArn.split(":")[4] });
      if (trust === false) context.report(`role ${role.props.name} cannot be assumed by EventBridge for rule ${ruleArn}: its trust policy does not allow events.amazonaws.com sts:AssumeRole (with the conditions EventBridge supplies), so every delivery fails. Fix the trust policy.`, role, target);
      const allowed = context.graph.roleAllows(role, action, arn);
      if (allowed === false) context.report(`role ${role.props.name} is not allowed ${action} on ${arn}: EventBridge's deliveries fail and the events go to the DLQ or are dropped. Grant ${action} on the target.`, target, role);
      if (allowed === "unknown") context.cannotTell(`role ${role.props.name} may rely on policies that cannot be read offline for ${action}`);
    },
  },
  {
    name: "eventbridge-target-reliability",
    severity: "advisory",
    description: "Every target has a retry policy and a dead-letter queue, so nothing is dropped silently (docs/design.md 3.2)",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html",
    subjects: [T.target],
    check(target, context) {
      if (!target.props.retryPolicy) context.report("no retry policy: EventBridge retries for 24 hours and 185 times, then drops the event. Set retryPolicy to what this target needs.");
      if (!given(target.props.deadLetterConfig?.arn)) context.report("no dead-letter queue: an event that cannot be delivered after the retries is dropped without a trace. Set deadLetterConfig to a standard queue.");
    },
  },
  {
    name: "eventbridge-grant-source-conditions",
    severity: "advisory",
    description: "Grants to events.amazonaws.com carry aws:SourceArn and aws:SourceAccount (confused-deputy protection)",
    docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    subjects: [T.queuePolicy, T.topicPolicy, T.permission, T.role],
    check(subject, context) {
      if (subject.type === T.permission) {
        if (subject.props.principal !== "events.amazonaws.com") return;
        if (!subject.props.sourceArn) context.report("the permission for events.amazonaws.com has no sourceArn: any rule of any account could invoke the function. Set sourceArn to the rule (or the bus's rules).");
        else if (!subject.props.sourceAccount) context.report("the permission for events.amazonaws.com has no sourceAccount; AWS recommends both aws:SourceArn and aws:SourceAccount. Add sourceAccount.");
        return;
      }
      const doc = subject.type === T.role ? subject.props.assumeRolePolicy : subject.props.policy;
      const statements = parseStatements(doc);
      for (const s of statements) {
        if (s.Effect !== "Allow" || !list(s.Principal === "*" ? [] : s.Principal?.Service).includes("events.amazonaws.com")) continue;
        const keys = Object.values(s.Condition ?? {}).flatMap((entries) => Object.keys(entries ?? {}).map((k) => k.toLowerCase()));
        const missing = ["aws:SourceArn", "aws:SourceAccount"].filter((k) => !keys.includes(k.toLowerCase()));
        if (missing.length > 0) context.report(`statement ${s.Sid ?? "(no Sid)"} grants events.amazonaws.com without ${missing.join(" and ")}; it works, but AWS recommends both against the confused deputy. Add the missing condition.`);
      }
    },
  },
  {
    name: "eventbridge-archive",
    severity: "mandatory",
    description: "An archive name is 1-48 characters of [.-_A-Za-z0-9], its retention is 0 or more days, and its source is an event bus",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html",
    subjects: [T.archive],
    check(archive, context) {
      nameFormat(context, archive.props.name, NAMES.archive, "archive name");
      inRange(context, archive.props.retentionDays, RANGES.eventbridge.archiveRetentionDays, "retentionDays");
      const source = str(archive.props.eventSourceArn, "eventSourceArn");
      if (!/^arn:[^:]+:events:[^:]*:\d{12}:event-bus\/.+/.test(source)) context.report(`eventSourceArn ${source} is not an event bus ARN: CreateArchive archives events of a bus only. Pass the bus's ARN.`);
    },
  },
  {
    name: "eventbridge-bus-policy",
    severity: "mandatory",
    description: "A bus policy grants events: actions to named principals on the bus",
    docs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html",
    subjects: [T.busPolicy],
    check(policy, context) {
      const statements = parseStatements(policy.props.policy);
      for (const s of statements) {
        if (s.Principal === undefined && s.NotPrincipal === undefined) context.report(`statement ${s.Sid ?? "(no Sid)"} names no Principal: a resource policy must, or PutPermission refuses the policy. Name the accounts or organization.`);
        for (const action of list(s.Action)) {
          if (!/^events:/.test(action) && action !== "*") context.report(`statement ${s.Sid ?? "(no Sid)"} grants ${action}, which is not an EventBridge action: PutPermission refuses it. Use events:PutEvents (or other events: actions).`);
        }
      }
    },
  },
];

const ROLE_ACTIONS: Record<string, string> = {
  states: "states:StartExecution",
  kinesis: "kinesis:PutRecord",
  firehose: "firehose:PutRecordBatch",
  events: "events:PutEvents",
};
