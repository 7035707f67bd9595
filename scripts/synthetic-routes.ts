import * as aws from "@pulumi/aws";
import * as path from "path";
import {
  BundledFunction,
  EventBus,
  Observability,
  Queue,
  RouteTarget,
  Topic,
  Workflow,
  lambdaTarget,
  queueTarget,
  streamTarget,
  topicTarget,
  workflowTarget,
} from "@event-routes/components";

/**
 * A program built with the library alone: `routes` rules on one bus, their targets cycling Lambda,
 * SQS, Step Functions, SNS and Kinesis, each with retry and the bus's DLQ, drawn from pools of
 * `poolSize` resources per kind so that many routes share a queue, topic, function ...
 */
export function syntheticRoutes(routes: number, poolSize = 10) {
  const bus = new EventBus("synthetic", { archive: { retentionDays: 1 } });
  const pool = <T>(make: (i: number) => T): T[] => Array.from({ length: Math.min(poolSize, routes) }, (_, i) => make(i));
  const functions = pool((i) => new BundledFunction(`fn-${i}`, { entry: path.join(__dirname, "../tests/fixtures/echo-handler.ts") }));
  const queues = pool((i) => new Queue(`queue-${i}`, { eventSources: [bus] }));
  const workflows = pool(
    (i) =>
      new Workflow(`workflow-${i}`, {
        type: "EXPRESS",
        definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } },
        calls: {},
        logging: { level: "ERROR", includeExecutionData: false, retentionDays: 7 },
      }),
  );
  const topics = pool((i) => new Topic(`topic-${i}`, { eventSources: [bus] }));
  const streams = pool((i) => new aws.kinesis.Stream(`stream-${i}`, { streamModeDetails: { streamMode: "ON_DEMAND" }, encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" }));
  const kinds: ((i: number) => RouteTarget)[] = [
    (i) => lambdaTarget(functions[i % functions.length]),
    (i) => queueTarget(queues[i % queues.length]),
    (i) => workflowTarget(workflows[i % workflows.length]),
    (i) => topicTarget(topics[i % topics.length]),
    (i) => streamTarget(streams[i % streams.length]),
  ];
  for (let i = 0; i < routes; i++) {
    const kind = i % kinds.length;
    bus.route(`route-${i}`, {
      pattern: { source: [`synthetic.source-${i % 17}`], "detail-type": [`Event${i}`], detail: { tenant: [{ prefix: `t${i % 7}` }] } },
      targets: [kinds[kind](Math.floor(i / kinds.length))],
    });
  }
  // Per-rule alarms are off: 600 of them would dwarf what is measured; every DLQ is still alarmed.
  const observability = new Observability("synthetic", {
    alarmTopic: new Topic("alarms", { cloudWatchAlarms: true }),
    buses: [bus],
    ruleAlarms: false,
    queues,
    functions,
    workflows,
    dashboard: false,
  });
  return { bus, functions, queues, workflows, topics, streams, observability };
}
