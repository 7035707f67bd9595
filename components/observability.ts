import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { BundledFunction } from "./bundled-function";
import { DeploymentContext, stackContext } from "./context";
import { EventBus } from "./event-bus";
import { NAME_LIMITS, physicalName } from "./naming";
import { Queue } from "./queue";
import { Topic } from "./topic";
import { Workflow } from "./workflow";

type Metric = awsx.classic.cloudwatch.Metric;
const { Metric, Dashboard, LineGraphMetricWidget, TextWidget } = awsx.classic.cloudwatch;

export interface ObservabilityArgs {
  /** Where alarms go. It must let CloudWatch alarms publish (`cloudWatchAlarms: true`). Required. */
  alarmTopic: Topic;
  /** Buses whose target dead-letter queue is watched, and whose rules are (see `ruleAlarms`). Default: none. */
  buses?: EventBus[];
  /** Alarm per rule on failed invocations and invocations sent to a DLQ (two alarms per rule). Default: true. */
  ruleAlarms?: boolean;
  /** Queues whose dead-letter queues are watched (the bus's target DLQs are added for you). Default: none. */
  queues?: Queue[];
  /** Functions alarmed on errors, and graphed on the dashboard. Default: none. */
  functions?: BundledFunction[];
  /** Workflows alarmed on failed executions. Default: none. */
  workflows?: Workflow[];
  /** Minutes a condition must hold before the alarm fires. Default: 1. */
  evaluationPeriods?: number;
  /** A CloudWatch dashboard of the watched resources. Default: true. */
  dashboard?: boolean;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/**
 * Alarms on everything that means an event was not handled (a message in any DLQ, failed rule
 * invocations, invocations sent to a DLQ, function errors, failed executions), all to one topic,
 * and a dashboard of the event flow.
 */
export class Observability extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly dashboard?: aws.cloudwatch.Dashboard;
  /** The queues whose depth is alarmed: every dead-letter queue it was given or found. */
  readonly watchedDeadLetterQueues: Queue[];
  private readonly context: DeploymentContext;
  private readonly alarmTopic: Topic;
  private readonly evaluationPeriods: number;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:Observability", name, {}, opts);
    this.context = args.context ?? stackContext();
    this.alarmTopic = args.alarmTopic;
    this.evaluationPeriods = args.evaluationPeriods ?? 1;

    const deadLetterQueues = new Set<Queue>();
    for (const bus of args.buses ?? []) {
      const dlq = bus.targetDeadLetterQueueIfCreated;
      if (dlq) deadLetterQueues.add(dlq);
    }
    for (const queue of args.queues ?? []) deadLetterQueues.add(queue.deadLetterQueue ?? queue);
    this.watchedDeadLetterQueues = [...deadLetterQueues];

    for (const dlq of this.watchedDeadLetterQueues) {
      this.alarm(`${dlq.logicalName}-depth`, `Messages waiting in dead-letter queue ${dlq.logicalName}`, sqsMetric("ApproximateNumberOfMessagesVisible", dlq).withStatistic("Maximum"));
    }
    const ruleMetrics: Metric[] = [];
    for (const bus of args.buses ?? []) {
      for (const route of bus.routes) {
        const dims = { EventBusName: bus.name, RuleName: route.rule.name };
        const metric = (name: string) => new Metric({ namespace: "AWS/Events", name, dimensions: dims, statistic: "Sum", period: 60 });
        ruleMetrics.push(metric("MatchedEvents"));
        if (args.ruleAlarms === false) continue;
        this.alarm(`${route.logicalName}-failed`, `Failed invocations of rule ${route.logicalName}`, metric("FailedInvocations"));
        this.alarm(`${route.logicalName}-to-dlq`, `Invocations of rule ${route.logicalName} sent to a dead-letter queue`, metric("InvocationsSentToDlq"));
      }
    }
    for (const fn of args.functions ?? []) {
      this.alarm(`${fn.logicalName}-errors`, `Errors of function ${fn.logicalName}`, lambdaMetric("Errors", fn));
    }
    for (const workflow of args.workflows ?? []) {
      const failed = new Metric({ namespace: "AWS/States", name: "ExecutionsFailed", dimensions: { StateMachineArn: workflow.arn }, statistic: "Sum", period: 60 });
      this.alarm(`${workflow.logicalName}-failed`, `Failed executions of workflow ${workflow.logicalName}`, failed);
    }

    if (args.dashboard ?? true) {
      this.dashboard = new Dashboard(
        name,
        {
          name: physicalName([this.context.namePrefix, name], NAME_LIMITS.dashboard),
          widgets: [
            new TextWidget(`# ${this.context.namePrefix} event flow\nEvents matched per rule, handler invocations and errors, dead-letter queue depth.`),
            ...chunks(ruleMetrics, 10).map((metrics, i) => new LineGraphMetricWidget({ title: `Matched events by rule (${i + 1})`, metrics })),
            ...chunks((args.functions ?? []).map((fn) => lambdaMetric("Invocations", fn)), 10).map(
              (metrics, i) => new LineGraphMetricWidget({ title: `Function invocations (${i + 1})`, metrics }),
            ),
            ...chunks((args.functions ?? []).map((fn) => lambdaMetric("Errors", fn)), 10).map(
              (metrics, i) => new LineGraphMetricWidget({ title: `Function errors (${i + 1})`, metrics }),
            ),
            ...chunks(this.watchedDeadLetterQueues.map((q) => sqsMetric("ApproximateNumberOfMessagesVisible", q).withStatistic("Maximum")), 10).map(
              (metrics, i) => new LineGraphMetricWidget({ title: `Dead-letter queue depth (${i + 1})`, metrics }),
            ),
          ],
        },
        { parent: this },
      );
    }
    this.registerOutputs({ alarmCount: this.alarms.length });
  }

  private alarm(name: string, description: string, metric: Metric): void {
    this.alarms.push(
      metric.createAlarm(
        name,
        {
          name: physicalName([this.context.namePrefix, name], NAME_LIMITS.alarm),
          alarmDescription: description,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: this.evaluationPeriods,
          treatMissingData: "notBreaching",
          alarmActions: [this.alarmTopic.arn],
          okActions: [this.alarmTopic.arn],
        },
        { parent: this },
      ),
    );
  }
}

function sqsMetric(name: string, queue: Queue): Metric {
  return new Metric({ namespace: "AWS/SQS", name, dimensions: { QueueName: queue.name }, statistic: "Sum", period: 60 });
}

function lambdaMetric(name: string, fn: BundledFunction): Metric {
  return new Metric({ namespace: "AWS/Lambda", name, dimensions: { FunctionName: fn.name }, statistic: "Sum", period: 60 });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
