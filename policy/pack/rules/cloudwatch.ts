/** CloudWatch alarms, log groups and log deliveries. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { inRange, nameFormat } from "./formats";
import { str } from "./graph";
import { list, Rule, serviceOf, T } from "./model";

/** CloudWatch Logs retention values (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
const RETENTION_DAYS = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);

export const cloudwatchRules: Rule[] = [
  {
    name: "cloudwatch-alarm",
    severity: "mandatory",
    description: "Alarm period 10, 20, 30 or a multiple of 60 s; period x evaluation periods at most 1 day (7 days for periods of an hour or more); datapointsToAlarm at most evaluationPeriods; at most 5 actions per state; statistic or extendedStatistic, not both",
    docs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    subjects: [T.alarm],
    check(alarm, context) {
      const p = alarm.props;
      nameFormat(context, p.name, NAMES.alarm, "alarm name");
      if (p.period !== undefined && p.period !== null) {
        const period = p.period;
        if (typeof period !== "number" || !([10, 20, 30].includes(period) || (period > 0 && period % 60 === 0))) context.report(`period ${period} s: PutMetricAlarm accepts 10, 20, 30 or a multiple of 60. Change it.`);
        else if (typeof p.evaluationPeriods === "number") {
          const limit = period >= 3600 ? 604800 : 86400;
          if (period * p.evaluationPeriods > limit) context.report(`period x evaluationPeriods is ${period * p.evaluationPeriods} s; PutMetricAlarm allows ${limit} for this period. Use fewer or shorter periods.`);
        }
      }
      inRange(context, p.evaluationPeriods, RANGES.cloudwatch.evaluationPeriods, "evaluationPeriods");
      if (typeof p.datapointsToAlarm === "number" && typeof p.evaluationPeriods === "number" && p.datapointsToAlarm > p.evaluationPeriods) context.report(`datapointsToAlarm ${p.datapointsToAlarm} is more than evaluationPeriods ${p.evaluationPeriods}: PutMetricAlarm refuses it.`);
      for (const field of ["alarmActions", "okActions", "insufficientDataActions"]) {
        if (list(p[field]).length > RANGES.cloudwatch.actionsPerState.max) context.report(`${field} has ${list(p[field]).length} actions; PutMetricAlarm allows 5. Notify one topic and fan out from it.`);
      }
      if (p.statistic && p.extendedStatistic) context.report("statistic and extendedStatistic together: PutMetricAlarm refuses it. Keep one.");
      if (!p.metricQueries && !(p.metricName && p.namespace)) context.report("the alarm names no metric (metricName and namespace) and no metricQueries: PutMetricAlarm refuses it.");
      for (const action of [...list(p.alarmActions), ...list(p.okActions), ...list(p.insufficientDataActions)]) {
        if (serviceOf(action) === "sns" && !context.graph.arn(action, T.topic)) context.cannotTell(`alarm action ${action} is not a topic of this program`);
      }
    },
  },
  {
    name: "cloudwatch-log-group",
    severity: "mandatory",
    description: "A log group name is 1-512 characters of [.-_/#A-Za-z0-9] and its retention is one CloudWatch Logs accepts",
    docs: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    subjects: [T.logGroup],
    check(group, context) {
      nameFormat(context, group.props.name, NAMES.logGroup, "log group name");
      const days = group.props.retentionInDays;
      if (days !== undefined && days !== null && days !== 0 && !RETENTION_DAYS.has(days)) context.report(`retentionInDays ${days} is not a CloudWatch Logs retention: it accepts ${[...RETENTION_DAYS].join(", ")}. Pick one.`);
    },
  },
  {
    name: "cloudwatch-log-group-retention",
    severity: "advisory",
    description: "Log groups have a retention (logs otherwise accumulate and cost forever)",
    docs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html",
    subjects: [T.logGroup],
    check(group, context) {
      if (!group.props.retentionInDays) context.report("the log group keeps logs forever. Set retentionInDays.");
    },
  },
  {
    name: "log-delivery",
    severity: "mandatory",
    description: "A log delivery joins a delivery source and destination of the program; the destination is a log group, S3 bucket or Firehose stream; an EventBridge bus source sends ERROR_LOGS, INFO_LOGS or TRACE_LOGS",
    docs: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateDelivery.html",
    subjects: [T.delivery, T.deliverySource, T.deliveryDestination],
    check(subject, context) {
      if (subject.type === T.deliverySource) {
        const resourceArn = str(subject.props.resourceArn, "resourceArn");
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-logs.html
        if (serviceOf(resourceArn) === "events" && !["ERROR_LOGS", "INFO_LOGS", "TRACE_LOGS"].includes(subject.props.logType)) {
          context.report(`logType ${subject.props.logType} is not one an event bus sends (ERROR_LOGS, INFO_LOGS, TRACE_LOGS): PutDeliverySource refuses it.`);
        }
        return;
      }
      if (subject.type === T.deliveryDestination) {
        const arn = subject.props.deliveryDestinationConfiguration?.destinationResourceArn;
        if (arn === undefined) return;
        const service = serviceOf(str(arn, "destinationResourceArn"));
        if (!["logs", "s3", "firehose"].includes(service ?? "")) context.report(`destination ${arn} is not a log group, S3 bucket or Firehose stream: PutDeliveryDestination refuses it.`);
        else if (service === "logs" && (!/:log-group:[^:]+$/.test(arn) || arn.endsWith(":*"))) context.report(`destination ${arn} is not a plain log group ARN (arn:...:log-group:<name>, without ":*"): PutDeliveryDestination refuses it.`);
        return;
      }
      const sourceName = str(subject.props.deliverySourceName, "deliverySourceName");
      const destinationArn = str(subject.props.deliveryDestinationArn, "deliveryDestinationArn");
      const source = context.graph.of(T.deliverySource).find((s) => s.props.name === sourceName);
      const destination = context.graph.arn(destinationArn, T.deliveryDestination);
      if (!source) context.cannotTell(`delivery source ${sourceName} is not one of this program`);
      if (!destination) {
        if (serviceOf(destinationArn) !== "logs" || !destinationArn.includes(":delivery-destination:")) context.report(`deliveryDestinationArn ${destinationArn} is not a delivery destination: CreateDelivery takes the ARN of an aws.cloudwatch.LogDeliveryDestination, not of the log group or bucket itself.`);
        else context.cannotTell(`delivery destination ${destinationArn} is not one of this program`);
      }
    },
  },
];
